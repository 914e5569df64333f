/// How a submission was decided (SPEC §6 `verdict`). The one spelling of
/// "accepted" and "rejected": receipts, the ledger, the report and the tool
/// all use this type, and its raw values are the contract's words.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case accepted, rejected

    public init(accepted: Bool) { self = accepted ? .accepted : .rejected }

    public var isAccepted: Bool { self == .accepted }
}
