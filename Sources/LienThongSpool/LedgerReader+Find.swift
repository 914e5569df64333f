import Foundation
import LienThongCore

/// `lienthongctl find`: a clerk phones about "4116" and the operator finds
/// the submission by document number or symbol, key, submission id, a file
/// name, or the start of a file's sha256.
extension LedgerReader {
    public struct FindQuery: Sendable {
        public var text: String
        public var unit: String?
        /// First arrival in [from, to).
        public var from: Date?
        public var to: Date?
        public var verdict: VerdictFilter?
        public init(text: String, unit: String? = nil, from: Date? = nil, to: Date? = nil, verdict: VerdictFilter? = nil) {
            self.text = text
            self.unit = unit
            self.from = from
            self.to = to
            self.verdict = verdict
        }
    }

    /// Decided with this verdict, or not decided yet.
    public enum VerdictFilter: Sendable, Equatable {
        case decided(Verdict)
        case pending

        /// What an operator types: `accepted`, `rejected` or `pending`.
        public init?(_ text: String) {
            if text == "pending" {
                self = .pending
            } else if let v = Verdict(rawValue: text) {
                self = .decided(v)
            } else {
                return nil
            }
        }
    }

    /// Matching submissions, newest first, at most `limit`.
    public func find(_ q: FindQuery, limit: Int = 500) throws -> [SubmissionRecord] {
        let typed = q.text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces)
        // Numbers are written "4116/UBND-CN" on paper and "4116-UBND-CN" in keys.
        let variants = Array(Set([typed, typed.replacingOccurrences(of: "/", with: "-")]))
        var clauses: [String] = ["id LIKE ? ESCAPE '\\'"]
        var args: [SQLValue] = [.text(Self.likeEscaped(typed) + "%")]
        for v in variants {
            let contains = "%" + Self.likeEscaped(v) + "%"
            clauses.append("key LIKE ? ESCAPE '\\'")
            clauses.append("EXISTS(SELECT 1 FROM files f WHERE f.submission = submissions.id AND f.name LIKE ? ESCAPE '\\')")
            args += [.text(contains), .text(contains)]
        }
        // A hash prefix: hex digits only, long enough not to match by chance.
        if typed.count >= 6, typed.allSatisfy(\.isHexDigit) {
            clauses.append("EXISTS(SELECT 1 FROM files f WHERE f.submission = submissions.id AND f.sha256 LIKE ?)")
            args.append(.text(typed.lowercased() + "%"))
        }
        var sql = selectSubmission + " WHERE (" + clauses.joined(separator: " OR ") + ")"
        if let unit = q.unit { sql += " AND unit = ?"; args.append(.text(unit)) }
        if let from = q.from { sql += " AND first_arrival >= ?"; args.append(.double(from.timeIntervalSince1970)) }
        if let to = q.to { sql += " AND first_arrival < ?"; args.append(.double(to.timeIntervalSince1970)) }
        switch q.verdict {
        case .pending?: sql += " AND verdict IS NULL"
        case .decided(let v)?: sql += " AND verdict = ?"; args.append(.text(v.rawValue))
        case nil: break
        }
        sql += " ORDER BY first_arrival DESC, id DESC LIMIT \(max(1, limit))"
        return try db.query(sql, args).map(SubmissionRows.record)
    }

    /// Decided but not yet filed (filing failed and is retried, or the
    /// daemon stopped in between): oldest first.
    public func decidedUnfiled() throws -> [SubmissionRecord] {
        try db.query(selectSubmission + " WHERE state = 'decided' ORDER BY decided_at, id").map(SubmissionRows.record)
    }

    static func likeEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
