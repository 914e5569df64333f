import Foundation

/// Revocation against the CRL folder, judged at the signing time (SPEC §5):
/// revoked at or before the signing time is revoked; revoked after it is fine,
/// unless the reason is a key compromise, where only a trusted timestamp (not
/// the signer's own claim) proves the signature older than the revocation.
/// OpenSSL's CRL check cannot do this: it reports "revoked" whatever the date.
enum RevocationCheck {
    struct Result {
        var revoked = false
        var crlsUsed: [String] = []
        var notes: [String] = []
    }

    /// RFC 5280 reasons that mean the key may have been used by someone else.
    static let compromiseReasons: Set<Int> = [1, 2, 10]  // keyCompromise, cACompromise, aACompromise
    static let reasonNames = [
        0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged", 4: "superseded",
        5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise",
    ]

    /// `chain` is leaf first, ending at the anchor (the anchor itself is not checked).
    static func check(chain: [Certificate], crls: [RevocationList], signingTime: Date, timeIsProven: Bool) -> Result {
        var result = Result()
        guard chain.count >= 2 else { return result }
        for index in 0..<(chain.count - 1) {
            let certificate = chain[index], issuer = chain[index + 1]
            // Only CRLs that this issuer really signed count: a CRL with the right
            // name and a wrong signature is someone else's.
            let fromIssuer = crls.filter { $0.isIssued(by: issuer) }
            if fromIssuer.isEmpty {
                result.notes.append("no CRL from \(issuer.subject.commonName) in the CRL folder: revocation of \(certificate.subject.commonName) not checked")
                continue
            }
            for crl in fromIssuer {
                if !result.crlsUsed.contains(crl.fileName) { result.crlsUsed.append(crl.fileName) }
                guard let entry = crl.entry(for: certificate) else { continue }
                let reasonName = entry.reason.map { reasonNames[$0] ?? "reason \($0)" } ?? "no reason given"
                let who = "\(certificate.subject.commonName) (serial \(certificate.serialHex))"
                guard let revokedAt = entry.revokedAt else {
                    result.revoked = true
                    result.notes.append("\(who) is in \(crl.fileName) without a readable revocation date")
                    continue
                }
                if revokedAt <= signingTime {
                    result.revoked = true
                    result.notes.append("\(who) was revoked at \(revokedAt.rfc3339) (\(reasonName)), before the signing time \(signingTime.rfc3339) [\(crl.fileName)]")
                } else if let reason = entry.reason, compromiseReasons.contains(reason), !timeIsProven {
                    result.revoked = true
                    result.notes.append("\(who) was revoked at \(revokedAt.rfc3339) for \(reasonName); the signing time \(signingTime.rfc3339) is only claimed by the signer, and no trusted timestamp proves the signature older [\(crl.fileName)]")
                } else {
                    result.notes.append("\(who) was revoked at \(revokedAt.rfc3339) (\(reasonName)), after the signing time \(signingTime.rfc3339): the signature stays valid [\(crl.fileName)]")
                }
            }
        }
        return result
    }
}
