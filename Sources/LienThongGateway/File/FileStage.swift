import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// File (SPEC §5, §7): puts decided submissions where the decision says —
/// the archive, the office's copies, the receipts — from their ledger
/// records alone, so the same path serves a fresh decision, a retry after a
/// failure and recovery after a crash. Its own state is the retry schedule:
/// when filing fails (disk full, I/O error) the submissions stay `decided`
/// and are filed again with doubling backoff.
final class FileStage {
    var settings: GatewaySettings
    let ledger: Ledger
    let log: EventLog
    /// When the decided submissions are filed again after a failure.
    private(set) var retryAt: Date?
    private var backoff: Double = 1

    init(settings: GatewaySettings, ledger: Ledger, log: EventLog) {
        self.settings = settings
        self.ledger = ledger
        self.log = log
    }

    /// Files decided submissions away together (`Placement.placeAll`) and
    /// marks them placed. On failure they stay `decided` in the ledger
    /// (nothing in memory thinks they are done) and are filed again with
    /// backoff, one by one.
    func placeRecords(_ records: [Ledger.SubmissionRecord], now: Date) {
        guard !records.isEmpty else { return }
        // Filing is already failing (disk full): these wait for the scheduled
        // retry, which files every decided submission from the ledger.
        guard retryAt == nil else { return }
        do {
            try placement().placeAll(records.compactMap(Self.plan(for:)))
            try ledger.markPlaced(submissions: records.map(\.id), at: now)
        } catch {
            scheduleRetry(now: now, error: error, count: records.count)
        }
    }

    /// Files every decided submission in the ledger at once (at start).
    func retryNow(now: Date) {
        retryAt = now
        retryIfDue(now: now)
    }

    /// Files every decided submission again once the backoff is over.
    func retryIfDue(now: Date) {
        guard let at = retryAt, at <= now else { return }
        retryAt = nil
        let records = (try? ledger.submissions(in: .decided)) ?? []
        for record in records {
            do {
                try place(record, now: now)
            } catch {
                scheduleRetry(now: now, error: error, count: records.count)
                return
            }
        }
        if !records.isEmpty {
            log.log(.notice, "filed \(records.count) decided submissions after an earlier failure", fields: [])
        }
        backoff = 1
    }

    private func scheduleRetry(now: Date, error: Error, count: Int) {
        log.log(.error, "could not file \(count) decided submissions: \(error); they stay decided in the ledger and are filed again in \(Int(backoff)) s",
                fields: [])
        retryAt = now.addingTimeInterval(backoff)
        backoff = min(backoff * 2, 30)
    }

    /// Files one decided submission (inbound or the office's own), then
    /// marks it placed.
    func place(_ record: Ledger.SubmissionRecord, now: Date) throws {
        if record.pairing.outboundGroup != nil { return try placeOutbound(record, now: now) }
        guard let plan = Self.plan(for: record) else { return }
        try placement().place(plan)
        try ledger.markPlaced(submission: record.id, at: now)
    }

    static func plan(for record: Ledger.SubmissionRecord) -> Placement.Plan? {
        guard let json = record.receipt, let archiveDir = record.placement else { return nil }
        return Placement.Plan(
            submission: record.id, unit: record.unit, key: record.key, verdict: record.verdict ?? .rejected,
            archiveDir: archiveDir, receiptJSON: json, receiptText: record.receiptText ?? "", report: record.report ?? "{}\n",
            officeCopy: record.verdict == .accepted)
    }

    /// Placement that reports an office copy refused because of a planted
    /// link under `office/inbox/` (the submission itself is still filed).
    func placement() -> Placement {
        Placement(layout: settings.layout, refusedOfficeCopy: { [log] submission, error in
            log.log(.error, "submission \(submission): no copy for the office's clerks: \(error); the files are in the archive",
                    fields: [(JournalField.submission, submission)])
        })
    }
}
