import Foundation
import LienThongCore

/// Operator holds (`lienthongctl hold|release`). A held submission is not
/// decided or placed until it is released; its files stay in `queue/`. The
/// hold is a column of its own so it survives restarts, and every hold and
/// release is an event in the submission's history.
extension Ledger {
    /// Adds `submissions.held` to ledgers made before holds existed. SQLite
    /// has no `ADD COLUMN IF NOT EXISTS`, so the table is asked first.
    func migrateHold() throws {
        let columns = try db.query("PRAGMA table_info(submissions)").compactMap { $0[1].string }
        if !columns.contains("held") {
            try db.execute("ALTER TABLE submissions ADD COLUMN held INTEGER NOT NULL DEFAULT 0")
        }
    }

    public enum HoldChange: Equatable, Sendable {
        /// The flag changed.
        case changed
        /// It already was as asked.
        case unchanged
        /// The submission is decided: there is nothing left to hold back.
        case notPending(state: State, verdict: Verdict?)
        case unknown
    }

    /// Holds or releases a gathering submission, with an event saying who.
    public func setHeld(_ submission: String, _ held: Bool, by who: String, at: Date) throws -> HoldChange {
        try db.transaction {
            guard let row = try db.query("SELECT state, verdict, held FROM submissions WHERE id = ?", [.text(submission)]).first else {
                return .unknown
            }
            let state = State(rawValue: row[0].string ?? "") ?? .gathering
            guard state == .gathering else { return .notPending(state: state, verdict: row[1].string.flatMap(Verdict.init(rawValue:))) }
            if (row[2].int == 1) == held { return .unchanged }
            try db.query("UPDATE submissions SET held = ? WHERE id = ?", [.int(held ? 1 : 0), .text(submission)])
            try logEvent(submission, at: at, held ? "held" : "released", who)
            return .changed
        }
    }

    public func isHeld(_ submission: String) throws -> Bool {
        try db.query("SELECT held FROM submissions WHERE id = ?", [.text(submission)]).first?.first?.int == 1
    }
}
