import Foundation
import LienThongCore
import LienThongWatch

/// The watch's side of pairing, asked by the decision before it judges a
/// submission alone: is a file that would join it still settling in its
/// outbox, or settled and claimed at the next turn? Reads the settle
/// tracker; the names' pairing identities are remembered (PendingIdentities).
///
/// Every decision asks, so the answer comes from an index of each outbox's
/// pending names by pairing identity, built once per outbox while the
/// tracker is unchanged (`SettleTracker.version`: no event is read while a
/// turn decides), not from a walk of the outbox's pending names per
/// decision: with twenty submissions waiting in each of a hundred outboxes
/// that walk was a tenth of the loop's time, and it grows with the square of
/// one outbox's backlog (`make bench`, perf).
final class TwinLookout {
    let tracker: SettleTracker
    private let identities = PendingIdentities()
    /// For each outbox looked at since the tracker last changed: each
    /// pairing identity (its hash, as PendingIdentities keeps them) of its
    /// pending names, and the earliest last activity among those names.
    private var byIdentity: [FileName: [Int: Date]] = [:]
    private var indexedVersion: UInt64?
    /// How many outboxes were indexed (tests count work here instead of timing it).
    private(set) var indexesBuilt = 0

    init(tracker: SettleTracker) { self.tracker = tracker }

    /// A file still settling in the same outbox whose key or document number
    /// matches: the twin of this submission is on its way.
    func isSettling(_ sub: OpenSubmission, settings: GatewaySettings) -> Bool {
        earliestTwin(of: sub, settings: settings) != nil
    }

    /// A twin that has settled and is claimed at the next turn. The earliest
    /// one settles first: if it has not, none has.
    func isClaimable(_ sub: OpenSubmission, settings: GatewaySettings, now: Date) -> Bool {
        guard let earliest = earliestTwin(of: sub, settings: settings) else { return false }
        return now.timeIntervalSince(earliest) >= tracker.settle
    }

    /// The earliest last activity among the names pending in the
    /// submission's outbox that share a pairing identity with it; nil when
    /// no such name is pending.
    private func earliestTwin(of sub: OpenSubmission, settings: GatewaySettings) -> Date? {
        guard !sub.isFolder else { return nil }
        let outbox = sub.outboundGroup.map(settings.officeOutbox(forAddress:)) ?? settings.layout.outbox(sub.unit)
        let index = self.index(of: outbox)
        guard !index.isEmpty else { return nil }
        var earliest: Date?
        for id in sub.identities {
            if let at = index[id.hashValue], earliest.map({ at < $0 }) ?? true { earliest = at }
        }
        return earliest
    }

    private func index(of outbox: String) -> [Int: Date] {
        if indexedVersion != tracker.version {
            byIdentity.removeAll(keepingCapacity: true)
            indexedVersion = tracker.version
        }
        let root = FileName(outbox)
        if let known = byIdentity[root] { return known }
        indexesBuilt += 1
        var index: [Int: Date] = [:]
        for (name, last) in tracker.lastActivities(in: outbox) {
            for id in identities.hashes(of: name, pending: tracker.pendingCount) {
                index[id] = min(index[id] ?? last, last)
            }
        }
        byIdentity[root] = index
        return index
    }
}
