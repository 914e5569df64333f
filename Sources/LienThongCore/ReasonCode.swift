/// The reason codes of SPEC §4. They are a contract: receipts, the journal and
/// operators' scripts match on the raw values, so never rename one.
public enum ReasonCode: String, Codable, CaseIterable, Sendable, Comparable {
    case missingElectronic = "missing-electronic"
    case missingScan = "missing-scan"
    case signatureMissing = "signature-missing"
    case signatureInvalid = "signature-invalid"
    case modifiedAfterSigning = "modified-after-signing"
    case certificateUntrusted = "certificate-untrusted"
    case certificateNotValidAtSigning = "certificate-not-valid-at-signing"
    case certificateRevoked = "certificate-revoked"
    case certificateWrongUsage = "certificate-wrong-usage"
    case signingTimeInFuture = "signing-time-in-future"
    case signerNotOfUnit = "signer-not-of-unit"
    case unitNotActive = "unit-not-active"
    case duplicate = "duplicate"
    case unsupportedFile = "unsupported-file"
    case tooLarge = "too-large"
    case unreadable = "unreadable"

    public static func < (a: ReasonCode, b: ReasonCode) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
