import Foundation
import LienThongSpool
import LienThongSystemd

/// Old receipts move into `receipts/YYYY/MM/` (`[receipts] shelve_after`).
/// Checked a few times per shelving age, at most hourly: a receipt is
/// shelved a little after it becomes old enough, never before.
extension Gateway {
    func shelveReceiptsIfDue(now: Date) {
        let age = settings.config.receipts.shelveAfter
        guard age > 0, now.timeIntervalSince(lastShelving) >= min(3600, max(1, age / 4)) else { return }
        lastShelving = now
        // Receipts' folders are the filing threads' while they file.
        pipeline.file.finishFiling(now: now)
        let shelf = ReceiptShelf(timeZone: settings.timeZone)
        var moved = 0
        for unit in settings.config.registry.ids {
            let outcome = shelf.shelve(settings.layout.receipts(unit), olderThan: now.addingTimeInterval(-age))
            moved += outcome.moved
            for problem in outcome.problems {
                log.log(.warning, "could not shelve an old receipt: \(problem); it stays in receipts/ and is tried again later",
                        fields: [(JournalField.unit, unit)])
            }
        }
        if moved > 0 { log.log(.info, "shelved \(moved) receipt files older than \(Int(age)) s into receipts/YYYY/MM/") }
    }
}
