import Foundation
import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// Files decided submissions on a thread of its own, so that the loop
/// claims the next settled files while the last decisions' archive folders,
/// office copies and receipts are written and made durable: filing was half
/// of the loop's time per submission, and most of it waits on the disk.
///
/// Only `Placement.placeAll` runs here, in the order the batches were given;
/// batches that wait while one is filed are filed together next (group
/// commit: under load, fewer barriers per submission), up to `mergeLimit`
/// submissions. The promises about what is durable before what hold inside
/// a batch as on the loop. The ledger, the retry schedule and the journal stay
/// on the loop thread, which takes the finished batches when `wakeFD` is
/// readable and marks them placed (`FileStage.collectFiled`). Meanwhile the
/// loop touches nothing a batch in flight writes: it claims into `queue/`,
/// decides in the ledger, and waits for the filing first where it would
/// write a unit's pending notice of a key being filed
/// (`FileStage.waitForFiling(unit:key:)`), retry a failed filing, or shelve
/// receipts. Archive month folders both may make (`TrustedPath`: EEXIST).
final class FilingThread: @unchecked Sendable {
    /// How a batch ended, and what filing it cost the thread.
    struct Outcome: Sendable {
        /// nil when every step of the batch is durable.
        let error: (any Error)?
        let cpuSeconds: Double
        let wallSeconds: Double
    }

    /// A batch not tried because an earlier one failed: a full disk or an
    /// I/O error would fail it too, and every decided submission is filed
    /// again by the retry (`FileStage.retryIfDue`).
    struct NotTried: Error, CustomStringConvertible {
        var description: String { "not tried after an earlier batch failed" }
    }

    /// The most submissions filed together when batches wait: bounds what
    /// a stop (which waits for the filing) may wait for, about a second.
    static let mergeLimit = 512

    private let queue = OperationQueue()
    private let lock = NSLock()
    /// One batch as the loop gave it.
    private typealias Batch = (ticket: Int, placement: Placement, plans: [Placement.Plan])
    /// Batches given and not yet taken by the thread, in order; guarded by `lock`.
    private var waiting: [Batch] = []
    /// Outcomes by ticket, not yet taken; guarded by `lock`.
    private var outcomes: [Int: Outcome] = [:]
    /// A batch failed since the last `waitForAll`: the later ones are not
    /// tried (the loop schedules the retry, which waits for all first);
    /// guarded by `lock`.
    private var failed = false
    /// Readable while finished batches wait to be taken: the loop polls it.
    private let wakePipe: WakePipe
    var wakeFD: Int32 { wakePipe.readFD }

    init() throws {
        wakePipe = try WakePipe()
        queue.name = "lienthong.filing"
        queue.maxConcurrentOperationCount = 1
    }

    deinit { queue.waitUntilAllOperationsAreFinished() }

    /// Starts filing one batch after those already given (loop thread).
    func start(ticket: Int, placement: Placement, plans: [Placement.Plan]) {
        lock.withLock { waiting.append((ticket, placement, plans)) }
        // One operation per batch; one finding its batch taken already by
        // an earlier one (merged) has nothing to do.
        queue.addOperation { [self] in fileWaiting() }
    }

    /// Takes the batches waiting, up to `mergeLimit` submissions, and files
    /// them together (filing thread).
    private func fileWaiting() {
        let (taken, skip) = lock.withLock { () -> ([Batch], Bool) in
            var count = 0
            var n = 0
            while n < waiting.count, n == 0 || count + waiting[n].plans.count <= Self.mergeLimit {
                count += waiting[n].plans.count
                n += 1
            }
            let taken = Array(waiting.prefix(n))
            waiting.removeFirst(n)
            return (taken, failed)
        }
        guard let last = taken.last else { return }
        let w0 = StageClock.monotonic(), c0 = StageClock.threadCPU()
        var error: (any Error)?
        if skip {
            error = NotTried()
        } else {
            do {
                _ = try DurableFS.withSteadyUmask { try last.placement.placeAll(taken.flatMap(\.plans)) }
            } catch let e { error = e }
        }
        let cpu = StageClock.threadCPU() - c0, wall = StageClock.monotonic() - w0
        lock.withLock {
            if error != nil { failed = true }
            // The cost is booked once, on the first batch of the group.
            for (i, batch) in taken.enumerated() {
                outcomes[batch.ticket] = Outcome(error: error, cpuSeconds: i == 0 ? cpu : 0, wallSeconds: i == 0 ? wall : 0)
            }
        }
        wakePipe.wake()
    }

    /// The batches that have ended since the last call, by ticket, without
    /// waiting (loop thread).
    func takeFinished() -> [Int: Outcome] {
        wakePipe.drain()
        return lock.withLock {
            let done = outcomes
            outcomes = [:]
            return done
        }
    }

    /// Waits until every batch given has ended; returns their outcomes, and
    /// later batches are tried again even after a failure (loop thread).
    func waitForAll() -> [Int: Outcome] {
        queue.waitUntilAllOperationsAreFinished()
        let done = takeFinished()
        lock.withLock { failed = false }
        return done
    }
}
