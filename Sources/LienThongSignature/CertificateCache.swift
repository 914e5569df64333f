import CLibSSL
import Foundation
import Synchronization

/// Certificates parsed once per distinct encoding. A province's signatures
/// come from a few hundred signers, each embedding the same certificates in
/// every signature, and OpenSSL 3.0 decodes a certificate's public key through
/// its provider decoders (about 1 M instructions a certificate, most of the
/// cost of reading a CMS). Keyed by the exact DER bytes: d2i of the same bytes
/// gives the same certificate, so nothing else (time, trust, policy) can make
/// a cached one differ from a fresh one. Shared by the validation threads (a
/// Certificate is immutable; OpenSSL's X509 is safe to read concurrently).
///
/// Bounded: two generations of at most `entriesPerGeneration` certificates
/// and `bytesPerGeneration` bytes of DER; a full generation becomes the old
/// one and the older is dropped, so certificates in use stay and a stream of
/// distinct (hostile) certificates only costs what parsing each costs anyway.
final class CertificateCache: Sendable {
    let entriesPerGeneration: Int
    let bytesPerGeneration: Int
    /// Larger certificates are parsed every time (real ones are 1-2 KiB).
    static let largestCached = 16 << 10

    /// The exact DER bytes, hashed as one block: `[UInt8]`'s own hashing
    /// feeds the hasher a byte at a time, 2.5 % of the validation workers'
    /// instructions per submission (callgrind, `make profile`).
    private struct DER: Hashable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            hasher.combine(bytes.count)
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    private struct Generations {
        var current: [DER: Certificate] = [:]
        var currentBytes = 0
        var previous: [DER: Certificate] = [:]
    }

    private let state = Mutex(Generations())

    /// A province's few hundred signers and their CAs fit in one generation.
    init(entriesPerGeneration: Int = 512, bytesPerGeneration: Int = 4 << 20) {
        self.entriesPerGeneration = max(1, entriesPerGeneration)
        self.bytesPerGeneration = bytesPerGeneration
    }

    /// The certificate `der` encodes, exactly one DER certificate and nothing
    /// after it; nil when it is not one (not remembered).
    func certificate(der: ArraySlice<UInt8>) -> Certificate? {
        let key = DER(bytes: Array(der))
        if let known = lookup(key) { return known }
        // Parsed outside the lock: it is the slow part, and two threads racing
        // on one certificate both get a correct (equal) one.
        guard let parsed = Certificate.fromDER(key.bytes, exact: true) else { return nil }
        if key.bytes.count <= Self.largestCached { insert(key, parsed) }
        return parsed
    }

    /// Certificates held now (tests: the bound holds).
    var count: Int { state.withLock { $0.current.count + $0.previous.count } }

    private func lookup(_ key: DER) -> Certificate? {
        state.withLock { g in
            if let hit = g.current[key] { return hit }
            guard let old = g.previous.removeValue(forKey: key) else { return nil }
            add(key, old, to: &g)  // still in use: keep it through the next turnover
            return old
        }
    }

    private func insert(_ key: DER, _ certificate: Certificate) {
        state.withLock { g in
            if g.current[key] == nil { add(key, certificate, to: &g) }
        }
    }

    private func add(_ key: DER, _ certificate: Certificate, to g: inout Generations) {
        if g.current.count >= entriesPerGeneration || g.currentBytes + key.bytes.count > bytesPerGeneration {
            g.previous = g.current
            g.current = [:]
            g.currentBytes = 0
        }
        g.current[key] = certificate
        g.currentBytes += key.bytes.count
    }
}

/// A SignedData cut in two so its certificates can come from a
/// CertificateCache: the ContentInfo without the `certificates` field (which
/// OpenSSL then parses without decoding a key) and the DER of each certificate
/// in their order. Only the plain shape is cut (definite lengths, every
/// choice a Certificate, nothing after the fields): anything else gives nil
/// and is parsed whole, as before, so a CMS OpenSSL refuses is still refused.
///
///     ContentInfo ::= SEQUENCE { contentType OID (signedData), content [0] EXPLICIT SignedData }
///     SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo SEQUENCE,
///                               certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL,
///                               crls [1] IMPLICIT … OPTIONAL, signerInfos SET }
enum CMSCertificateSplit {
    struct Parts {
        var withoutCertificates: [UInt8]
        var certificates: [ArraySlice<UInt8>]
    }

    /// 1.2.840.113549.1.7.2, with its tag and length.
    static let signedDataOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]

    /// nil: not the plain shape, or no certificates to cut out.
    static func split(_ der: [UInt8]) -> Parts? {
        var top = DERReader(der[...])  // bytes after the ContentInfo are ignored, as d2i does
        guard let info = top.next(), info.tag == 0x30 else { return nil }
        var infoFields = DERReader(info.content)
        guard let oid = infoFields.next(), oid.whole.elementsEqual(signedDataOID),
              let explicit = infoFields.next(), explicit.tag == 0xA0, infoFields.isAtEnd else { return nil }
        var inner = DERReader(explicit.content)
        guard let signedData = inner.next(), signedData.tag == 0x30, inner.isAtEnd else { return nil }
        var fields = DERReader(signedData.content)
        guard let version = fields.next(), version.tag == 0x02,
              let digests = fields.next(), digests.tag == 0x31,
              let encapsulated = fields.next(), encapsulated.tag == 0x30,
              let certificates = fields.next(), certificates.tag == 0xA0 else { return nil }
        // What follows must be crls or signerInfos: a second [0] would be read
        // as the certificates once the first is gone, where OpenSSL refuses it.
        let rest = fields.remaining
        guard let next = rest.first, next == 0xA1 || next == 0x31 else { return nil }
        guard let certs = elements(certificates.content) else { return nil }
        let body = Array(version.whole) + Array(digests.whole) + Array(encapsulated.whole) + Array(rest)
        let content = Array(oid.whole) + DER.encode(tag: 0xA0, DER.encode(tag: 0x30, body))
        return Parts(withoutCertificates: DER.encode(tag: 0x30, content), certificates: certs)
    }

    /// Every element of a SET OF CertificateChoices, each a Certificate (SEQUENCE).
    private static func elements(_ content: ArraySlice<UInt8>) -> [ArraySlice<UInt8>]? {
        var reader = DERReader(content)
        var certificates: [ArraySlice<UInt8>] = []
        while !reader.isAtEnd {
            guard let element = reader.next(), element.tag == 0x30 else { return nil }
            certificates.append(element.whole)
        }
        return certificates
    }
}

/// DER encoding of a tag and a definite length.
enum DER {
    static func encode(tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        let n = content.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var bytes: [UInt8] = []
            var rest = n
            while rest > 0 {
                bytes.insert(UInt8(rest & 0xFF), at: 0)
                rest >>= 8
            }
            out.append(0x80 | UInt8(bytes.count))
            out += bytes
        }
        return out + content
    }
}
