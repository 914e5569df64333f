import Foundation

/// Revocation against current CRLs, judged at the signing time (SPEC §5):
/// revoked at or before the signing time is revoked; revoked after it is fine,
/// unless the reason is a key compromise, where only a trusted timestamp (not
/// the signer's own claim) proves the signature older than the revocation.
/// OpenSSL's CRL check cannot do this: it reports "revoked" whatever the date.
/// Only current CRLs signed by the issuer count (CRLCurrency); a certificate
/// without one is not judged at all: `missing` says what data is lacking, and
/// the submission waits for it rather than being decided on stale data.
enum RevocationCheck {
    struct Result {
        var revoked = false
        var crlsUsed: [String] = []
        var notes: [String] = []
        /// One line per certificate whose revocation could not be checked.
        var missing: [String] = []
    }

    /// RFC 5280 reasons that mean the key may have been used by someone else.
    static let compromiseReasons: Set<Int> = [1, 2, 10]  // keyCompromise, cACompromise, aACompromise
    static let reasonNames = [
        0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged", 4: "superseded",
        5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise",
    ]

    /// `chain` is leaf first, ending at the anchor (the anchor itself is not checked).
    /// `ocsp`: archived OCSP responses, asked when no CRL counts for a certificate.
    /// `existedBy`: the time a trusted timestamp proves the signature existed
    /// at (its signature timestamp, else a document timestamp over it), if any.
    static func check(chain: [Certificate], crls: [RevocationList], ocsp: [OCSPEvidence] = [], signingTime: Date, existedBy: Date?,
                      policy: RevocationPolicy) -> Result {
        var result = Result()
        guard chain.count >= 2 else { return result }
        for index in 0..<(chain.count - 1) {
            let certificate = chain[index], issuer = chain[index + 1]
            let selection = CRLCurrency.select(for: issuer, from: crls, signingTime: signingTime, existedBy: existedBy, policy: policy)
            for name in selection.forged {
                result.notes.append("\(name) names \(issuer.subject.commonName) as issuer but is not signed by its key: ignored")
            }
            if let missing = selection.missing {
                if let (source, answer) = usableOCSP(ocsp, certificate, issuer, signingTime, existedBy, policy) {
                    result.crlsUsed.append(source)
                    if let entry = answer.revoked {
                        judge(certificate, entry, source: source, signingTime: signingTime, existedBy: existedBy, into: &result)
                    }
                    continue
                }
                result.missing.append(missing)
                continue
            }
            for crl in selection.usable {
                if !result.crlsUsed.contains(crl.fileName) { result.crlsUsed.append(crl.fileName) }
                if let entry = crl.entry(for: certificate) {
                    judge(certificate, entry, source: crl.fileName, signingTime: signingTime, existedBy: existedBy, into: &result)
                }
            }
        }
        return result
    }

    /// An embedded OCSP answer on the same terms as an embedded CRL: current,
    /// or (with a trusted timestamp) produced at or after the proven time.
    private static func usableOCSP(_ responses: [OCSPEvidence], _ certificate: Certificate, _ issuer: Certificate, _ signingTime: Date,
                                   _ existedBy: Date?, _ policy: RevocationPolicy) -> (String, OCSPEvidence.Answer)? {
        for response in responses {
            guard let answer = response.answer(for: certificate, issuer: issuer) else { continue }
            let current = answer.thisUpdate <= policy.now.addingTimeInterval(policy.maxClockSkew)
                && answer.nextUpdate.map { policy.now.addingTimeInterval(-policy.maxClockSkew) < $0 } ?? false
            let afterProvenTime = existedBy.map { answer.thisUpdate >= $0 } ?? false
            let lateEnough = policy.grace == 0 || answer.thisUpdate >= signingTime.addingTimeInterval(policy.grace)
            if (current || afterProvenTime) && lateEnough { return (response.source, answer) }
        }
        return nil
    }

    private static func judge(_ certificate: Certificate, _ entry: RevocationList.Entry, source: String, signingTime: Date,
                              existedBy: Date?, into result: inout Result) {
        let reasonName = entry.reason.map { reasonNames[$0] ?? "reason \($0)" } ?? "no reason given"
        let who = "\(certificate.subject.commonName) (serial \(certificate.serialHex))"
        guard let revokedAt = entry.revokedAt else {
            result.revoked = true
            result.notes.append("\(who) is in \(source) without a readable revocation date")
            return
        }
        if revokedAt <= signingTime {
            result.revoked = true
            result.notes.append("\(who) was revoked at \(revokedAt.rfc3339) (\(reasonName)), before the signing time \(signingTime.rfc3339) [\(source)]")
        } else if let reason = entry.reason, compromiseReasons.contains(reason), !(existedBy.map { $0 < revokedAt } ?? false) {
            result.revoked = true
            let proof = existedBy.map { "the earliest trusted timestamp over the signature, \($0.rfc3339), is not before it" }
                ?? "no trusted timestamp proves the signature older"
            result.notes.append("\(who) was revoked at \(revokedAt.rfc3339) for \(reasonName); the signing time \(signingTime.rfc3339) is only claimed by the signer, and \(proof) [\(source)]")
        } else {
            result.notes.append("\(who) was revoked at \(revokedAt.rfc3339) (\(reasonName)), after the signing time \(signingTime.rfc3339): the signature stays valid [\(source)]")
        }
    }
}
