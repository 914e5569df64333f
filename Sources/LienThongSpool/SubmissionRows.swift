import Foundation
import LienThongCore

/// The one way a `submissions` row becomes a `SubmissionRecord`, shared by
/// the daemon's `Ledger` and the read-only `LedgerReader`, so both read the
/// same columns the same way.
enum SubmissionRows {
    /// The columns `record(_:)` reads, in its order. `held` came with
    /// operator holds: a ledger made before them reads as not held. Without
    /// `texts` the receipt, its text and the validation report read as NULL:
    /// the compliance report counts a year of rows and needs none of their
    /// kilobytes.
    static func columns(hasHeld: Bool, texts: Bool = true) -> String {
        """
        id, unit, key, pairing, is_folder, state, \(hasHeld ? "held" : "0"), first_arrival, last_arrival, verdict,
          reasons, arrival_number, decided_at, placement, \(texts ? "receipt, receipt_text, report" : "NULL, NULL, NULL")
        """
    }

    static let count = 17

    static func select(hasHeld: Bool) -> String {
        "SELECT " + columns(hasHeld: hasHeld) + " FROM submissions"
    }

    /// Text a typed field cannot hold is never refused: an unknown state
    /// reads as gathering (what the daemon always did), an unknown verdict as
    /// none, an unknown reason code as its text.
    static func record(_ r: [SQLValue]) -> SubmissionRecord {
        SubmissionRecord(
            id: r[0].string ?? "", unit: r[1].string ?? "", key: r[2].string ?? "", pairing: SubmissionPairing(stored: r[3].string ?? ""),
            isFolder: r[4].int == 1, state: SubmissionRecord.State(rawValue: r[5].string ?? "") ?? .gathering, held: r[6].int == 1,
            firstArrival: Date(timeIntervalSince1970: r[7].double ?? 0), lastArrival: Date(timeIntervalSince1970: r[8].double ?? 0),
            verdict: r[9].string.flatMap(Verdict.init(rawValue:)), reasons: RecordedReason.list(stored: r[10].string ?? ""),
            arrivalNumber: r[11].int.map { Int($0) }, decidedAt: r[12].double.map { Date(timeIntervalSince1970: $0) },
            placement: r[13].string, receipt: r[14].string, receiptText: r[15].string, report: r[16].string)
    }
}
