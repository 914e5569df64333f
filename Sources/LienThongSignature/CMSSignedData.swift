import CLibSSL
import Foundation

/// A parsed CMS SignedData (RFC 5652), owned. Used for PDF signatures, `.p7s`
/// files and the timestamp tokens inside them. One instance is used by one
/// validation only (verifying sets the signer certificate on it).
final class CMSSignedData {
    let cms: OpaquePointer
    /// Certificates the signer embedded (any order, any subset of the chain).
    let certificates: [Certificate]

    /// Parses DER; trailing bytes (the zero padding of a PDF /Contents) are ignored.
    /// With `cache`, the embedded certificates come from it (parsed once per
    /// distinct encoding, CertificateCache) and OpenSSL parses the rest.
    init?(der: [UInt8], cache: CertificateCache? = nil) {
        if let cache, let parts = CMSCertificateSplit.split(der),
           let certificates = Self.certificates(parts.certificates, from: cache),
           let parsed = Self.parseSignedData(parts.withoutCertificates) {
            cms = parsed
            self.certificates = certificates
            return
        }
        // Whole, as OpenSSL reads it: what the cut path cannot take, and every
        // CMS it would refuse, is judged here.
        guard let parsed = Self.parseSignedData(der) else { return nil }
        cms = parsed
        var certs: [Certificate] = []
        if let stack = CMS_get1_certs(parsed) {
            for i in 0..<lt_sk_X509_num(stack) {
                if let x = lt_sk_X509_value(stack, i) { certs.append(Certificate(retaining: x)) }
            }
            lt_sk_X509_pop_free(stack)
        }
        certificates = certs
        _ = OpenSSL.drainErrors()
    }

    /// A ContentInfo holding a SignedData, or nil.
    private static func parseSignedData(_ der: [UInt8]) -> OpaquePointer? {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            var p: UnsafePointer<UInt8>? = base
            return d2i_CMS_ContentInfo(nil, &p, buffer.count)
        }
        _ = OpenSSL.drainErrors()
        guard let parsed else { return nil }
        guard OBJ_obj2nid(CMS_get0_type(parsed)) == NID_pkcs7_signed else {
            CMS_ContentInfo_free(parsed)
            return nil
        }
        return parsed
    }

    /// Each DER certificate from `cache`; nil when one is not a certificate.
    private static func certificates(_ ders: [ArraySlice<UInt8>], from cache: CertificateCache) -> [Certificate]? {
        var certificates: [Certificate] = []
        for der in ders {
            guard let certificate = cache.certificate(der: der) else { return nil }
            certificates.append(certificate)
        }
        return certificates
    }

    deinit { CMS_ContentInfo_free(cms) }

    /// A `.p7s` file: DER, or PEM armour (PKCS7, CMS).
    static func parseSignatureFile(_ bytes: [UInt8], cache: CertificateCache? = nil) -> CMSSignedData? {
        if PEM.looksLikePEM(bytes) {
            for block in PEM.blocks(bytes) where ["PKCS7", "CMS", "PKCS #7 SIGNED DATA"].contains(block.label) {
                if let cms = CMSSignedData(der: block.der, cache: cache) { return cms }
            }
            return nil
        }
        return CMSSignedData(der: bytes, cache: cache)
    }

    var signers: [CMSSigner] {
        guard let infos = CMS_get0_SignerInfos(cms) else { return [] }
        return (0..<lt_sk_CMS_SignerInfo_num(infos)).compactMap { i in
            lt_sk_CMS_SignerInfo_value(infos, i).map { CMSSigner(info: $0, message: self) }
        }
    }

    var eContentTypeNID: Int32 { OBJ_obj2nid(CMS_get0_eContentType(cms)) }

    /// The encapsulated content, nil when detached.
    var encapsulatedContent: [UInt8]? {
        guard let slot = CMS_get0_content(cms), let octets = slot.pointee else { return nil }
        return OpenSSL.bytes(UnsafePointer(octets))
    }
}

/// One SignerInfo of a CMSSignedData. Valid while its message lives.
struct CMSSigner {
    let info: OpaquePointer
    let message: CMSSignedData

    /// The certificate this SignerInfo names (issuer+serial or key id), looked
    /// up in the message's certificates, then in `extra` (the trust folder: real
    /// signatures sometimes carry no certificate at all).
    func signerCertificate(extra: [Certificate]) -> Certificate? {
        (message.certificates + extra).first { CMS_SignerInfo_cert_cmp(info, $0.x509) == 0 }
    }

    /// The digest algorithm of the SignerInfo, nil when unknown to OpenSSL.
    var digest: (md: OpaquePointer, name: String)? {
        var digestAlgorithm: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(info, nil, nil, &digestAlgorithm, nil)
        guard let digestAlgorithm else { return nil }
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, digestAlgorithm)
        guard let object, let md = lt_EVP_get_digestbyobj(object) else { return nil }
        return (md, OpenSSL.name(of: object))
    }

    /// The name of the digestAlgorithm OID when it is a signature algorithm
    /// (sha256WithRSAEncryption): OpenSSL would quietly take its digest, but
    /// RFC 5652 requires a digest algorithm there, and DSS, pyHanko and
    /// pdfsig refuse such a signature. nil when it is a digest (or absent).
    var signatureAlgorithmAsDigest: String? {
        var digestAlgorithm: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(info, nil, nil, &digestAlgorithm, nil)
        guard let digestAlgorithm else { return nil }
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, digestAlgorithm)
        guard let object else { return nil }
        var mdNID: Int32 = 0, keyNID: Int32 = 0
        let nid = OBJ_obj2nid(object)
        guard OBJ_find_sigid_algs(nid, &mdNID, &keyNID) == 1, let long = OBJ_nid2ln(nid) else { return nil }
        return String(cString: long)  // "sha256WithRSAEncryption", as RFC 4055 names it
    }

    var hasSignedAttributes: Bool { CMS_signed_get_attr_count(info) > 0 }

    private func signedAttribute(_ nid: Int32, type: Int32) -> UnsafeMutableRawPointer? {
        let index = CMS_signed_get_attr_by_NID(info, nid, -1)
        guard index >= 0, let attribute = CMS_signed_get_attr(info, index),
              X509_ATTRIBUTE_count(attribute) == 1 else { return nil }
        return X509_ATTRIBUTE_get0_data(attribute, 0, type, nil)
    }

    /// The signed messageDigest attribute.
    var messageDigest: [UInt8]? {
        signedAttribute(NID_pkcs9_messageDigest, type: V_ASN1_OCTET_STRING)
            .map { OpenSSL.bytes($0.assumingMemoryBound(to: ASN1_STRING.self)) }
    }

    /// The signed signingTime attribute (the signer's own claim).
    var signingTime: Date? {
        for type in [V_ASN1_UTCTIME, V_ASN1_GENERALIZEDTIME] {
            if let raw = signedAttribute(NID_pkcs9_signingTime, type: type) {
                return OpenSSL.date(UnsafePointer(raw.assumingMemoryBound(to: ASN1_TIME.self)))
            }
        }
        return nil
    }

    /// The signature value, which a signature timestamp token imprints.
    var signatureValue: [UInt8] {
        guard let octets = CMS_SignerInfo_get0_signature(info) else { return [] }
        return OpenSSL.bytes(UnsafePointer(octets))
    }

    /// DER of the id-aa-signatureTimeStampToken unsigned attribute value.
    var timestampTokenDER: [UInt8]? {
        let index = CMS_unsigned_get_attr_by_NID(info, NID_id_smime_aa_timeStampToken, -1)
        guard index >= 0, let attribute = CMS_unsigned_get_attr(info, index),
              X509_ATTRIBUTE_count(attribute) >= 1, let value = X509_ATTRIBUTE_get0_type(attribute, 0)
        else { return nil }
        let der = OpenSSL.der(UnsafePointer(value)) { i2d_ASN1_TYPE($0, $1) }
        return der.isEmpty ? nil : der
    }
}
