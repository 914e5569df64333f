import CLibSSL
import Foundation

/// One OCSP response (RFC 6960) the signer archived in the signature, checked
/// with OpenSSL's OCSP API. It answers for a certificate only when signed by
/// that certificate's issuer, or by a responder the issuer certified for OCSP
/// signing (id-kp-OCSPSigning) — never by anyone else bearing its name.
final class OCSPEvidence: @unchecked Sendable {
    let basic: OpaquePointer
    /// "OCSP response 1 archived in the signature …", for the report.
    let source: String

    private init(basic: OpaquePointer, source: String) {
        self.basic = basic
        self.source = source
    }

    deinit { OCSP_BASICRESP_free(basic) }

    static func parse(_ der: [UInt8], source: String) -> OCSPEvidence? {
        defer { _ = OpenSSL.drainErrors() }
        return der.withUnsafeBufferPointer { buffer -> OCSPEvidence? in
            guard let base = buffer.baseAddress else { return nil }
            var p: UnsafePointer<UInt8>? = base
            guard let response = d2i_OCSP_RESPONSE(nil, &p, buffer.count) else { return nil }
            defer { OCSP_RESPONSE_free(response) }
            guard OCSP_response_status(response) == OCSP_RESPONSE_STATUS_SUCCESSFUL,
                  let basic = OCSP_response_get1_basic(response) else { return nil }
            return OCSPEvidence(basic: basic, source: source)
        }
    }

    struct Answer {
        var thisUpdate: Date
        var nextUpdate: Date?
        /// nil: good.
        var revoked: RevocationList.Entry?
    }

    /// What this response says of `certificate`, if it speaks of it and its
    /// signer may speak for `issuer`; nil otherwise.
    func answer(for certificate: Certificate, issuer: Certificate) -> Answer? {
        defer { _ = OpenSSL.drainErrors() }
        guard signedForIssuer(issuer), let id = OCSP_cert_to_id(nil, certificate.x509, issuer.x509) else { return nil }
        defer { OCSP_CERTID_free(id) }
        var status: Int32 = -1, reason: Int32 = -1
        var revokedAt: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?, thisUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        var nextUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        guard OCSP_resp_find_status(basic, id, &status, &reason, &revokedAt, &thisUpdate, &nextUpdate) == 1,
              let this = OpenSSL.date(UnsafePointer(thisUpdate)) else { return nil }
        let next = nextUpdate.flatMap { OpenSSL.date(UnsafePointer($0)) }
        switch status {
        case V_OCSP_CERTSTATUS_GOOD:
            return Answer(thisUpdate: this, nextUpdate: next, revoked: nil)
        case V_OCSP_CERTSTATUS_REVOKED:
            let entry = RevocationList.Entry(revokedAt: OpenSSL.date(UnsafePointer(revokedAt)), reason: reason >= 0 ? Int(reason) : nil)
            return Answer(thisUpdate: this, nextUpdate: next, revoked: entry)
        default:
            return nil  // unknown: says nothing
        }
    }

    /// The signature verifies with the issuer's key, or with a responder
    /// certificate the issuer signed for OCSP signing.
    private func signedForIssuer(_ issuer: Certificate) -> Bool {
        guard let extra = lt_sk_X509_new_null() else { return false }
        defer { lt_sk_X509_free(extra) }
        _ = lt_sk_X509_push(extra, issuer.x509)
        var signer: OpaquePointer?
        guard withExtendedLifetime(issuer, { OCSP_resp_get0_signer(basic, &signer, extra) }) == 1, let signer else { return false }
        // The chain is judged here, not by OpenSSL's store (OCSP_NOVERIFY):
        // the signer must be the issuer, or certified by it for OCSP.
        let byIssuer = X509_cmp(signer, issuer.x509) == 0
        let delegated = !byIssuer && X509_check_issued(issuer.x509, signer) == X509_V_OK
            && X509_verify(signer, X509_get0_pubkey(issuer.x509)) == 1
            && X509_get_extension_flags(signer) & UInt32(EXFLAG_XKUSAGE) != 0
            && X509_get_extended_key_usage(signer) & UInt32(XKU_OCSP_SIGN) != 0
        guard byIssuer || delegated else { return false }
        return withExtendedLifetime(issuer) { OCSP_basic_verify(basic, extra, nil, UInt(OCSP_NOVERIFY)) == 1 }
    }
}
