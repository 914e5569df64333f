import Foundation
import LienThongSpool

extension Gateway {
    /// `lienthongctl retry ID|ALL` in the daemon's own process: deferred
    /// deliveries of `submission` (nil: all) become due now, failed ones get a
    /// fresh lifetime. Returns how many. (From another process, call
    /// `Ledger.retryDeferredDeliveries(submission:now:)` on the spool's
    /// ledger: the daemon re-reads due deliveries at least every 10 s.)
    @discardableResult
    public func retryDeferredDeliveries(submission: String?) -> Int {
        (try? pipeline.ledger.retryDeferredDeliveries(submission: submission, now: Date())) ?? 0
    }
}
