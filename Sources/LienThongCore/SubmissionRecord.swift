import Foundation

/// One submission as the ledger records it: the one type the daemon's
/// ledger, `lienthongctl`'s read-only reader, the archive audit and the
/// compliance report all read. It lives in the domain (not the ledger's
/// module) because the report is pure and must not link SQLite to count.
public struct SubmissionRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// Files are being claimed into `queue/<id>/`; no decision yet.
        case gathering
        /// The decision and receipt are committed; placement may be unfinished.
        case decided
        /// Files, receipt and office copy are all in place.
        case placed
    }

    public var id: String
    public var unit: String
    public var key: String
    public var pairing: SubmissionPairing
    public var isFolder: Bool
    public var state: State
    /// Held back by an operator (`lienthongctl hold`); false on ledgers older than holds.
    public var held: Bool
    public var firstArrival: Date
    public var lastArrival: Date
    public var verdict: Verdict?
    /// The decision's reason codes, in the order stored.
    public var reasons: [RecordedReason]
    public var arrivalNumber: Int?
    public var decidedAt: Date?
    public var placement: String?
    /// The receipt's JSON, its text and the validation report, kept with the
    /// decision so placement can be redone with the same bytes.
    public var receipt: String?
    public var receiptText: String?
    public var report: String?

    public init(id: String, unit: String, key: String = "", pairing: SubmissionPairing? = nil, isFolder: Bool = false,
                state: State = .gathering, held: Bool = false, firstArrival: Date, lastArrival: Date? = nil,
                verdict: Verdict? = nil, reasons: [RecordedReason] = [], arrivalNumber: Int? = nil, decidedAt: Date? = nil,
                placement: String? = nil, receipt: String? = nil, receiptText: String? = nil, report: String? = nil) {
        self.id = id
        self.unit = unit
        self.key = key
        self.pairing = pairing ?? SubmissionPairing(.name(key))
        self.isFolder = isFolder
        self.state = state
        self.held = held
        self.firstArrival = firstArrival
        self.lastArrival = lastArrival ?? firstArrival
        self.verdict = verdict
        self.reasons = reasons
        self.arrivalNumber = arrivalNumber
        self.decidedAt = decidedAt
        self.placement = placement
        self.receipt = receipt
        self.receiptText = receiptText
        self.report = report
    }

    /// The reasons this version knows, for the code that acts on them.
    public var reasonCodes: [ReasonCode] { reasons.compactMap(\.code) }
}

/// A reason code as a record holds it. A ledger outlives versions of the
/// daemon: a code written by another version is kept as its text, so a
/// reader shows and counts it instead of failing or dropping the row.
public enum RecordedReason: Hashable, Sendable, CustomStringConvertible {
    case known(ReasonCode)
    case other(String)

    public init(_ code: ReasonCode) { self = .known(code) }

    public init(stored: String) {
        self = ReasonCode(rawValue: stored).map(Self.known) ?? .other(stored)
    }

    public var code: ReasonCode? {
        if case .known(let code) = self { return code }
        return nil
    }

    /// The text stored and shown: the contract's code for a known one.
    public var rawValue: String {
        switch self {
        case .known(let code): return code.rawValue
        case .other(let text): return text
        }
    }

    public var description: String { rawValue }

    /// The ledger's `reasons` column: codes joined by commas.
    public static func list(stored: String) -> [RecordedReason] {
        stored.split(separator: ",").map { RecordedReason(stored: String($0)) }
    }
}
