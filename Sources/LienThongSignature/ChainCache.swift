import CLibSSL
import Foundation
import Synchronization

/// Certificate paths found trusted, per signer certificate and the
/// intermediates offered with it, for one trust generation (it lives in the
/// `TrustStore`, which a reload replaces). Building and checking a path
/// costs OpenSSL a signature verification per link: two RSA verifications
/// with the bench's PKI, 13 % of the daemon's user-space instructions per
/// submission (callgrind, `make profile`; in CPU time a few per cent, most
/// of which is the kernel's), and a province's documents come from a few
/// hundred signers.
///
/// What a path check depends on is the certificates, the anchors and the
/// time; only the time changes from one document of a signer to the next.
/// A remembered path answers "trusted" for another time only when every
/// certificate in it — the anchor included, as OpenSSL checks — is valid
/// then, read with OpenSSL's own comparison (`X509_cmp_time`: valid from
/// notBefore, up to but not at notAfter). Anything else (no remembered
/// path, a certificate of it not valid then) goes to OpenSSL, and only
/// trusted answers are remembered: what is untrusted, or not valid at its
/// time, is worked out afresh each time, with its reasons.
///
/// Keyed by the certificates' identities, not their bytes: the embedded
/// certificates come from the `CertificateCache` (one object per encoding),
/// so a signer's documents present the same objects. An entry keeps the
/// objects of its key alive, so no other certificate can take an identity
/// while it is remembered.
final class ChainCache: Sendable {
    /// Entries at most; all are dropped when it is full. A province's few
    /// hundred signers fit; each entry keeps its certificates alive (a few
    /// KiB each in OpenSSL), so the bound is that of one generation of the
    /// certificate cache, and only trusted paths, which a stream of hostile
    /// signatures cannot make, are added.
    let limit: Int

    private struct Key: Hashable {
        let identities: [ObjectIdentifier]

        init(_ leaf: Certificate, _ intermediates: [Certificate]) {
            identities = [ObjectIdentifier(leaf)] + intermediates.map(ObjectIdentifier.init)
        }
    }

    private struct Entry {
        /// The key's certificates, kept so that their identities stay theirs.
        let presented: [Certificate]
        /// Leaf first, anchor last.
        let chain: [Certificate]
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var hits = 0
    }

    private let state = Mutex(State())

    init(limit: Int = 512) {
        self.limit = max(1, limit)
    }

    /// The remembered path of `leaf` with `intermediates`, if every
    /// certificate in it is valid at `time` (seconds since 1970, as given to
    /// OpenSSL's verification).
    func trustedChain(_ leaf: Certificate, _ intermediates: [Certificate], at time: time_t) -> [Certificate]? {
        let key = Key(leaf, intermediates)
        guard let chain = state.withLock({ $0.entries[key]?.chain }) else { return nil }
        var t = time
        for certificate in chain {
            guard X509_cmp_time(X509_get0_notBefore(certificate.x509), &t) == -1,
                  X509_cmp_time(X509_get0_notAfter(certificate.x509), &t) == 1 else { return nil }
        }
        state.withLock { $0.hits += 1 }
        return chain
    }

    /// Remembers a path OpenSSL found trusted.
    func remember(_ leaf: Certificate, _ intermediates: [Certificate], chain: [Certificate]) {
        guard !chain.isEmpty else { return }
        state.withLock { s in
            if s.entries.count >= limit { s.entries.removeAll(keepingCapacity: true) }
            s.entries[Key(leaf, intermediates)] = Entry(presented: [leaf] + intermediates, chain: chain)
        }
    }

    /// Answers given from a remembered path (tests).
    var hits: Int { state.withLock { $0.hits } }
    /// Paths remembered now (tests: the bound holds).
    var count: Int { state.withLock { $0.entries.count } }
}
