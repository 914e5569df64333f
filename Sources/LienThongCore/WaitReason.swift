/// Why an undecided submission waits. Data, not a boolean, so each reason
/// has its own pending notice and new ones (revocation data, …) are a case
/// here plus their sentences in `PendingNotice`.
public enum WaitReason: Sendable, Equatable {
    /// Files of the submission are still being copied in: a pause of
    /// `settle`, too short to tell the sender anything.
    case moreFiles
    /// Scans wait for their signed electronic version.
    case electronicVersion(scans: [String])
    /// A signed document whose type still needs paper waits for its scan.
    case scan(electronic: [String])
    /// Files that are neither a signed document nor a scan (a .docx without
    /// its .p7s, …) wait for the signature or the signed document.
    case signedDocument(files: [String])
    /// Signed documents otherwise in order wait for revocation data the
    /// gateway itself lacks (a current CRL of their CA, SPEC §5): `lacking`
    /// says which, per file. The sender has nothing to do and is told so;
    /// past its window the submission is held for an operator, never
    /// rejected for the gateway's own missing data.
    case revocationData(files: [String], lacking: [String])

    /// The stable code in `<key>.pending.json` (`waiting_for`).
    public var code: String {
        switch self {
        case .moreFiles: return "more-files"
        case .electronicVersion: return "electronic-version"
        case .scan: return "scan"
        case .signedDocument: return "signed-document"
        case .revocationData: return "revocation-data"
        }
    }

    /// The files the submission already has that the wait is about.
    public var files: [String] {
        switch self {
        case .moreFiles: return []
        case .electronicVersion(let f), .scan(let f), .signedDocument(let f): return f
        case .revocationData(let f, _): return f
        }
    }

    /// What exactly is lacking, when there is more to say than `files`.
    public var details: [String] {
        if case .revocationData(_, let lacking) = self { return lacking }
        return []
    }

    /// Whether the sender can end the wait by sending something: not when
    /// the gateway waits for its own revocation data.
    public var senderActs: Bool {
        if case .revocationData = self { return false }
        return self != .moreFiles
    }

    /// Whether the sender gets a pending notice: not for the settle pause.
    public var tellsSender: Bool { self != .moreFiles }
}
