import CLibSSL
import Foundation
import LienThongCore

/// Runs the checks of one CMS signer in order (integrity, signing time, chain,
/// key usage, revocation) and writes what it finds into a SignatureFinding.
/// Every check runs even after one fails, so the report says everything wrong.
struct SignerEvaluation {
    let trust: TrustStore
    let maxClockSkew: TimeInterval
    /// Read once per evaluation, so every certificate of it is judged at one time.
    let revocation: RevocationPolicy

    init(validator: SignatureValidator) {
        trust = validator.trust
        maxClockSkew = validator.maxClockSkew
        revocation = validator.revocationPolicy
    }

    /// What the signature is over, and how a mismatch is named.
    struct Target {
        /// The bytes the SignerInfo signs (its content, or the encapsulated digest).
        var content: CMSIntegrity.Content
        /// Reason code when the signed bytes differ from what was signed:
        /// modified-after-signing for a PDF, signature-invalid for a detached file.
        var mismatch: ReasonCode
        /// adbe.pkcs7.sha1: the encapsulated content must equal the SHA-1 of these bytes.
        var sha1Of: CMSIntegrity.Content?
        var pdfModified: Date?
        /// Revocation data the document carries for all its signatures (/DSS).
        var documentRevocation = RevocationArchive.Contents()
        /// A valid document timestamp over the signature: it existed by then.
        var existedBy: DocumentContext.Proof?
    }

    func evaluate(_ signer: CMSSigner, target: Target, file: String, arrival: Date) -> SignatureFinding {
        var finding = SignatureFinding(file: file)
        guard let certificate = signer.signerCertificate(extra: trust.anchors) else {
            finding.problems = [.signatureInvalid]
            finding.notes = ["the signer's certificate is neither in the signature nor in the trust folder"]
            let time = SigningTimePolicy.resolve(timestamp: nil, claimed: signer.signingTime, pdfModified: target.pdfModified,
                                                 arrival: arrival, maxClockSkew: maxClockSkew)
            (finding.signingTime, finding.timeSource) = (time.time, time.source)
            return finding
        }
        let subject = certificate.subject
        finding.signer = subject.commonName
        finding.organization = subject.organization
        finding.subject = subject.oneLine

        checkIntegrity(signer, certificate, target, into: &finding)
        let time = resolveTime(signer, target, arrival: arrival, into: &finding)
        var embedded = RevocationArchive.contents(of: signer)
        embedded.crls += target.documentRevocation.crls
        embedded.ocsp += target.documentRevocation.ocsp
        checkCertificate(certificate, message: signer.message, time: time, archived: embedded, into: &finding)
        finding.problems = Array(Set(finding.problems)).sorted()
        finding.valid = finding.problems.isEmpty && finding.revocationWait == nil
        return finding
    }

    private func checkIntegrity(_ signer: CMSSigner, _ certificate: Certificate, _ target: Target, into finding: inout SignatureFinding) {
        switch CMSIntegrity.verify(signer, certificate: certificate, content: target.content) {
        case .intact:
            break
        case .digestMismatch(let why):
            finding.problems.append(target.mismatch)
            finding.notes.append(why)
        case .badSignature(let why):
            finding.problems.append(.signatureInvalid)
            finding.notes.append(why)
        }
        // CAdES/PAdES: the signed hash of the signer's certificate must be the
        // certificate it verifies with, or a substituted certificate would pass.
        if case .mismatch(let why) = ESSSigningCertificate.check(signer, certificate: certificate) {
            finding.problems.append(.signatureInvalid)
            finding.notes.append(why)
        }
        if let sha1Of = target.sha1Of {
            guard let md = EVP_sha1(), let expected = sha1Of.digest(md) else { return }
            if target.content.bytes != expected {
                finding.problems.append(target.mismatch)
                finding.notes.append("the signed SHA-1 digest (adbe.pkcs7.sha1) differs from the SHA-1 of the signed byte ranges")
            }
        }
    }

    private func resolveTime(_ signer: CMSSigner, _ target: Target, arrival: Date, into finding: inout SignatureFinding) -> SigningTimePolicy.Resolved {
        var proven: Date?
        if let der = signer.timestampTokenDER {
            let token = TimestampToken.verify(der: der, imprinted: CMSIntegrity.Content(signer.signatureValue), trust: trust)
            if token.isValid, let genTime = token.genTime {
                proven = genTime
                finding.notes.append("signature timestamp by \(token.tsa?.subject.commonName ?? "?") at \(genTime.rfc3339)")
            } else if let failure = token.failure {
                finding.notes.append("signature timestamp not used: \(Self.describe(failure))")
            }
        }
        let time = SigningTimePolicy.resolve(timestamp: proven, claimed: signer.signingTime, pdfModified: target.pdfModified,
                                             arrival: arrival, maxClockSkew: maxClockSkew, documentTimestamp: target.existedBy)
        finding.signingTime = time.time
        finding.timeSource = time.source
        finding.notes += time.notes
        if time.inFuture { finding.problems.append(.signingTimeInFuture) }
        return time
    }

    /// `archived`: CRLs and OCSP responses archived in the signature (RevocationArchive) or the document's /DSS.
    private func checkCertificate(_ certificate: Certificate, message: CMSSignedData, time: SigningTimePolicy.Resolved,
                                  archived: RevocationArchive.Contents, into finding: inout SignatureFinding) {
        // A signing time in the future is already a reason; judge the certificate
        // at the arrival then, so the report does not add errors of a time that never was.
        let at = time.inFuture ? time.arrival : time.time
        let chain = ChainValidator.validate(certificate, intermediates: message.certificates, anchors: trust.anchors, at: at,
                                            cache: trust.chainCache)
        finding.chain = (chain.chain.isEmpty ? [certificate] : chain.chain).map(\.subject.oneLine)
        switch chain.status {
        case .trusted:
            break
        case .untrusted:
            finding.problems.append(.certificateUntrusted)
            finding.notes.append("no trusted path to a configured anchor: \(chain.note)")
        case .notValidAtTime:
            finding.problems.append(.certificateNotValidAtSigning)
            finding.notes.append("certificate not valid at the signing time: \(chain.note)")
        }
        // A key usage that forbids signing; a missing extension allows everything.
        if let usage = certificate.keyUsage, usage & UInt32(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION) == 0 {
            finding.problems.append(.certificateWrongUsage)
            finding.notes.append("the signer's key usage allows neither digitalSignature nor nonRepudiation")
        }
        if chain.status != .untrusted {
            let revocation = RevocationCheck.check(chain: chain.chain, crls: trust.crls + archived.crls, ocsp: archived.ocsp, signingTime: at, existedBy: time.existedBy,
                                                   policy: self.revocation)
            finding.crlsUsed = revocation.crlsUsed
            finding.notes += revocation.notes
            if !revocation.missing.isEmpty {
                finding.revocationWait = revocation.missing.map { "waiting for revocation data: \($0)" }
            }
            if revocation.revoked { finding.problems.append(.certificateRevoked) }
        }
    }

    static func describe(_ failure: TimestampToken.Failure) -> String {
        switch failure {
        case .malformed(let s), .imprintMismatch(let s), .untrusted(let s), .notValidAtTime(let s): return s
        }
    }
}
