import Foundation

/// Outbound deliveries (SPEC §7): one row per (submission, recipient). A
/// fan-out is planned in one transaction — every row `pending` — together
/// with the decision; each delivery then marks its own row. The suffix of
/// the name chosen in the recipient's inbox is recorded *before* the file is
/// linked there, so a delivery redone after a crash finds its own file again
/// instead of making a ` (2)` twin.
extension Ledger {
    public enum DeliveryState: String, Sendable, CaseIterable {
        case pending, delivered, deferred, failed
    }

    public struct DeliveryRecord: Sendable, Equatable {
        public var submission: String
        public var recipient: String
        /// Final path of the document in the recipient's inbox, once delivered.
        public var path: String?
        public var state: DeliveryState
        public var attempts: Int
        public var nextAttempt: Date?
        public var lastError: String?
        public var deliveredAt: Date?
        /// The clash suffix chosen for the names in the inbox (1 = the plain
        /// name, 2 = ` (2)`…); recorded before the first link, nil before.
        public var suffix: Int?
        /// Start of the delivery's lifetime (the plan, or an operator's retry).
        public var plannedAt: Date
    }

    func migrateDeliveries() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS deliveries(
              submission TEXT NOT NULL REFERENCES submissions(id),
              recipient TEXT NOT NULL,
              path TEXT,
              state TEXT NOT NULL,
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt REAL,
              last_error TEXT,
              delivered_at REAL,
              suffix INTEGER,
              planned_at REAL NOT NULL DEFAULT 0,
              PRIMARY KEY(submission, recipient)
            );
            CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries(state, next_attempt);
            """)
    }

    /// Inserts one `pending` row per recipient. Runs inside the caller's
    /// transaction — `decide`'s `makeReceipt` — so the fan-out is planned
    /// exactly when the decision is committed, never half.
    public func planDeliveriesInDecision(submission: String, recipients: [String], at: Date) throws {
        let insert = try db.prepare(
            "INSERT OR IGNORE INTO deliveries(submission, recipient, state, planned_at) VALUES(?,?,'pending',?)")
        for recipient in recipients {
            try insert.bind([.text(submission), .text(recipient), .double(at.timeIntervalSince1970)])
            while try insert.step() != nil {}
        }
        try logEvent(submission, at: at, "fan-out planned", "\(recipients.count) recipients")
    }

    public func deliveries(of submission: String) throws -> [DeliveryRecord] {
        try db.query(Self.selectDelivery + " WHERE submission = ? ORDER BY rowid", [.text(submission)]).map(Self.delivery)
    }

    /// Pending rows, and deferred rows whose next try has come, oldest plan first.
    public func dueDeliveries(now: Date, limit: Int) throws -> [DeliveryRecord] {
        try db.query(
            Self.selectDelivery + " WHERE state = 'pending' OR (state = 'deferred' AND next_attempt <= ?) ORDER BY planned_at, rowid LIMIT ?",
            [.double(now.timeIntervalSince1970), .int(Int64(limit))]
        ).map(Self.delivery)
    }

    /// When the next delivery is due: now when any is pending, else the
    /// earliest deferred one; nil when nothing waits.
    public func nextDeliveryDue() throws -> Date? {
        let pending = try db.query("SELECT 1 FROM deliveries WHERE state = 'pending' LIMIT 1")
        if !pending.isEmpty { return .distantPast }
        return try db.query("SELECT min(next_attempt) FROM deliveries WHERE state = 'deferred'").first?.first?.double
            .map { Date(timeIntervalSince1970: $0) }
    }

    public func deliveryCounts() throws -> [DeliveryState: Int] {
        var out: [DeliveryState: Int] = [:]
        for row in try db.query("SELECT state, count(*) FROM deliveries GROUP BY state") {
            if let s = row[0].string.flatMap(DeliveryState.init(rawValue:)) { out[s] = Int(row[1].int ?? 0) }
        }
        return out
    }

    /// Deliveries waiting for a retry: cheap enough for every STATUS line
    /// (the state index; delivered rows, which pile up over years, are not read).
    public func deferredDeliveryCount() throws -> Int {
        Int(try db.query("SELECT count(*) FROM deliveries WHERE state = 'deferred'").first?.first?.int ?? 0)
    }

    /// Records the name suffix chosen in the recipient's inbox before anything is linked there.
    public func recordDeliverySuffix(submission: String, recipient: String, suffix: Int, at: Date) throws {
        try db.transaction {
            try db.query("UPDATE deliveries SET suffix = ? WHERE submission = ? AND recipient = ?",
                         [.int(Int64(suffix)), .text(submission), .text(recipient)])
            if suffix > 1 {
                try logEvent(submission, at: at, "delivery name clash", "\(recipient): the name was taken; delivering as (\(suffix))")
            }
        }
    }

    public func markDelivered(submission: String, recipient: String, path: String, at: Date) throws {
        try db.transaction {
            try db.query(
                """
                UPDATE deliveries SET state = 'delivered', path = ?, delivered_at = ?, attempts = attempts + 1,
                  next_attempt = NULL, last_error = NULL WHERE submission = ? AND recipient = ?
                """,
                [.text(path), .double(at.timeIntervalSince1970), .text(submission), .text(recipient)])
            try logEvent(submission, at: at, "delivered", "\(recipient): \(path)")
        }
    }

    /// A failed try: `retryAt` nil means the lifetime is over (`failed`).
    public func markDeliveryAttemptFailed(submission: String, recipient: String, error: String, retryAt: Date?, at: Date) throws {
        try db.transaction {
            try db.query(
                "UPDATE deliveries SET state = ?, attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE submission = ? AND recipient = ?",
                [.text(retryAt == nil ? DeliveryState.failed.rawValue : DeliveryState.deferred.rawValue),
                 retryAt.map { .double($0.timeIntervalSince1970) } ?? .null, .text(error), .text(submission), .text(recipient)])
            try logEvent(submission, at: at, retryAt == nil ? "delivery failed" : "delivery deferred", "\(recipient): \(error)")
        }
    }

    /// The operator's `lienthongctl retry ID|ALL`: deferred deliveries (of one
    /// submission, or all) become due now; failed ones get a fresh
    /// lifetime and are tried again. Returns how many rows it touched. The
    /// daemon reads due rows from here, so this works from another process.
    @discardableResult
    public func retryDeferredDeliveries(submission: String?, now: Date) throws -> Int {
        try db.transaction {
            let filter = submission == nil ? "" : " AND submission = ?"
            let args: [SQLValue] = submission.map { [.text($0)] } ?? []
            let t = SQLValue.double(now.timeIntervalSince1970)
            try db.query("UPDATE deliveries SET next_attempt = ? WHERE state = 'deferred'" + filter, [t] + args)
            var n = Int(try db.query("SELECT changes()").first?.first?.int ?? 0)
            try db.query(
                "UPDATE deliveries SET state = 'deferred', next_attempt = ?, planned_at = ?, attempts = 0 WHERE state = 'failed'" + filter,
                [t, t] + args)
            n += Int(try db.query("SELECT changes()").first?.first?.int ?? 0)
            try logEvent(submission, at: now, "delivery retry requested", "\(n) deliveries")
            return n
        }
    }

    static let selectDelivery = """
        SELECT submission, recipient, path, state, attempts, next_attempt, last_error, delivered_at, suffix, planned_at FROM deliveries
        """

    static func delivery(_ r: [SQLValue]) -> DeliveryRecord {
        DeliveryRecord(
            submission: r[0].string ?? "", recipient: r[1].string ?? "", path: r[2].string,
            state: DeliveryState(rawValue: r[3].string ?? "") ?? .pending, attempts: Int(r[4].int ?? 0),
            nextAttempt: r[5].double.map { Date(timeIntervalSince1970: $0) }, lastError: r[6].string,
            deliveredAt: r[7].double.map { Date(timeIntervalSince1970: $0) }, suffix: r[8].int.map { Int($0) },
            plannedAt: Date(timeIntervalSince1970: r[9].double ?? 0))
    }
}
