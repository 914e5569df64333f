import Foundation
import LienThongCore

/// What the audit needs from the ledger, read in one read transaction so
/// that a daemon writing meanwhile cannot show it half a decision.
extension LedgerReader {
    public struct AuditSnapshot: Sendable {
        public struct Placed: Sendable {
            public var id: String
            public var verdict: Verdict?
            public var arrivalYear: Int?
            public var arrivalNumber: Int?
            public var placement: String
            /// Claimed files: relative path under `files/` → sha256 (nil when none was recorded).
            public var files: [(name: String, sha256: String?)]
            /// Recipients whose inbox got this submission's files (hard links allowed).
            public var deliveredLinks: Int
        }
        public var placed: [Placed]
        /// Every submission id with its state (to tell a folder being placed right now from a stray one).
        public var states: [String: String]
        /// (year, number, submission) of every numbered submission.
        public var arrivals: [(year: Int, number: Int, submission: String)]
    }

    public func auditSnapshot() throws -> AuditSnapshot {
        try db.execute("BEGIN DEFERRED")
        defer { try? db.execute("COMMIT") }
        var states: [String: String] = [:]
        for r in try db.query("SELECT id, state FROM submissions") { states[r[0].string ?? ""] = r[1].string ?? "" }
        var files: [String: [(String, String?)]] = [:]
        for r in try db.query("SELECT submission, name, sha256 FROM files WHERE claimed = 1 ORDER BY submission, name") {
            files[r[0].string ?? "", default: []].append((r[1].string ?? "", r[2].string))
        }
        var links: [String: Int] = [:]
        if hasDeliveries {
            for r in try db.query("SELECT submission, count(*) FROM deliveries WHERE state = 'delivered' AND path IS NOT NULL GROUP BY submission") {
                links[r[0].string ?? ""] = Int(r[1].int ?? 0)
            }
        }
        let placed = try db.query(
            "SELECT id, verdict, arrival_year, arrival_number, placement FROM submissions WHERE state = 'placed' ORDER BY id"
        ).map { r in
            let id = r[0].string ?? ""
            return AuditSnapshot.Placed(
                id: id, verdict: r[1].string.flatMap(Verdict.init(rawValue:)), arrivalYear: r[2].int.map(Int.init), arrivalNumber: r[3].int.map(Int.init),
                placement: r[4].string ?? "", files: files[id] ?? [], deliveredLinks: links[id] ?? 0)
        }
        let arrivals = try db.query(
            "SELECT arrival_year, arrival_number, id FROM submissions WHERE arrival_number IS NOT NULL ORDER BY arrival_year, arrival_number"
        ).map { (Int($0[0].int ?? 0), Int($0[1].int ?? 0), $0[2].string ?? "") }
        return AuditSnapshot(placed: placed, states: states, arrivals: arrivals)
    }

    /// The state of one submission now (the snapshot may predate a folder the audit finds).
    public func currentState(of id: String) throws -> String? {
        try db.query("SELECT state FROM submissions WHERE id = ?", [.text(id)]).first?.first?.string
    }
}
