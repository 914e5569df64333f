import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// File (SPEC §5, §7): puts decided submissions where the decision says —
/// the archive, the office's copies, the receipts — from their ledger
/// records alone, so the same path serves a fresh decision, a retry after a
/// failure and recovery after a crash. Fresh decisions are filed on the
/// filing threads (`FilingThreads`) while the loop goes on, and marked placed
/// when the loop takes the finished batches. Its own state is the batches
/// in flight and the retry schedule: when filing fails (disk full, I/O
/// error) the submissions stay `decided` and are filed again with doubling
/// backoff.
final class FileStage {
    var settings: GatewaySettings
    let ledger: Ledger
    let log: EventLog
    let clock: StageClock
    /// When the decided submissions are filed again after a failure.
    private(set) var retryAt: Date?
    private var backoff: Double = 1
    let filing: FilingThreads
    /// Batches started on the filing threads and not yet marked placed, in order.
    private var inFlight: [(ticket: Int, records: [Ledger.SubmissionRecord])] = []
    private var lastTicket = 0

    init(settings: GatewaySettings, ledger: Ledger, log: EventLog, clock: StageClock) throws {
        filing = try FilingThreads()
        self.settings = settings
        self.ledger = ledger
        self.log = log
        self.clock = clock
    }

    /// Starts filing decided submissions together (`Placement.placeAll`, in
    /// its two halves) on the filing threads; `collectFiled` or
    /// `finishFiling` marks them placed.
    /// While filing is failing (disk full) they wait for the scheduled
    /// retry, which files every decided submission from the ledger.
    func startFiling(_ records: [Ledger.SubmissionRecord]) {
        guard !records.isEmpty, retryAt == nil else { return }
        let plans = records.compactMap(Self.plan(for:))
        let placement = placement()
        lastTicket += 1
        inFlight.append((lastTicket, records))
        filing.start(ticket: lastTicket, placement: placement, plans: plans)
    }

    /// Batches are being filed (or wait to be marked placed).
    var isFiling: Bool { !inFlight.isEmpty }

    /// Waits for every batch started, then marks them placed
    /// (`collectFiled`). Before the loop writes where a batch may: at
    /// stop, before a retry, before receipts are shelved.
    func finishFiling(now: Date) {
        guard !inFlight.isEmpty else { return }
        collect(filing.waitForAll(), now: now)
    }

    /// Waits for the filing when a batch in flight files a submission of
    /// this unit and key: its pending notice (same name for every
    /// submission of the key) is about to be written or removed.
    func waitForFiling(unit: String, key: String, now: Date) {
        if inFlight.contains(where: { $0.records.contains { $0.unit == unit && $0.key == key } }) { finishFiling(now: now) }
    }

    /// Marks the batches the filing threads have finished placed in one
    /// transaction, without waiting for the others (loop thread).
    func collectFiled(now: Date) {
        guard !inFlight.isEmpty else { return }
        collect(filing.takeFinished(), now: now)
    }

    /// A batch that failed stays `decided` in the ledger (nothing in memory
    /// thinks it is done), as do the later ones, which the filing threads
    /// do not try: all are filed again with backoff.
    private func collect(_ outcomes: [Int: FilingThreads.Outcome], now: Date) {
        var placed: [String] = []
        var failure: (any Error)?
        var unfiled = 0
        for batch in inFlight {
            guard let outcome = outcomes[batch.ticket] else { continue }
            clock.filingCPU += outcome.cpuSeconds
            clock.filingWall += outcome.wallSeconds
            if let error = outcome.error {
                if failure == nil || failure is FilingThreads.NotTried { failure = error }
                unfiled += batch.records.count
            } else {
                placed += batch.records.map(\.id)
            }
        }
        inFlight.removeAll { outcomes[$0.ticket] != nil }
        do {
            if !placed.isEmpty { try ledger.markPlaced(submissions: placed, at: now) }
        } catch {
            failure = error
            unfiled += placed.count
        }
        if let failure { scheduleRetry(now: now, error: failure, count: unfiled) }
    }

    /// Files every decided submission in the ledger at once (at start).
    func retryNow(now: Date) {
        retryAt = now
        retryIfDue(now: now)
    }

    /// Files every decided submission again once the backoff is over, on
    /// the loop once the filing threads are done.
    func retryIfDue(now: Date) {
        guard let at = retryAt, at <= now else { return }
        finishFiling(now: now)
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
