import CLibSSL
import Foundation

/// Does a SignerInfo sign exactly these bytes? Split in two questions so the
/// report can say which failed: the messageDigest attribute against the
/// content (a changed document), and the signature over the signed attributes
/// (a broken or forged signature value). Certificates are not looked at here.
enum CMSIntegrity {
    enum Outcome: Equatable {
        case intact
        /// The content's digest differs from the signed messageDigest.
        case digestMismatch(String)
        /// The signature value does not verify, or the structure is unusable.
        case badSignature(String)
    }

    /// What was signed: ranges of a buffer (a PDF's ByteRange, a whole file).
    struct Content {
        var bytes: [UInt8]
        var ranges: [Range<Int>]

        init(_ bytes: [UInt8], ranges: [Range<Int>]? = nil) {
            self.bytes = bytes
            self.ranges = ranges ?? [0..<bytes.count]
        }

        func digest(_ md: OpaquePointer) -> [UInt8]? { OpenSSL.digest(md, of: bytes, ranges: ranges) }
        var joined: [UInt8] { ranges.count == 1 && ranges[0] == 0..<bytes.count ? bytes : ranges.flatMap { bytes[$0] } }
    }

    static func verify(_ signer: CMSSigner, certificate: Certificate, content: Content) -> Outcome {
        defer { _ = OpenSSL.drainErrors() }
        CMS_SignerInfo_set1_signer_cert(signer.info, certificate.x509)
        if let name = signer.signatureAlgorithmAsDigest {
            return .badSignature("the SignerInfo's digestAlgorithm is \(name), a signature algorithm; RFC 5652 requires a digest algorithm there (e.g. sha256): the signing tool wrote a malformed signature")
        }
        guard signer.hasSignedAttributes else { return verifyWithoutAttributes(signer, certificate, content) }
        guard let (md, name) = signer.digest else { return .badSignature("unsupported digest algorithm") }
        guard let claimed = signer.messageDigest else { return .badSignature("no messageDigest attribute") }
        guard let actual = content.digest(md) else { return .badSignature("cannot compute the \(name) digest") }
        guard claimed == actual else {
            return .digestMismatch("the \(name) digest of the signed bytes differs from the signed messageDigest")
        }
        guard CMS_SignerInfo_verify(signer.info) == 1 else {
            let why = OpenSSL.drainErrors()
            return .badSignature("the signature value does not verify with the signer's key" + (why.isEmpty ? "" : " (\(why))"))
        }
        return .intact
    }

    /// Signatures without signed attributes sign the content digest directly;
    /// OpenSSL's CMS_verify checks them (it cannot tell which part is wrong).
    private static func verifyWithoutAttributes(_ signer: CMSSigner, _ certificate: Certificate, _ content: Content) -> Outcome {
        guard let certs = lt_sk_X509_new_null() else { return .badSignature("out of memory") }
        defer { lt_sk_X509_free(certs) }
        _ = lt_sk_X509_push(certs, certificate.x509)
        let flags = UInt32(CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY | CMS_NOINTERN)
        let detached = signer.message.encapsulatedContent == nil
        let ok: Bool = withExtendedLifetime(certificate) {
            if detached {
                return OpenSSL.withBIO(content.joined) { bio in
                    CMS_verify(signer.message.cms, certs, nil, bio, nil, flags) == 1
                } ?? false
            }
            return CMS_verify(signer.message.cms, certs, nil, nil, nil, flags) == 1
        }
        if ok { return .intact }
        let why = OpenSSL.drainErrors()
        return .badSignature("signature without signed attributes does not verify (\(why))")
    }
}
