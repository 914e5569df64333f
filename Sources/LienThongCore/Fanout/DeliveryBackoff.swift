import Foundation

/// When a failed delivery is tried again (SPEC §7): 30 s, doubling, at most
/// an hour apart; given up once `lifetime` has passed since it was planned.
/// For a short lifetime the steps shrink with it, so a delivery is still
/// tried about ten times or more before it is reported failed.
public struct DeliveryBackoff: Sendable, Equatable {
    public var lifetime: Double
    public var base: Double
    public var cap: Double

    public init(lifetime: Double, base: Double = 30, cap: Double = 3600) {
        self.lifetime = lifetime
        self.base = min(base, max(0.05, lifetime / 100))
        self.cap = min(cap, max(0.1, lifetime / 10))
    }

    /// The pause after the `attempts`-th failed try (1-based).
    public func delay(afterAttempts attempts: Int) -> Double {
        let exponent = Double(max(0, min(attempts - 1, 30)))
        return min(cap, base * pow(2, exponent))
    }

    public enum Next: Sendable, Equatable {
        case retry(at: Date)
        case giveUp
    }

    /// After a failed try at `now`: try again (never later than the end of
    /// the lifetime, so the last chance is not missed) or give up.
    public func next(afterAttempts attempts: Int, plannedAt: Date, now: Date) -> Next {
        let end = plannedAt.addingTimeInterval(lifetime)
        if now >= end { return .giveUp }
        return .retry(at: min(now.addingTimeInterval(delay(afterAttempts: attempts)), end))
    }
}
