import LienThongCore

/// The pairing identities of names still settling in the outboxes,
/// remembered: the twin lookout indexes an outbox's pending names by them
/// each turn the tracker changed, and working out a name's key and document
/// number (Unicode normalisation, scan markers) for every pending name each
/// time took three quarters of the CPU with 90,000 files waiting (`make
/// bench`, perf; with the memo the daemon claims that backlog 1.8 times as
/// fast).
///
/// Kept small, because it grows with the backlog: the identities are stored
/// as their hash values (this process's seed), 8 bytes each instead of a
/// set of strings (a Set<String> memo cost 33 MB at 90,000 names). Two
/// different identities with one 64-bit hash would only make a decision wait
/// one `settle` longer for a twin that is not there. A name's identities never
/// change; the memo is dropped whole when it outgrows the entries it serves.
final class PendingIdentities {
    private var memo: [String: [Int]] = [:]

    /// The hash values of `name`'s pairing identities (this process's seed).
    func hashes(of name: String, pending: Int) -> [Int] {
        if let known = memo[name] { return known }
        if memo.count > max(4096, 2 * pending) { memo.removeAll(keepingCapacity: false) }
        let ids = Pairing.keys(forFileName: name).map(\.hashValue)
        memo[name] = ids
        return ids
    }
}
