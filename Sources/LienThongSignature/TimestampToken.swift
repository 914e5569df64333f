import CLibSSL
import Foundation
import LienThongCore

/// An RFC 3161 TimeStampToken: a CMS SignedData over a TSTInfo that binds a
/// hash (the message imprint) to the TSA's clock (genTime). Used twice: as the
/// id-aa-signatureTimeStampToken of a signature (imprint = hash of the
/// signature value) and as a PDF document timestamp (imprint = hash of the
/// ByteRange bytes).
struct TimestampToken {
    enum Failure: Equatable {
        /// Not a token, or its signature does not verify.
        case malformed(String)
        /// The token is intact but imprints other bytes.
        case imprintMismatch(String)
        /// The TSA does not chain to a configured TSA root or anchor, or is not a TSA.
        case untrusted(String)
        case notValidAtTime(String)
    }

    var genTime: Date?
    var tsa: Certificate?
    var chain: [Certificate] = []
    var failure: Failure?

    var isValid: Bool { failure == nil && genTime != nil }

    /// Verifies `der` as a token over `imprinted` (the bytes whose hash it must carry).
    static func verify(der: [UInt8], imprinted: CMSIntegrity.Content, trust: TrustStore) -> TimestampToken {
        var token = TimestampToken()
        guard let message = CMSSignedData(der: der, cache: trust.certificateCache) else {
            token.failure = .malformed("not a CMS SignedData")
            return token
        }
        guard message.eContentTypeNID == NID_id_smime_ct_TSTInfo, let tstDER = message.encapsulatedContent else {
            token.failure = .malformed("the CMS does not hold a TSTInfo")
            return token
        }
        guard let info = TSTInfo(der: tstDER) else {
            token.failure = .malformed("unreadable TSTInfo")
            return token
        }
        token.genTime = info.genTime
        guard let signer = message.signers.first else {
            token.failure = .malformed("the token has no SignerInfo")
            return token
        }
        let pool = trust.tsaRoots + trust.anchors
        guard let tsa = signer.signerCertificate(extra: pool) else {
            token.failure = .malformed("the TSA certificate is not in the token nor in the trust folders")
            return token
        }
        token.tsa = tsa
        switch CMSIntegrity.verify(signer, certificate: tsa, content: CMSIntegrity.Content(tstDER)) {
        case .intact: break
        case .digestMismatch(let why), .badSignature(let why):
            token.failure = .malformed("the token's signature does not verify: \(why)")
            return token
        }
        guard let genTime = info.genTime else {
            token.failure = .malformed("the TSTInfo has no readable genTime")
            return token
        }
        guard let md = info.imprintDigest, let actual = imprinted.digest(md) else {
            token.failure = .malformed("unsupported message imprint algorithm \(info.imprintAlgorithmName)")
            return token
        }
        guard actual == info.imprint else {
            token.failure = .imprintMismatch("the timestamp's \(info.imprintAlgorithmName) imprint does not match the bytes it should cover")
            return token
        }
        // A TSA certificate must be meant for timestamping (RFC 3161 §2.3).
        let eku = X509_get_extended_key_usage(tsa.x509)
        guard eku != UInt32.max, eku & UInt32(XKU_TIMESTAMP) != 0 else {
            token.failure = .untrusted("\(tsa.subject.commonName) is not a timestamping certificate (no timeStamping EKU)")
            return token
        }
        let chain = ChainValidator.validate(tsa, intermediates: message.certificates, anchors: pool, at: genTime,
                                            cache: trust.tsaChainCache)
        token.chain = chain.chain
        switch chain.status {
        case .trusted: break
        case .untrusted: token.failure = .untrusted("timestamp authority \(tsa.subject.commonName) is not trusted: \(chain.note)")
        case .notValidAtTime: token.failure = .notValidAtTime("timestamp authority certificate not valid at genTime: \(chain.note)")
        }
        return token
    }

    /// The TSTInfo fields we use.
    private struct TSTInfo {
        var genTime: Date?
        var imprint: [UInt8]
        var imprintDigest: OpaquePointer?
        var imprintAlgorithmName: String

        init?(der: [UInt8]) {
            let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return nil }
                var p: UnsafePointer<UInt8>? = base
                return d2i_TS_TST_INFO(nil, &p, buffer.count)
            }
            guard let info = parsed else {
                _ = OpenSSL.drainErrors()
                return nil
            }
            defer { TS_TST_INFO_free(info) }
            genTime = OpenSSL.date(TS_TST_INFO_get_time(info))
            guard let msgImprint = TS_TST_INFO_get_msg_imprint(info),
                  let algorithm = TS_MSG_IMPRINT_get_algo(msgImprint) else { return nil }
            imprint = OpenSSL.bytes(UnsafePointer(TS_MSG_IMPRINT_get_msg(msgImprint)))
            var object: OpaquePointer?
            X509_ALGOR_get0(&object, nil, nil, algorithm)
            imprintDigest = object.flatMap { lt_EVP_get_digestbyobj($0) }
            imprintAlgorithmName = OpenSSL.name(of: object)
        }
    }
}
