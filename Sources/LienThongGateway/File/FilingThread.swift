import Foundation
import LienThongSpool

/// Files decided submissions on a thread of its own, so that the loop
/// claims the next settled files while the last decisions' archive folders,
/// office copies and receipts are written and made durable: filing was half
/// of the loop's time per submission, and most of it waits on the disk.
///
/// Only `Placement.placeAll` runs here, one batch at a time in the order
/// given (a batch's promises about what is durable before what hold inside
/// it, as on the loop). The ledger, the retry schedule and the journal stay
/// on the loop thread, which waits for every batch before its turn goes on
/// (`FileStage.finishFiling`): while a batch is filed the loop only commits
/// decisions in the ledger and claims files into `queue/`, and touches
/// nothing the batch writes (no receipts, notices, office or archive folders).
final class FilingThread: @unchecked Sendable {
    /// How a batch ended, and what filing it cost the thread.
    struct Outcome: Sendable {
        /// nil when every step of the batch is durable.
        let error: (any Error)?
        let cpuSeconds: Double
        let wallSeconds: Double
    }

    /// A batch not tried because an earlier one of the same round failed:
    /// a full disk or an I/O error would fail it too, and every decided
    /// submission is filed again by the retry (`FileStage.retryIfDue`).
    struct NotTried: Error, CustomStringConvertible {
        var description: String { "not tried after an earlier batch failed" }
    }

    private let queue = OperationQueue()
    private let lock = NSLock()
    /// Outcomes by ticket, not yet taken; guarded by `lock`.
    private var outcomes: [Int: Outcome] = [:]
    /// A batch of this round failed; guarded by `lock`.
    private var failed = false

    init() {
        queue.name = "lienthong.filing"
        queue.maxConcurrentOperationCount = 1
    }

    deinit { queue.waitUntilAllOperationsAreFinished() }

    /// Starts filing one batch after those already started (loop thread).
    func start(ticket: Int, _ work: @escaping @Sendable () throws -> Void) {
        queue.addOperation { [self] in
            let w0 = StageClock.monotonic(), c0 = StageClock.threadCPU()
            var error: (any Error)?
            if lock.withLock({ failed }) {
                error = NotTried()
            } else {
                do { try work() } catch let e { error = e }
            }
            let outcome = Outcome(error: error, cpuSeconds: StageClock.threadCPU() - c0, wallSeconds: StageClock.monotonic() - w0)
            lock.withLock {
                if error != nil { failed = true }
                outcomes[ticket] = outcome
            }
        }
    }

    /// Waits until every batch started has ended; returns their outcomes
    /// and begins a new round (loop thread).
    func waitForAll() -> [Int: Outcome] {
        queue.waitUntilAllOperationsAreFinished()
        return lock.withLock {
            let done = outcomes
            outcomes = [:]
            failed = false
            return done
        }
    }
}
