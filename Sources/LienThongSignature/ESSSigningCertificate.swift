import CLibSSL
import Foundation

/// The ESS signing-certificate attributes (RFC 2634 §5.4, RFC 5035 §3): a
/// signed hash of the certificate the signer meant to sign with, so no other
/// certificate with the same key (or a forged lookalike) can be put in its
/// place. When the attribute is there, the first certificate it names must be
/// the one the signature is verified with (CAdES, PAdES require it).
///
///     SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }
///     ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT sha256,
///                                certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
///     SigningCertificate   ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }
///     ESSCertID   ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL }
enum ESSSigningCertificate {
    static let v1 = "1.2.840.113549.1.9.16.2.12"
    static let v2 = "1.2.840.113549.1.9.16.2.47"

    enum Outcome: Equatable {
        /// Neither attribute: nothing to check.
        case absent
        case matches
        /// The attribute names another certificate, or cannot be read: the signature is invalid.
        case mismatch(String)
    }

    static func check(_ signer: CMSSigner, certificate: Certificate) -> Outcome {
        for (oid, version) in [(v2, 2), (v1, 1)] {
            switch signer.signedAttributeValues(oid: oid) {
            case nil: continue
            case let values? where values.count != 1:
                return .mismatch("the signing-certificate\(version == 2 ? "-v2" : "") attribute must occur once with one value; it has \(values.count)")
            case let values?:
                return compare(values[0], version: version, certificate: certificate)
            }
        }
        return .absent
    }

    /// The first ESSCertID of the attribute against the certificate used to verify.
    private static func compare(_ value: [UInt8], version: Int, certificate: Certificate) -> Outcome {
        let name = version == 2 ? "signing-certificate-v2" : "signing-certificate"
        var outer = DERReader(value[...])
        guard let attribute = outer.next(), attribute.tag == 0x30 else { return .mismatch("the \(name) attribute is not a SEQUENCE") }
        var fields = DERReader(attribute.content)
        guard let certs = fields.next(), certs.tag == 0x30 else { return .mismatch("the \(name) attribute has no certificate list") }
        var ids = DERReader(certs.content)
        guard let first = ids.next(), first.tag == 0x30 else { return .mismatch("the \(name) attribute names no certificate") }
        var parts = DERReader(first.content)
        var md = version == 2 ? EVP_sha256() : EVP_sha1()
        var element = parts.next()
        if version == 2, let algorithm = element, algorithm.tag == 0x30 {
            guard let chosen = digest(of: algorithm) else { return .mismatch("the \(name) attribute uses a hash algorithm OpenSSL does not know") }
            md = chosen
            element = parts.next()
        }
        guard let hash = element, hash.tag == 0x04, let md else { return .mismatch("the \(name) attribute has no certificate hash") }
        let der = OpenSSL.der(certificate.x509) { i2d_X509($0, $1) }
        guard let actual = OpenSSL.digest(md, of: der) else { return .mismatch("cannot hash the signer's certificate") }
        guard Array(hash.content) == actual else {
            return .mismatch("the signed \(name) attribute names another certificate than the one the signature verifies with (\(certificate.subject.commonName), serial \(certificate.serialHex)): its hash differs; the certificate was substituted")
        }
        return .matches
    }

    /// The digest an AlgorithmIdentifier (SEQUENCE { OID, parameters }) names.
    private static func digest(of algorithm: DERReader.Element) -> OpaquePointer? {
        var reader = DERReader(algorithm.content)
        guard let oid = reader.next(), oid.tag == 0x06 else { return nil }
        let bytes = Array(oid.whole)
        let object: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var p: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ASN1_OBJECT(nil, &p, buffer.count)
        }
        guard let object else {
            _ = OpenSSL.drainErrors()
            return nil
        }
        defer { ASN1_OBJECT_free(object) }
        return lt_EVP_get_digestbyobj(object)
    }
}

extension CMSSigner {
    /// The DER of each value of the signed attribute `oid`, in every
    /// occurrence of it; nil when the attribute is absent.
    func signedAttributeValues(oid: String) -> [[UInt8]]? {
        guard let object = OBJ_txt2obj(oid, 1) else { return nil }
        defer { ASN1_OBJECT_free(object) }
        var values: [[UInt8]] = []
        var index = CMS_signed_get_attr_by_OBJ(info, object, -1)
        guard index >= 0 else { return nil }
        while index >= 0, values.count < 8 {
            if let attribute = CMS_signed_get_attr(info, index) {
                for i in 0..<min(X509_ATTRIBUTE_count(attribute), 8) {
                    if let value = X509_ATTRIBUTE_get0_type(attribute, i) {
                        values.append(OpenSSL.der(UnsafePointer(value)) { i2d_ASN1_TYPE($0, $1) })
                    }
                }
            }
            index = CMS_signed_get_attr_by_OBJ(info, object, index)
        }
        return values
    }
}
