import CLibSSL
import Foundation

/// A CA certificate of the anchors folder, as `lienthongctl fetch-crls` sees
/// it: whose CRLs to fetch, from where, and the key they must be signed with.
public struct CertificateAuthority: Sendable {
    let certificate: Certificate
    /// Subject common name, for messages.
    public var name: String { certificate.subject.commonName }
    /// Subject one line (unique enough to tell two CAs of one name apart).
    public var subject: String { certificate.subject.oneLine }
    /// The http(s) URLs of its CRL Distribution Points extension, in order.
    public let distributionPoints: [String]

    init(_ certificate: Certificate) {
        self.certificate = certificate
        distributionPoints = Self.urls(of: certificate)
    }

    /// A file name for this CA's installed CRL: readable, and distinct for two
    /// CAs of one common name (the subject's hash tells them apart).
    public var crlFileName: String {
        let slug = String(name.unicodeScalars.map { $0.isASCII && (CharacterSet.alphanumerics.contains($0)) ? Character($0) : "-" })
            .split(separator: "-").joined(separator: "-").prefix(60)
        let hash = String(format: "%08lx", X509_NAME_hash_ex(X509_get_subject_name(certificate.x509), nil, nil, nil))
        return "\(slug.isEmpty ? "ca" : String(slug))-\(hash).crl"
    }

    /// URIs of full-name distribution points; other forms (directory names,
    /// LDAP) cannot be fetched over HTTP and are left out.
    private static func urls(of certificate: Certificate) -> [String] {
        guard let raw = X509_get_ext_d2i(certificate.x509, NID_crl_distribution_points, nil, nil) else {
            _ = OpenSSL.drainErrors()
            return []
        }
        let points = OpaquePointer(raw)
        defer { lt_CRL_DIST_POINTS_free(points) }
        var urls: [String] = []
        for i in 0..<lt_sk_DIST_POINT_num(points) {
            guard let point = lt_sk_DIST_POINT_value(points, i), let dpName = point.pointee.distpoint,
                  dpName.pointee.type == 0, let names = dpName.pointee.name.fullname else { continue }
            for j in 0..<lt_sk_GENERAL_NAME_num(names) {
                guard let general = lt_sk_GENERAL_NAME_value(names, j), general.pointee.type == GEN_URI,
                      let uri = general.pointee.d.uniformResourceIdentifier else { continue }
                let url = OpenSSL.utf8(UnsafePointer(uri))
                let lower = url.lowercased()
                if lower.hasPrefix("http://") || lower.hasPrefix("https://") { urls.append(url) }
            }
        }
        return urls
    }
}

/// A CRL that verified against a CA of the anchors folder.
public struct VerifiedCRL: Sendable {
    public let authority: CertificateAuthority
    public let thisUpdate: Date?
    public let nextUpdate: Date?
    /// cRLNumber as big-endian bytes without leading zeros; nil when absent.
    public let number: [UInt8]?
    /// Normalised to DER, whatever the source encoding.
    public let der: [UInt8]
    /// Where it came from (a URL or a file name).
    public let source: String

    /// Newer than `other`: a higher CRL number when both have one, else a
    /// later thisUpdate.
    public func isNewer(than other: VerifiedCRL) -> Bool {
        if let a = number, let b = other.number, a != b {
            return a.count != b.count ? a.count > b.count : b.lexicographicallyPrecedes(a)
        }
        return (thisUpdate ?? .distantPast) > (other.thisUpdate ?? .distantPast)
    }

    /// thisUpdate ≤ now < nextUpdate, within `maxClockSkew` (SPEC §5).
    public func isCurrent(at now: Date, maxClockSkew: Double) -> Bool {
        guard let thisUpdate, let nextUpdate else { return false }
        return thisUpdate <= now.addingTimeInterval(maxClockSkew) && now.addingTimeInterval(-maxClockSkew) < nextUpdate
    }

    public var numberHex: String { number.map { $0.isEmpty ? "0" : $0.map { String(format: "%02X", $0) }.joined() } ?? "-" }
}

extension TrustStore {
    /// Every CA certificate (basicConstraints cA) of the anchors folder.
    public var certificateAuthorities: [CertificateAuthority] {
        anchors.filter { X509_check_ca($0.x509) != 0 }.map(CertificateAuthority.init)
    }

    /// The CRLs in `bytes` (DER or PEM) that one of the anchors folder's CAs
    /// signed, and a line for each that none did (a forgery, or a CA we do not trust).
    public func verifyCRLs(_ bytes: [UInt8], source: String) -> (verified: [VerifiedCRL], refused: [String]) {
        let lists = RevocationList.parseAll(bytes, fileName: source)
        if lists.isEmpty { return ([], ["\(source): not a CRL (neither DER nor PEM \"X509 CRL\")"]) }
        var verified: [VerifiedCRL] = [], refused: [String] = []
        for list in lists {
            guard let ca = certificateAuthorities.first(where: { $0.certificate.subject == list.issuer && list.isIssued(by: $0.certificate) }) else {
                refused.append("\(source): a CRL naming \(list.issuer.oneLine) is not signed by any CA of the anchors folder: not installed")
                continue
            }
            verified.append(VerifiedCRL(authority: ca, thisUpdate: list.thisUpdate, nextUpdate: list.nextUpdate,
                                        number: list.number, der: list.der, source: source))
        }
        return (verified, refused)
    }

    /// The CRLs of the CRL folder that verify against `authority`.
    public func installedCRLs(of authority: CertificateAuthority) -> [VerifiedCRL] {
        crls.filter { $0.issuer == authority.certificate.subject && $0.isIssued(by: authority.certificate) }.map {
            VerifiedCRL(authority: authority, thisUpdate: $0.thisUpdate, nextUpdate: $0.nextUpdate, number: $0.number, der: $0.der, source: $0.fileName)
        }
    }
}
