import Foundation

/// `lienthongctl retry`: makes deferred fan-out deliveries due now. The
/// deliveries table belongs to fan-out; until the daemon's own retry entry
/// point is wired in, this moves their `next_attempt` to now, which is what
/// a retry loop reading the table acts on.
extension Ledger {
    /// Deferred deliveries of `submission` (all when nil) made due at `at`.
    /// Returns how many; 0 when there is no deliveries table yet.
    public func requeueDeferredDeliveries(submission: String?, at: Date) throws -> Int {
        let exists = try !db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'").isEmpty
        guard exists else { return 0 }
        return try db.transaction {
            var sql = "SELECT DISTINCT submission FROM deliveries WHERE state = 'deferred'"
            var args: [SQLValue] = []
            if let submission { sql += " AND submission = ?"; args.append(.text(submission)) }
            let submissions = try db.query(sql, args).compactMap { $0.first?.string }
            var update = "UPDATE deliveries SET next_attempt = ? WHERE state = 'deferred'"
            var updateArgs: [SQLValue] = [.double(at.timeIntervalSince1970)]
            if let submission { update += " AND submission = ?"; updateArgs.append(.text(submission)) }
            try db.query(update, updateArgs)
            let count = Int(try db.query("SELECT changes()").first?.first?.int ?? 0)
            for id in submissions { try logEvent(id, at: at, "retry-requested", "deferred deliveries due now (operator)") }
            return count
        }
    }
}
