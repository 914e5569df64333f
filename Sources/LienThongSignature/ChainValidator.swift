import CLibSSL
import Foundation

/// Builds and checks the certificate path of a signer (or a TSA) to a trust
/// anchor, as of the signing time. Policy, per SPEC §5 and DESIGN:
/// - only self-signed certificates of the trust folder are anchors (no partial
///   chains: an intermediate in the folder helps build the path but is not trusted alone);
/// - intermediates come from the folder and from the certificates in the CMS;
/// - SHA-1 certificate signatures are accepted (the VGCA G1 chain uses them);
/// - no extended key usage is required (real end-user certificates have none for signing);
/// - revocation is not checked here (OpenSSL's CRL check ignores the revocation date;
///   RevocationCheck does it against the signing time).
enum ChainValidator {
    enum Status: Equatable, Sendable {
        case trusted
        /// No path to an anchor, a bad signature in the path, a look-alike root…
        case untrusted
        /// The path is good but a certificate in it was expired or not yet valid then.
        case notValidAtTime
    }

    struct Result {
        var status: Status
        /// Leaf first; as far as it could be built when untrusted.
        var chain: [Certificate]
        var note: String
    }

    /// `cache`: paths found trusted before with these `anchors` (ChainCache);
    /// a remembered one answers when it is valid at `time`.
    static func validate(_ leaf: Certificate, intermediates: [Certificate], anchors: [Certificate], at time: Date,
                         cache: ChainCache? = nil) -> Result {
        if let chain = cache?.trustedChain(leaf, intermediates, at: checkTime(time)) {
            return Result(status: .trusted, chain: chain, note: "")
        }
        let first = run(leaf, intermediates, anchors, time, ignoreTime: false)
        guard first.status != .trusted else {
            cache?.remember(leaf, intermediates, chain: first.chain)
            return Result(status: .trusted, chain: first.chain, note: "")
        }
        if first.timeError {
            // Only a validity-period problem? Then say so; otherwise the path is untrusted anyway.
            let again = run(leaf, intermediates, anchors, time, ignoreTime: true)
            if again.status == .trusted {
                return Result(status: .notValidAtTime, chain: again.chain, note: first.note)
            }
            return Result(status: .untrusted, chain: again.chain, note: again.note)
        }
        return Result(status: first.status, chain: first.chain, note: first.note)
    }

    /// The time a path is checked at, as OpenSSL is given it: whole seconds,
    /// within what an X.509 time can say.
    static func checkTime(_ time: Date) -> time_t {
        time_t(max(0, min(time.timeIntervalSince1970, 253_402_300_799)))
    }

    private struct Run {
        var status: Status
        var chain: [Certificate]
        var note: String
        var timeError: Bool
    }

    private static func run(_ leaf: Certificate, _ intermediates: [Certificate], _ anchors: [Certificate],
                            _ time: Date, ignoreTime: Bool) -> Run {
        defer { _ = OpenSSL.drainErrors() }
        guard let store = X509_STORE_new() else { return Run(status: .untrusted, chain: [], note: "out of memory", timeError: false) }
        defer { X509_STORE_free(store) }
        for anchor in anchors {
            _ = X509_STORE_add_cert(store, anchor.x509)  // duplicates fail harmlessly
        }
        guard let untrusted = lt_sk_X509_new_null() else { return Run(status: .untrusted, chain: [], note: "out of memory", timeError: false) }
        defer { lt_sk_X509_free(untrusted) }  // the Certificates keep their own references
        for cert in intermediates { _ = lt_sk_X509_push(untrusted, cert.x509) }
        guard let ctx = X509_STORE_CTX_new() else { return Run(status: .untrusted, chain: [], note: "out of memory", timeError: false) }
        defer { X509_STORE_CTX_free(ctx) }
        guard X509_STORE_CTX_init(ctx, store, leaf.x509, untrusted) == 1 else {
            return Run(status: .untrusted, chain: [], note: "cannot set up path building", timeError: false)
        }
        let param = X509_STORE_CTX_get0_param(ctx)
        X509_VERIFY_PARAM_set_auth_level(param, 0)  // accept SHA-1 and small keys of old chains
        if ignoreTime {
            // Not together with set_time: OpenSSL honours USE_CHECK_TIME before NO_CHECK_TIME.
            X509_VERIFY_PARAM_set_flags(param, UInt(X509_V_FLAG_NO_CHECK_TIME))
        } else {
            X509_VERIFY_PARAM_set_time(param, checkTime(time))
        }
        let ok = withExtendedLifetime((leaf, intermediates, anchors)) { X509_verify_cert(ctx) == 1 }
        var chain: [Certificate] = []
        if let stack = X509_STORE_CTX_get1_chain(ctx) {
            for i in 0..<lt_sk_X509_num(stack) {
                if let x = lt_sk_X509_value(stack, i) { chain.append(Certificate(retaining: x)) }
            }
            lt_sk_X509_pop_free(stack)
        }
        if ok { return Run(status: .trusted, chain: chain, note: "", timeError: false) }
        let error = X509_STORE_CTX_get_error(ctx)
        let depth = X509_STORE_CTX_get_error_depth(ctx)
        let text = String(cString: X509_verify_cert_error_string(Int(error)))
        var subject = ""
        if let bad = X509_STORE_CTX_get_current_cert(ctx) { subject = DistinguishedName(X509_get_subject_name(bad)).oneLine }
        let timeError = error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID
        let when = timeError ? " at \(time.rfc3339)" : ""
        return Run(status: timeError ? .notValidAtTime : .untrusted, chain: chain,
                   note: "\(text)\(when) (depth \(depth)\(subject.isEmpty ? "" : ": \(subject)"))", timeError: timeError)
    }
}
