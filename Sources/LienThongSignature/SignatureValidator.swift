import Foundation
import LienThongCore

/// Validates the signatures of an electronic document (SPEC §5): every
/// signature of a PDF, or a detached CMS over any file. Stateless apart from
/// the immutable trust store, so one validator serves concurrent calls. Never
/// throws and never traps on input: whatever is wrong ends up as reason codes
/// and notes in the result.
public struct SignatureValidator: Sendable {
    public let trust: TrustStore
    /// How far a signing time may lie after the arrival before it is "in the future".
    public let maxClockSkew: Double
    /// What validating one PDF may cost in total, and the clock its deadline is read from.
    public let limits: ValidationLimits
    public let clock: MonotonicClock

    /// `[trust] revocation_grace`: with > 0, only a CRL issued that long after
    /// the signing time counts (CRLCurrency).
    public let revocationGrace: Double
    /// The time revocation data must be current at: the wall clock, or a
    /// fixed time in tests.
    public let now: @Sendable () -> Date

    public init(trust: TrustStore, maxClockSkew: Double, revocationGrace: Double = 0, limits: ValidationLimits = .standard,
                clock: MonotonicClock = .system, now: @escaping @Sendable () -> Date = { Date() }) {
        self.trust = trust
        self.maxClockSkew = max(0, maxClockSkew.isFinite ? maxClockSkew : 0)
        self.revocationGrace = max(0, revocationGrace.isFinite ? revocationGrace : 0)
        self.limits = limits
        self.clock = clock
        self.now = now
    }

    /// The revocation rule as of this moment.
    var revocationPolicy: RevocationPolicy {
        RevocationPolicy(now: now(), maxClockSkew: maxClockSkew, grace: revocationGrace)
    }

    /// True when the bytes start like a PDF (%PDF- within the first 1024 bytes).
    public static func looksLikePDF(_ data: [UInt8]) -> Bool {
        PDFSignatureScanner.looksLikePDF(data)
    }

    /// Cheap content check used to give a file its role: true when the bytes
    /// are a PDF with at least one signature dictionary (/ByteRange + /Contents).
    public static func pdfHasSignature(_ data: [UInt8], limits: ValidationLimits = .standard) -> Bool {
        guard looksLikePDF(data) else { return false }
        let budget = ValidationBudget(limits: limits)
        let scan = PDFSignatureScanner.scanBounded(data, budget: budget)
        // A file stuffed with /ByteRange keys, or too costly to scan, claims
        // to be signed: let validation reject it with the reason.
        return scan.truncated || budget.isExhausted || !scan.signatures.isEmpty
    }

    /// Validate every signature embedded in a PDF.
    public func validatePDF(_ data: [UInt8], name: String, arrival: Date) -> DocumentValidation {
        let budget = ValidationBudget(limits: limits, clock: clock)
        return PDFValidation(validator: self, data: data, name: name, arrival: arrival, budget: budget).run()
    }

    /// Validate a detached CMS signature (`.p7s`, DER or PEM) over `content`.
    public func validateDetached(content: [UInt8], signature: [UInt8], name: String, arrival: Date) -> DocumentValidation {
        var report = DocumentValidation(file: name)
        guard let message = CMSSignedData.parseSignatureFile(signature, cache: trust.certificateCache) else {
            report.signatures = [SignatureFinding(
                file: name, signingTime: arrival, timeSource: .arrival, problems: [.signatureInvalid],
                notes: ["the .p7s is not a CMS SignedData (DER or PEM)"])]
            return report
        }
        let signers = message.signers
        if signers.isEmpty {
            report.signatures = [SignatureFinding(file: name, problems: [.signatureInvalid], notes: ["the CMS has no signer"])]
            return report
        }
        if message.encapsulatedContent != nil {
            report.notes.append("the .p7s also encapsulates content; the file beside it is what was checked")
        }
        let evaluation = SignerEvaluation(validator: self)
        let target = SignerEvaluation.Target(content: CMSIntegrity.Content(content), mismatch: .signatureInvalid)
        report.signatures = signers.map { evaluation.evaluate($0, target: target, file: name, arrival: arrival) }
        return report
    }
}
