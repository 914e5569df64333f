import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// Deliver (SPEC §7): runs the planned deliveries of the office's documents
/// to the recipients' inboxes from the main loop, a time-boxed batch per
/// tick so watching and deciding never stall behind a fan-out to hundreds of
/// units. The truth is in the ledger (what is planned, due, deferred,
/// delivered); the stage's own state is only the pause after the ledger
/// itself failed. Documents whose filing failed after the decision are filed
/// first (`FileStage`).
final class DeliverStage {
    var settings: GatewaySettings
    let ledger: Ledger
    let log: EventLog
    let file: FileStage
    /// Set after the ledger itself failed: deliveries pause instead of spinning.
    private(set) var pausedUntil: Date?

    init(settings: GatewaySettings, ledger: Ledger, log: EventLog, file: FileStage) {
        self.settings = settings
        self.ledger = ledger
        self.log = log
        self.file = file
    }

    /// How long one tick may spend delivering.
    static let deliveryBatchSeconds = 0.5

    var deliveryBackoff: DeliveryBackoff { DeliveryBackoff(lifetime: settings.config.fanout.deliveryLifetime) }

    /// When the loop must wake for deliveries; nil when none waits. An
    /// operator's retry comes through the control socket, in this process
    /// (`retryDeferred`), so nothing outside changes when they are due.
    func nextWake(now: Date) -> Date? {
        if let p = pausedUntil, now < p { return p }
        return (try? ledger.nextDeliveryDue()) ?? nil
    }

    /// `lienthongctl retry ID|ALL`: deferred deliveries of `submission` (nil:
    /// all) become due now, failed ones get a fresh lifetime. Returns how many.
    func retryDeferred(submission: String?, now: Date) -> Int {
        (try? ledger.retryDeferredDeliveries(submission: submission, now: now)) ?? 0
    }

    /// Delivers what is due, for at most `deliveryBatchSeconds`, then
    /// rewrites the receipts of the documents it touched.
    func run(now: Date) {
        if let p = pausedUntil, now < p { return }
        pausedUntil = nil
        // A stopwatch for the time box (work done), not the clock of record.
        let started = StageClock.monotonic()
        let due: [Ledger.DeliveryRecord]
        do {
            due = try ledger.dueDeliveries(now: now, limit: 512)
        } catch {
            return pauseDeliveries(error, now: now)
        }
        if due.isEmpty { return }
        var touched: [String] = []
        var records: [String: Ledger.SubmissionRecord] = [:]
        var items: [String: [Delivery.Item]] = [:]
        var fast: [(row: Ledger.DeliveryRecord, delivery: Delivery)] = []
        var slow: [Ledger.DeliveryRecord] = []
        rows: for row in due {
            if StageClock.monotonic() - started > Self.deliveryBatchSeconds { break }
            do {
                switch try loadSubmission(of: row, records: &records, items: &items, now: now) {
                case .skip: continue rows
                case .stop: break rows
                case .ready: break
                }
                if !touched.contains(row.submission) { touched.append(row.submission) }
                // The common case goes in one batch (below); anything odd —
                // a recipient gone from the registry, no document, an inbox
                // that is not a folder — takes the one-by-one path, which
                // knows every failure and its backoff.
                let list = items[row.submission] ?? []
                let delivery = Delivery(inbox: settings.layout.inbox(row.recipient), items: list)
                if settings.config.registry[row.recipient] != nil, !list.isEmpty, (try? delivery.checkInbox()) != nil {
                    fast.append((row, delivery))
                } else {
                    slow.append(row)
                }
            } catch {
                pauseDeliveries(error, now: now)
                break
            }
        }
        do {
            // Each inbox opened once for its name, link and fsync (`FolderHold`).
            slow += try TrustedPath.holdingFolders { try deliverBatch(fast, records: records, now: now) }
            for row in slow { try deliver(row, record: records[row.submission]!, items: items[row.submission] ?? [], now: now) }
        } catch {
            pauseDeliveries(error, now: now)
        }
        rewriteOfficeReceipts(touched.compactMap { records[$0] })
    }

    private enum RowState { case ready, skip, stop }

    /// The submission a delivery row belongs to, read (and filed first, if
    /// its filing failed after the decision) once per batch.
    private func loadSubmission(of row: Ledger.DeliveryRecord, records: inout [String: Ledger.SubmissionRecord],
                                items: inout [String: [Delivery.Item]], now: Date) throws -> RowState {
        if records[row.submission] != nil { return .ready }
        guard let record = try ledger.submission(row.submission) else {
            // Cannot happen with the foreign key; never spin on it.
            try ledger.markDeliveryAttemptFailed(submission: row.submission, recipient: row.recipient,
                                                 error: "submission \(row.submission) is not in the ledger", retryAt: nil, at: now)
            return .skip
        }
        if record.state == .decided {
            // Filing failed after the decision (disk full): the files are
            // not in the archive yet; file them first.
            do { try file.placeOutbound(record, now: now) } catch {
                log.log(.error, "outbound submission \(record.id) is decided but not filed: \(error); will retry",
                        fields: [(JournalField.submission, record.id)])
                pausedUntil = now.addingTimeInterval(5)
                return .stop
            }
        }
        records[row.submission] = record
        items[row.submission] = try deliveryItems(record)
        return .ready
    }

    /// Rewrites the office receipt of each document a delivery batch touched,
    /// and says in the journal when a fan-out has finished.
    private func rewriteOfficeReceipts(_ touched: [Ledger.SubmissionRecord]) {
        for record in touched {
            let id = record.id
            do {
                let rows = try file.writeOfficeReceipt(record)
                if !rows.isEmpty, !rows.contains(where: { $0.state == .pending || $0.state == .deferred }) {
                    let failed = rows.filter { $0.state == .failed }.count
                    log.log(failed == 0 ? .notice : .error,
                            "fan-out of \(record.key) finished: \(rows.count - failed) of \(rows.count) recipients delivered"
                                + (failed == 0 ? "" : ", \(failed) FAILED (see office/receipts/)"),
                            fields: [(JournalField.submission, id), (JournalField.unit, record.unit), (JournalField.key, record.key)])
                }
            } catch {
                log.log(.error, "could not rewrite the office receipt of \(id): \(error); it is rewritten after the next delivery",
                        fields: [(JournalField.submission, id)])
            }
        }
    }

    /// Group commit for deliveries: every name chosen in one transaction
    /// (before any link, as one by one), every link made, each inbox fsynced
    /// once, every delivery recorded in one more transaction. Returns the rows
    /// that need the one-by-one path (a name clash, an I/O error), with the
    /// suffix they now have in the ledger. A ledger failure is thrown.
    private func deliverBatch(_ batch: [(row: Ledger.DeliveryRecord, delivery: Delivery)], records: [String: Ledger.SubmissionRecord],
                              now: Date) throws -> [Ledger.DeliveryRecord] {
        guard !batch.isEmpty else { return [] }
        var rows = batch.map(\.row)
        try ledger.batch {
            for i in rows.indices where rows[i].suffix == nil {
                let suffix = batch[i].delivery.freeSuffix()
                try ledger.recordDeliverySuffix(submission: rows[i].submission, recipient: rows[i].recipient, suffix: suffix, at: now)
                rows[i].suffix = suffix
            }
        }
        var left: [Ledger.DeliveryRecord] = []
        var done: [(row: Ledger.DeliveryRecord, path: String, copied: Bool)] = []
        for (i, row) in rows.enumerated() {
            switch try? batch[i].delivery.deliver(suffix: row.suffix ?? 1, syncFolder: false) {
            case .delivered(let path, let copied)?: done.append((row, path, copied))
            default: left.append(row)
            }
        }
        var synced: [(row: Ledger.DeliveryRecord, path: String, copied: Bool)] = []
        for d in done {
            // Not durable, not recorded: the one-by-one path finds its own
            // file there, fsyncs and records it (or backs off).
            if (try? DurableFS.syncDirectory(settings.layout.inbox(d.row.recipient))) != nil { synced.append(d) } else { left.append(d.row) }
        }
        try ledger.batch {
            for d in synced { try ledger.markDelivered(submission: d.row.submission, recipient: d.row.recipient, path: d.path, at: now) }
        }
        for d in synced {
            let record = records[d.row.submission]
            log.log(.info, "delivered \(record?.key ?? d.row.submission) to \(d.row.recipient)\(d.copied ? " (copied: another filesystem)" : ""): \(d.path)",
                    fields: [(JournalField.messageID, MessageID.delivered), (JournalField.submission, d.row.submission),
                             (JournalField.unit, record?.unit ?? ""), (JournalField.key, record?.key ?? ""), (JournalField.recipient, d.row.recipient)])
        }
        return left
    }

    private func pauseDeliveries(_ error: Error, now: Date) {
        log.log(.error, "deliveries paused for 5 s: the ledger failed: \(error)")
        pausedUntil = now.addingTimeInterval(5)
    }

    /// The files a recipient gets: the signed documents and their detached
    /// signatures, from the archive (never the manifest or other files).
    func deliveryItems(_ record: Ledger.SubmissionRecord) throws -> [Delivery.Item] {
        guard let archive = record.placement else { return [] }
        return try ledger.files(of: record.id)
            .filter { $0.role == FileRole.electronic.rawValue || $0.role == FileRole.signature.rawValue }
            .sorted { $0.name < $1.name }
            .map { Delivery.Item(source: archive + "/files/" + $0.name,
                                 name: ($0.name as NSString).lastPathComponent.precomposedStringWithCanonicalMapping) }
    }

    /// One delivery to one recipient. A file-system failure defers it with
    /// backoff (or fails it after `delivery_lifetime`); a ledger failure is
    /// thrown to the caller.
    private func deliver(_ row: Ledger.DeliveryRecord, record: Ledger.SubmissionRecord, items: [Delivery.Item], now: Date) throws {
        let fields: [(String, String)] = [
            (JournalField.submission, row.submission), (JournalField.unit, record.unit),
            (JournalField.key, record.key), (JournalField.recipient, row.recipient),
        ]
        do {
            guard settings.config.registry[row.recipient] != nil else {
                throw SpoolError("deliver (unit is no longer in units.csv)", settings.layout.inbox(row.recipient), errno: ENOENT)
            }
            guard !items.isEmpty else {
                throw SpoolError("deliver (no signed document in the archive)", record.placement ?? record.id, errno: ENOENT)
            }
            let delivery = Delivery(inbox: settings.layout.inbox(row.recipient), items: items)
            try delivery.checkInbox()
            var suffix: Int
            if let s = row.suffix {
                suffix = s
            } else {
                suffix = delivery.freeSuffix()
                try ledger.recordDeliverySuffix(submission: row.submission, recipient: row.recipient, suffix: suffix, at: now)
            }
            for _ in 0..<1000 {
                switch try delivery.deliver(suffix: suffix) {
                case .delivered(let path, let copied):
                    try ledger.markDelivered(submission: row.submission, recipient: row.recipient, path: path, at: now)
                    log.log(.info, "delivered \(record.key) to \(row.recipient)\(copied ? " (copied: another filesystem)" : ""): \(path)",
                            fields: [(JournalField.messageID, MessageID.delivered)] + fields)
                    return
                case .clash:
                    suffix = max(suffix + 1, delivery.freeSuffix())
                    try ledger.recordDeliverySuffix(submission: row.submission, recipient: row.recipient, suffix: suffix, at: now)
                }
            }
            throw SpoolError("find a free name in", settings.layout.inbox(row.recipient), errno: EEXIST)
        } catch let error as SpoolError {
            let attempts = row.attempts + 1
            switch deliveryBackoff.next(afterAttempts: attempts, plannedAt: row.plannedAt, now: now) {
            case .retry(let at):
                try ledger.markDeliveryAttemptFailed(submission: row.submission, recipient: row.recipient, error: error.description, retryAt: at, at: now)
                log.log(.warning, "could not deliver \(record.key) to \(row.recipient) (attempt \(attempts)): \(error); will retry at \(RFC3339.format(at, timeZone: settings.timeZone))",
                        fields: fields)
            case .giveUp:
                try ledger.markDeliveryAttemptFailed(submission: row.submission, recipient: row.recipient, error: error.description, retryAt: nil, at: now)
                log.log(.error, "delivery of \(record.key) to \(row.recipient) FAILED after \(attempts) attempts, delivery_lifetime has passed: \(error)",
                        fields: [(JournalField.messageID, MessageID.deliveryFailed)] + fields)
            }
        }
    }
}
