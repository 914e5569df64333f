import CSQLite
import Foundation
import LienThongCore

/// Read-only access to the ledger for `lienthongctl`. The connection is
/// opened read-only and `query_only`, so nothing the operator runs can change
/// what the daemon recorded; WAL lets it read while the daemon writes.
public final class LedgerReader {
    let db: SQLiteDatabase
    public let path: String
    /// Whether the ledger has the `held` column (added by a daemon that knows holds).
    let hasHeld: Bool
    /// Whether the fan-out `deliveries` table exists.
    public let hasDeliveries: Bool

    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "no ledger at \(path): lienthongd has not run on this spool yet, or --config names another spool"
        }
    }

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        db = try SQLiteDatabase(path: path, readOnly: true)
        self.path = path
        try db.execute("PRAGMA query_only=1")
        let columns = try db.query("PRAGMA table_info(submissions)").compactMap { $0[1].string }
        hasHeld = columns.contains("held")
        hasDeliveries = try !db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'").isEmpty
    }

    // MARK: submissions

    /// Rows are the ledger's own `SubmissionRecord`, read by the same
    /// function (`SubmissionRows`) as the daemon reads them.
    var selectSubmission: String { SubmissionRows.select(hasHeld: hasHeld) }

    /// Submissions still gathering (the queue), oldest first.
    public func pending() throws -> [SubmissionRecord] {
        try db.query(selectSubmission + " WHERE state = 'gathering' ORDER BY first_arrival, id").map(SubmissionRows.record)
    }

    public func submission(_ id: String) throws -> SubmissionRecord? {
        try db.query(selectSubmission + " WHERE id = ?", [.text(id)]).first.map(SubmissionRows.record)
    }

    /// The submission an operator means: the exact id, or the only id that
    /// starts with what was typed (ids end in random digits nobody types).
    public enum Lookup: Equatable { case found(String), none, ambiguous([String]) }

    public func resolve(_ typed: String) throws -> Lookup {
        if try submission(typed) != nil { return .found(typed) }
        // LIKE with the prefix escaped, so % and _ in what was typed match themselves.
        let escaped = typed.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
        let ids = try db.query("SELECT id FROM submissions WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6", [.text(escaped + "%")])
            .compactMap { $0.first?.string }
        switch ids.count {
        case 0: return .none
        case 1: return .found(ids[0])
        default: return .ambiguous(ids)
        }
    }

    /// Submissions by state, plus how many gathering ones are held.
    public func stateCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try db.query("SELECT state, count(*) FROM submissions GROUP BY state") {
            counts[row[0].string ?? "?"] = Int(row[1].int ?? 0)
        }
        if hasHeld {
            counts["held"] = Int(try db.query("SELECT count(*) FROM submissions WHERE state = 'gathering' AND held = 1").first?.first?.int ?? 0)
        }
        return counts
    }

    // MARK: files, events, deliveries

    public func files(of submission: String) throws -> [Ledger.FileRecord] {
        try db.query(
            "SELECT submission, name, source, claimed, arrived_at, size, sha256, role FROM files WHERE submission = ? ORDER BY arrived_at, name",
            [.text(submission)]
        ).map { r in
            Ledger.FileRecord(
                submission: r[0].string ?? "", name: r[1].string ?? "", source: r[2].string ?? "", claimed: r[3].int == 1,
                arrivedAt: Date(timeIntervalSince1970: r[4].double ?? 0), size: r[5].int, sha256: r[6].string, role: r[7].string)
        }
    }

    /// File names of many submissions at once (for the queue listing).
    public func fileNames(of submissions: [String]) throws -> [String: [String]] {
        var names: [String: [String]] = [:]
        let s = try db.prepare("SELECT name FROM files WHERE submission = ? ORDER BY arrived_at, name")
        for id in submissions {
            try s.bind([.text(id)])
            var list: [String] = []
            while let row = try s.step() { if let n = row[0].string { list.append(n) } }
            names[id] = list
        }
        return names
    }

    public struct Event: Sendable, Equatable {
        public var seq: Int
        public var at: Date
        public var event: String
        public var detail: String
    }

    public func events(of submission: String) throws -> [Event] {
        try db.query("SELECT seq, at, event, detail FROM events WHERE submission = ? ORDER BY seq", [.text(submission)]).map {
            Event(seq: Int($0[0].int ?? 0), at: Date(timeIntervalSince1970: $0[1].double ?? 0), event: $0[2].string ?? "", detail: $0[3].string ?? "")
        }
    }

    public struct Delivery: Sendable, Equatable {
        public var submission: String
        public var recipient: String
        public var path: String?
        public var state: String
        public var attempts: Int
        public var nextAttempt: Date?
        public var lastError: String?
        public var deliveredAt: Date?
    }

    /// Deliveries of one submission, or of all when nil; nil when the ledger
    /// has no deliveries table (no fan-out has run yet).
    public func deliveries(of submission: String? = nil, states: [String] = []) throws -> [Delivery]? {
        guard hasDeliveries else { return nil }
        var sql = "SELECT submission, recipient, path, state, attempts, next_attempt, last_error, delivered_at FROM deliveries WHERE 1"
        var args: [SQLValue] = []
        if let submission { sql += " AND submission = ?"; args.append(.text(submission)) }
        if !states.isEmpty {
            sql += " AND state IN (" + states.map { _ in "?" }.joined(separator: ",") + ")"
            args += states.map { .text($0) }
        }
        return try db.query(sql + " ORDER BY submission, recipient", args).map { r in
            Delivery(
                submission: r[0].string ?? "", recipient: r[1].string ?? "", path: r[2].string, state: r[3].string ?? "",
                attempts: Int(r[4].int ?? 0), nextAttempt: r[5].double.map { Date(timeIntervalSince1970: $0) }, lastError: r[6].string,
                deliveredAt: r[7].double.map { Date(timeIntervalSince1970: $0) })
        }
    }

    /// Deliveries by state; nil without a deliveries table.
    public func deliveryCounts() throws -> [String: Int]? {
        guard hasDeliveries else { return nil }
        var counts: [String: Int] = [:]
        for row in try db.query("SELECT state, count(*) FROM deliveries GROUP BY state") {
            counts[row[0].string ?? "?"] = Int(row[1].int ?? 0)
        }
        return counts
    }

    // MARK: report

    /// Every submission whose first file arrived in [from, to), without its
    /// receipt texts, with whether at least one of its files was taken as an
    /// electronic (signed) document: a fact of its files, not of the record.
    public func reportRows(from: Date, to: Date) throws -> [(record: SubmissionRecord, electronic: Bool)] {
        try db.query(
            "SELECT " + SubmissionRows.columns(hasHeld: hasHeld, texts: false) + """
            , EXISTS(SELECT 1 FROM files f WHERE f.submission = submissions.id AND f.role = 'electronic')
            FROM submissions WHERE first_arrival >= ? AND first_arrival < ? ORDER BY first_arrival
            """,
            [.double(from.timeIntervalSince1970), .double(to.timeIntervalSince1970)]
        ).map { r in (SubmissionRows.record(r), r[SubmissionRows.count].int == 1) }
    }
}
