import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// Recovery: start-up reconciliation of the ledger with `queue/` and the
/// archive after any stop, clean or not. Every half-done step is finished or
/// undone by the stage that owns it (filing by `FileStage`, claims by
/// `ClaimStage`), and nothing is decided, numbered or copied twice.
struct Recovery {
    let settings: GatewaySettings
    let ledger: Ledger
    let log: EventLog
    let claim: ClaimStage
    let file: FileStage

    func run(now: Date) throws {
        // 0. Temporary files of writes a crash interrupted.
        try cleanStaleTemporaries()
        // 1. Decided but not fully placed: redo placement from the ledger. If
        //    that fails (disk still full), they stay decided and are filed
        //    again with backoff from the main loop.
        let decided = try ledger.submissions(in: .decided)
        if !decided.isEmpty {
            file.retryNow(now: now)
            for record in decided where (try? ledger.submission(record.id))?.state == .placed {
                log.log(.notice, "finished filing submission \(record.id) after a restart", fields: [(JournalField.submission, record.id)])
            }
        }
        // 2. Gathering: settle each claim intent, then reopen.
        var known: Set<String> = []
        for record in try ledger.submissions(in: .gathering) {
            known.insert(record.id)
            try claim.reopen(record, now: now)
        }
        // 3. Queue folders the ledger does not know (a lost or restored
        //    ledger): never delete, move them to quarantine for a person.
        let queued = (try? FileManager.default.contentsOfDirectory(atPath: settings.layout.queue)) ?? []
        for id in queued where !known.contains(id) && !id.hasPrefix(".") {
            if let record = try ledger.submission(id), record.state != .gathering { continue }
            let target = settings.layout.quarantine + "/" + id
            try DurableFS.makeDirectories(settings.layout.quarantine)
            try DurableFS.move(settings.layout.queued(id), to: DurableFS.exists(target) ? target + "-orphan-\(Int(now.timeIntervalSince1970))" : target)
            log.log(.error, "queue/\(id) is unknown to the ledger; moved to archive/quarantine for inspection",
                    fields: [(JournalField.messageID, MessageID.quarantined), (JournalField.submission, id)])
        }
    }
}
