import Foundation
import LienThongSignature
import LienThongSpool

/// `lienthongctl fetch-crls` without the command line: fetch the CRLs of every
/// CA of the anchors folder (its CRL Distribution Points, plus the configured
/// mirrors), keep only those a CA of the folder signed, install each CA's
/// newest one if it is newer than what is in place, and say which CAs still
/// have no current CRL. The network is a function, so the rule is testable
/// without one.
public struct CRLRefresh {
    public var anchorsDirectory: String
    public var crlDirectory: String
    public var mirrors: [String]
    public var maxClockSkew: Double
    public var now: Date

    public init(anchorsDirectory: String, crlDirectory: String, mirrors: [String], maxClockSkew: Double, now: Date = Date()) {
        self.anchorsDirectory = anchorsDirectory
        self.crlDirectory = crlDirectory
        self.mirrors = mirrors
        self.maxClockSkew = maxClockSkew
        self.now = now
    }

    public struct Report {
        /// What happened, one line each, for the operator.
        public var lines: [String] = []
        /// Files installed into the CRL folder.
        public var installed: [String] = []
        /// One line per CA that still has no current CRL.
        public var lacking: [String] = []
    }

    public func run(get: (String) throws -> [UInt8]) throws -> Report {
        var report = Report()
        let before = try TrustStore(anchorsDirectory: anchorsDirectory, crlDirectory: crlDirectory, tsaDirectory: "")
        let authorities = before.certificateAuthorities
        if authorities.isEmpty { report.lines.append("no CA certificate in \(anchorsDirectory): nothing to fetch") }
        var fetched: [VerifiedCRL] = []
        for url in urls(of: authorities) {
            do {
                let (verified, refused) = before.verifyCRLs(try get(url), source: url)
                fetched += verified
                report.lines += refused
                for crl in verified {
                    report.lines.append("\(url): CRL of \(crl.authority.name), number \(crl.numberHex), thisUpdate \(Self.show(crl.thisUpdate)), nextUpdate \(Self.show(crl.nextUpdate))")
                }
            } catch {
                report.lines.append("could not fetch \(error)")
            }
        }
        try DurableFS.makeDirectories(crlDirectory)
        for authority in authorities {
            try install(newest(fetched.filter { $0.authority.subject == authority.subject }), for: authority, from: before, into: &report)
        }
        let after = try TrustStore(anchorsDirectory: anchorsDirectory, crlDirectory: crlDirectory, tsaDirectory: "")
        for authority in after.certificateAuthorities where !after.installedCRLs(of: authority).contains(where: { $0.isCurrent(at: now, maxClockSkew: maxClockSkew) }) {
            let newest = newest(after.installedCRLs(of: authority))
            let why = newest.map { "its newest CRL (\($0.source)) runs \(Self.show($0.thisUpdate)) to \(Self.show($0.nextUpdate))" } ?? "no CRL of it is in \(crlDirectory)"
            report.lacking.append("\(authority.name): no current CRL; \(why); distribution points: \(authority.distributionPoints.isEmpty ? "none (add a mirror to [trust] crl_urls)" : authority.distributionPoints.joined(separator: ", "))")
        }
        return report
    }

    /// Distribution points first, then mirrors; each URL once.
    private func urls(of authorities: [CertificateAuthority]) -> [String] {
        var seen: [String] = []
        for url in authorities.flatMap(\.distributionPoints) + mirrors where !seen.contains(url) { seen.append(url) }
        return seen
    }

    private func newest(_ crls: [VerifiedCRL]) -> VerifiedCRL? {
        crls.reduce(nil) { best, crl in best.map { crl.isNewer(than: $0) ? crl : $0 } ?? crl }
    }

    /// Written under a temporary name, fsynced, renamed, folder fsynced
    /// (DurableFS.writeFile): the daemon reads the old CRL or the new one.
    private func install(_ candidate: VerifiedCRL?, for authority: CertificateAuthority, from trust: TrustStore, into report: inout Report) throws {
        guard let candidate else { return }
        if let inPlace = newest(trust.installedCRLs(of: authority)), !candidate.isNewer(than: inPlace) {
            report.lines.append("\(authority.name): \(inPlace.source) (number \(inPlace.numberHex), thisUpdate \(Self.show(inPlace.thisUpdate))) is at least as new as what was fetched; kept")
            return
        }
        let path = crlDirectory + "/" + authority.crlFileName
        try DurableFS.writeFile(path, contents: candidate.der, mode: 0o644)
        report.installed.append(path)
        report.lines.append("\(authority.name): installed \(path) from \(candidate.source) (number \(candidate.numberHex), nextUpdate \(Self.show(candidate.nextUpdate)))")
    }

    static func show(_ date: Date?) -> String {
        guard let date else { return "?" }
        return ISO8601DateFormatter().string(from: date)
    }
}
