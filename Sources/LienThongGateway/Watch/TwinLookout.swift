import Foundation
import LienThongCore
import LienThongWatch

/// The watch's side of pairing, asked by the decision before it judges a
/// submission alone: is a file that would join it still settling in its
/// outbox, or settled and claimed at the next turn? Reads the settle
/// tracker; the names' pairing identities are remembered (PendingIdentities).
final class TwinLookout {
    let tracker: SettleTracker
    private let identities = PendingIdentities()

    init(tracker: SettleTracker) { self.tracker = tracker }

    /// A file still settling in the same outbox whose key or document number
    /// matches: the twin of this submission is on its way.
    func isSettling(_ sub: OpenSubmission, settings: GatewaySettings) -> Bool {
        twins(of: sub, settings: settings, among: { tracker.pendingNames(in: $0) })
    }

    /// A twin that has settled and is claimed at the next turn.
    func isClaimable(_ sub: OpenSubmission, settings: GatewaySettings, now: Date) -> Bool {
        twins(of: sub, settings: settings, among: { tracker.settledNames(in: $0, now: now) })
    }

    private func twins(of sub: OpenSubmission, settings: GatewaySettings, among names: (String) -> [String]) -> Bool {
        guard !sub.isFolder else { return false }
        let outbox = sub.outboundGroup.map(settings.officeOutbox(forAddress:)) ?? settings.layout.outbox(sub.unit)
        return names(outbox).contains { name in
            identities.shares(name, with: sub.identities, pending: tracker.pendingCount)
        }
    }
}
