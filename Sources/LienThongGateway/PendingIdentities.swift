import LienThongCore

/// The pairing identities of names still settling in the outboxes,
/// remembered: every decision asks whether a twin is still settling in its
/// outbox, and working out a name's key and document number (Unicode
/// normalisation, scan markers) for every pending name on every decision
/// took three quarters of the CPU with 90,000 files waiting (`make bench`,
/// perf). A name's identities never change, so the memo is exact; it is
/// dropped whole when it outgrows the pending entries it serves.
final class PendingIdentities {
    private var memo: [String: Set<String>] = [:]

    func of(_ name: String, pending: Int) -> Set<String> {
        if let known = memo[name] { return known }
        if memo.count > max(4096, 2 * pending) { memo.removeAll(keepingCapacity: false) }
        let ids = OpenSubmission.identities(forKey: SubmissionKey.key(forFileName: name))
        memo[name] = ids
        return ids
    }
}
