import CLibSSL
import Foundation
import Synchronization

/// One certificate revocation list, owned. Immutable after parsing.
final class RevocationList: @unchecked Sendable {
    let crl: OpaquePointer
    /// File name it came from (recorded in the validation report).
    let fileName: String
    /// Archived in the signature by the signer, not from the CRL folder: with
    /// a trusted timestamp it may count though no longer current (CRLCurrency).
    /// Set once, right after parsing.
    var embedded = false
    /// isIssued(by:) answers by the issuer's SubjectPublicKeyInfo DER, when
    /// `remembers`: the check (an RSA verification of this list's signature)
    /// depends on nothing but this list's bytes and that key, and the CRL
    /// folder's lists are checked again for every signature. A reload parses
    /// new lists, so an answer never outlives the trust generation it was made in.
    private let signatureChecks = Mutex<[[UInt8]: Bool]>([:])
    private let remembers: Bool
    /// Keys remembered at most (one issuer, or a few re-keyed under one name; more is an attack).
    static let keysRemembered = 8

    /// Keys whose answer is remembered now (tests: the bound holds).
    var rememberedChecks: Int { signatureChecks.withLock { $0.count } }

    init(owning crl: OpaquePointer, fileName: String, remembersSignatureChecks: Bool = false) {
        self.crl = crl
        self.fileName = fileName
        issuer = DistinguishedName(X509_CRL_get_issuer(crl))
        remembers = remembersSignatureChecks
    }

    deinit { X509_CRL_free(crl) }

    /// Every CRL in `bytes` (DER, or PEM blocks "X509 CRL"). Lists parsed per
    /// validation (archived in a signature) need not remember their checks.
    static func parseAll(_ bytes: [UInt8], fileName: String, remembersSignatureChecks: Bool = false) -> [RevocationList] {
        let ders = PEM.looksLikePEM(bytes) ? PEM.blocks(bytes).filter { $0.label == "X509 CRL" }.map(\.der) : [bytes]
        return ders.compactMap { der in
            der.withUnsafeBufferPointer { buffer -> RevocationList? in
                guard let base = buffer.baseAddress else { return nil }
                var p: UnsafePointer<UInt8>? = base
                guard let crl = d2i_X509_CRL(nil, &p, buffer.count) else {
                    _ = OpenSSL.drainErrors()
                    return nil
                }
                return RevocationList(owning: crl, fileName: fileName, remembersSignatureChecks: remembersSignatureChecks)
            }
        }
    }

    /// Read once: every signature's revocation check compares it with its issuers.
    let issuer: DistinguishedName

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
        guard remembers else { return isSigned(by: key) }
        let keyInfo = issuer.publicKeyInfo
        guard !keyInfo.isEmpty else { return isSigned(by: key) }
        if let known = signatureChecks.withLock({ $0[keyInfo] }) { return known }
        let ok = isSigned(by: key)
        signatureChecks.withLock { checks in
            if checks.count >= Self.keysRemembered { checks.removeAll() }
            checks[keyInfo] = ok
        }
        return ok
    }

    private func isSigned(by key: OpaquePointer) -> Bool {
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
