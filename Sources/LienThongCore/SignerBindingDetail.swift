/// What a `signer-not-of-unit` finding records: the name the registry asks
/// for and the subjects of the valid signatures found. Kept as data in the
/// finding's detail (one line, tab-separated) so that each receipt language
/// can word it, and the JSON receipt still reads plainly.
public struct SignerBindingDetail: Sendable, Equatable {
    public var required: String
    public var signers: [String]

    public init(required: String, signers: [String]) {
        self.required = required
        self.signers = signers
    }

    static let prefix = "required: "
    static let separator = "\tsigners: "

    public var finding: Finding {
        Finding(.signerNotOfUnit, Self.prefix + required + Self.separator + signers.joined(separator: "; "))
    }

    /// Reads back a detail written by `finding`; nil for any other text.
    public init?(parsing finding: Finding) {
        guard finding.code == .signerNotOfUnit, finding.detail.hasPrefix(Self.prefix),
              let split = finding.detail.range(of: Self.separator) else { return nil }
        required = String(finding.detail[finding.detail.index(finding.detail.startIndex, offsetBy: Self.prefix.count)..<split.lowerBound])
        let rest = finding.detail[split.upperBound...]
        signers = rest.isEmpty ? [] : rest.components(separatedBy: "; ")
    }
}
