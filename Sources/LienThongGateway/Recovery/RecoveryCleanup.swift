import Foundation
import LienThongSpool
import LienThongSystemd

extension Recovery {
    /// First step of recovery: removes the temporary files a crash left in
    /// the folders the gateway writes (see `StaleTemporaries`): each queue
    /// folder's top level, the archive folders of submissions still to be
    /// filed, every unit's receipts and inbox, the office's inbox, paper and
    /// receipts. Outboxes and `files/` folders are never touched.
    func cleanStaleTemporaries() throws {
        let layout = settings.layout
        var removed: [String] = []
        for id in (try? FileManager.default.contentsOfDirectory(atPath: layout.queue)) ?? [] {
            // Also the evidence copies a crash left half-sealed: EvidenceSeal
            // stages them here, never in files/.
            removed += StaleTemporaries.clean(layout.queued(id), recursive: false)
        }
        for record in try ledger.submissions(in: .decided) {
            if let dir = record.placement {
                removed += StaleTemporaries.clean(dir, recursive: false)
            }
        }
        for unit in settings.config.registry.ids {
            removed += StaleTemporaries.clean(layout.receipts(unit), recursive: false)
            removed += StaleTemporaries.clean(layout.inbox(unit), recursive: true)
        }
        for dir in [layout.officeInbox, layout.officePaper, layout.officeReceipts] {
            removed += StaleTemporaries.clean(dir, recursive: true)
        }
        if !removed.isEmpty {
            log.log(.notice, "removed \(removed.count) temporary files left by an interrupted write: \(removed.prefix(5).joined(separator: ", "))\(removed.count > 5 ? ", …" : "")",
                    fields: [])
        }
    }
}
