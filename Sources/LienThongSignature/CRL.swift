import CLibSSL
import Foundation

/// One certificate revocation list, owned. Immutable after parsing.
final class RevocationList: @unchecked Sendable {
    let crl: OpaquePointer
    /// File name it came from (recorded in the validation report).
    let fileName: String
    /// Archived in the signature by the signer, not from the CRL folder: with
    /// a trusted timestamp it may count though no longer current (CRLCurrency).
    /// Set once, right after parsing.
    var embedded = false

    init(owning crl: OpaquePointer, fileName: String) {
        self.crl = crl
        self.fileName = fileName
    }

    deinit { X509_CRL_free(crl) }

    /// Every CRL in `bytes` (DER, or PEM blocks "X509 CRL").
    static func parseAll(_ bytes: [UInt8], fileName: String) -> [RevocationList] {
        let ders = PEM.looksLikePEM(bytes) ? PEM.blocks(bytes).filter { $0.label == "X509 CRL" }.map(\.der) : [bytes]
        return ders.compactMap { der in
            der.withUnsafeBufferPointer { buffer -> RevocationList? in
                guard let base = buffer.baseAddress else { return nil }
                var p: UnsafePointer<UInt8>? = base
                guard let crl = d2i_X509_CRL(nil, &p, buffer.count) else {
                    _ = OpenSSL.drainErrors()
                    return nil
                }
                return RevocationList(owning: crl, fileName: fileName)
            }
        }
    }

    var issuer: DistinguishedName { DistinguishedName(X509_CRL_get_issuer(crl)) }

    /// When the issuer made this list (RFC 5280 thisUpdate); nil when unreadable.
    var thisUpdate: Date? { OpenSSL.date(X509_CRL_get0_lastUpdate(crl)) }
    /// When the issuer promises the next one; a list without it is never current.
    var nextUpdate: Date? { OpenSSL.date(X509_CRL_get0_nextUpdate(crl)) }

    /// The cRLNumber extension as big-endian magnitude bytes without leading
    /// zeros (numbers may exceed 64 bits); nil when absent.
    var number: [UInt8]? {
        guard let raw = X509_CRL_get_ext_d2i(crl, NID_crl_number, nil, nil) else {
            _ = OpenSSL.drainErrors()
            return nil
        }
        let integer = raw.assumingMemoryBound(to: ASN1_INTEGER.self)
        defer { ASN1_INTEGER_free(integer) }
        guard let bn = ASN1_INTEGER_to_BN(integer, nil) else { return nil }
        defer { BN_free(bn) }
        var bytes = [UInt8](repeating: 0, count: Int((BN_num_bits(bn) + 7) / 8))
        _ = BN_bn2bin(bn, &bytes)
        return Array(bytes.drop { $0 == 0 })
    }

    /// The CRL as DER (what fetch-crls installs, whatever it downloaded).
    var der: [UInt8] { OpenSSL.der(crl, { i2d_X509_CRL($0, $1) }) }

    /// The CRL is signed by `issuer`'s key and names it as issuer.
    func isIssued(by issuer: Certificate) -> Bool {
        guard X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer.x509)) == 0,
              let key = X509_get0_pubkey(issuer.x509) else { return false }
        let ok = X509_CRL_verify(crl, key) == 1
        _ = OpenSSL.drainErrors()
        return ok
    }

    struct Entry {
        var revokedAt: Date?
        /// RFC 5280 CRLReason code, nil when the entry has none.
        var reason: Int?
    }

    /// The entry for `certificate`'s serial number, if revoked here.
    func entry(for certificate: Certificate) -> Entry? {
        var revoked: OpaquePointer?
        let found = X509_CRL_get0_by_serial(crl, &revoked, X509_get0_serialNumber(certificate.x509))
        // 1: revoked; 2: removeFromCRL (delta CRLs), not a revocation.
        guard found == 1, let revoked else { return nil }
        var reason: Int?
        var critical: Int32 = 0
        if let raw = X509_REVOKED_get_ext_d2i(revoked, NID_crl_reason, &critical, nil) {
            let enumerated = raw.assumingMemoryBound(to: ASN1_ENUMERATED.self)
            reason = Int(ASN1_ENUMERATED_get(enumerated))
            ASN1_ENUMERATED_free(enumerated)
        }
        _ = OpenSSL.drainErrors()
        return Entry(revokedAt: OpenSSL.date(X509_REVOKED_get0_revocationDate(revoked)), reason: reason)
    }
}
