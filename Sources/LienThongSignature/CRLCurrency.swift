import Foundation

/// Which CRLs count for one issuer now (SPEC §5): signed by that issuer, and
/// current — thisUpdate ≤ now < nextUpdate, each within max_clock_skew. With a
/// revocation_grace, only a CRL issued at least that long after the signing
/// time counts (a revocation the CA had not yet published at signing time then
/// shows). When none counts, `missing` says why in an operator's words.
public struct RevocationPolicy: Sendable, Equatable {
    /// The time the data must be current at (the validation's own clock).
    public var now: Date
    public var maxClockSkew: TimeInterval
    /// 0: any current CRL counts; > 0: only one issued ≥ signing time + grace.
    public var grace: TimeInterval

    public init(now: Date, maxClockSkew: TimeInterval, grace: TimeInterval = 0) {
        self.now = now
        self.maxClockSkew = max(0, maxClockSkew)
        self.grace = max(0, grace)
    }
}

enum CRLCurrency {
    struct Selection {
        var usable: [RevocationList] = []
        /// "CRL of <issuer> expired <date>", … when `usable` is empty.
        var missing: String?
        /// Lists that name the issuer but fail its signature: never used.
        var forged: [String] = []
    }

    /// `existedBy`: a trusted timestamp (the signature's, or a document
    /// timestamp over it) proves the signature existed then; a CRL embedded in
    /// the signature or the /DSS counts when it was issued at or after that
    /// time, current or not — long-term validation (PAdES-B-LT).
    static func select(for issuer: Certificate, from crls: [RevocationList], signingTime: Date, existedBy: Date? = nil,
                       policy: RevocationPolicy) -> Selection {
        var selection = Selection()
        var signed: [RevocationList] = []
        let subject = issuer.subject
        for crl in crls where crl.issuer == subject {
            if crl.isIssued(by: issuer) { signed.append(crl) } else { selection.forged.append(crl.fileName) }
        }
        selection.usable = signed.filter {
            (isCurrent($0, policy) || issuedAfterProof($0, existedBy))
                && isLateEnough($0, signingTime, policy)
        }
        if selection.usable.isEmpty {
            selection.missing = why(issuer: issuer.subject.commonName, signed: signed, signingTime: signingTime, policy: policy)
        }
        return selection
    }

    private static func issuedAfterProof(_ crl: RevocationList, _ existedBy: Date?) -> Bool {
        guard let existedBy, crl.embedded, let thisUpdate = crl.thisUpdate else { return false }
        return thisUpdate >= existedBy
    }

    static func isCurrent(_ crl: RevocationList, _ policy: RevocationPolicy) -> Bool {
        guard let thisUpdate = crl.thisUpdate, let nextUpdate = crl.nextUpdate else { return false }
        return thisUpdate <= policy.now.addingTimeInterval(policy.maxClockSkew)
            && policy.now.addingTimeInterval(-policy.maxClockSkew) < nextUpdate
    }

    private static func isLateEnough(_ crl: RevocationList, _ signingTime: Date, _ policy: RevocationPolicy) -> Bool {
        guard policy.grace > 0 else { return true }
        guard let thisUpdate = crl.thisUpdate else { return false }
        return thisUpdate >= signingTime.addingTimeInterval(policy.grace)
    }

    /// The most telling reason, newest list first: expired, not yet valid,
    /// too early for the grace, or none at all.
    private static func why(issuer: String, signed: [RevocationList], signingTime: Date, policy: RevocationPolicy) -> String {
        let newest = signed.max { ($0.thisUpdate ?? .distantPast) < ($1.thisUpdate ?? .distantPast) }
        guard let newest else { return "no CRL of \(issuer) signed by it in the CRL folder" }
        guard let thisUpdate = newest.thisUpdate else { return "the CRL of \(issuer) (\(newest.fileName)) has no readable thisUpdate" }
        guard let nextUpdate = newest.nextUpdate else { return "the CRL of \(issuer) (\(newest.fileName)) has no nextUpdate, so it is never current" }
        if policy.now.addingTimeInterval(-policy.maxClockSkew) >= nextUpdate {
            return "CRL of \(issuer) expired \(nextUpdate.rfc3339) (\(newest.fileName))"
        }
        if thisUpdate > policy.now.addingTimeInterval(policy.maxClockSkew) {
            return "CRL of \(issuer) is not valid before \(thisUpdate.rfc3339) (\(newest.fileName))"
        }
        let due = signingTime.addingTimeInterval(policy.grace)
        return "CRL of \(issuer) issued \(thisUpdate.rfc3339), not after \(due.rfc3339) (signing time + revocation_grace)"
    }
}
