import Foundation
import LienThongCore

extension Ledger {
    /// Group commit: every ledger step inside `body` (claims, decisions,
    /// placements of one loop turn) commits in one transaction, one fsync of
    /// the WAL instead of one per step. Each step inside is a savepoint, so a
    /// step that fails is undone alone; if the commit itself fails (disk full:
    /// SQLITE_FULL) nothing of the batch happened and the caller retries.
    public func batch<T>(_ body: () throws -> T) throws -> T {
        try db.transaction(body)
    }

    /// Marks many submissions placed in one transaction.
    public func markPlaced(submissions: [String], at: Date) throws {
        try batch {
            for id in submissions { try markPlaced(submission: id, at: at) }
        }
    }
}

extension Ledger {
    /// Read through the `submissions_pairing` index (a test holds it to that).
    static let acceptedSameDocument = """
        SELECT id FROM submissions WHERE unit = ? AND pairing = ? AND verdict = 'accepted' AND id != ?
        ORDER BY decided_at
        """

    /// Earlier accepted submissions of `unit` paired under the same document
    /// number and symbol, oldest first.
    public func acceptedSubmissions(unit: String, pairing: PairingKey, excluding: String) throws -> [String] {
        try db.query(Self.acceptedSameDocument, [.text(unit), .text(SubmissionPairing(pairing).description), .text(excluding)]
        ).compactMap { $0.first?.string }
    }
}
