import Foundation
import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// Files decided submissions on two threads of their own, so that the loop
/// claims the next settled files while the last decisions' archive folders,
/// office copies and receipts are written and made durable: filing was half
/// of the loop's time per submission, and most of it waits on the disk.
///
/// The two threads are the two halves of `Placement.placeAll`, in a
/// pipeline: the archiving thread puts a batch's reports beside its files
/// and its folders in the archive (`placeInArchive`, three barriers), then
/// hands it to the publishing thread, which makes the receipts and the
/// office copies (`placeReceiptsAndCopies`, five barriers) while the archiving
/// thread takes the next batch. One thread doing both was busy 95 % of the
/// time at 200 submissions a second on the bench's disk, and a receipt
/// waited for the batch in hand before its own. Each thread takes its
/// batches in the order they were given; batches that wait for a thread are
/// taken together (group commit: under load, fewer barriers per
/// submission), up to `mergeLimit` submissions. A submission's steps keep
/// their order (its publishing starts after its archiving has returned), and
/// the choices that depend on earlier submissions — receipt names and office
/// folders — are all made on the publishing thread, in order.
///
/// The ledger, the retry schedule and the journal stay on the loop thread,
/// which takes the finished batches when `wakeFD` is readable and marks them
/// placed (`FileStage.collectFiled`). Meanwhile the loop touches nothing a
/// batch in flight writes: it claims into `queue/`, decides in the ledger,
/// and waits for the filing first where it would write a unit's pending
/// notice of a key being filed (`FileStage.waitForFiling(unit:key:)`), retry
/// a failed filing, or shelve receipts. Archive month folders both the loop
/// and the archiving thread may make (`TrustedPath`: EEXIST).
final class FilingThreads: @unchecked Sendable {
    /// How a batch ended, and what filing it cost the threads.
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

    private enum Stage { case archiving, publishing }

    private let archiving = OperationQueue()
    private let publishing = OperationQueue()
    private let lock = NSLock()
    /// One batch as the loop gave it.
    private typealias Batch = (ticket: Int, placement: Placement, plans: [Placement.Plan])
    /// Batches waiting for each thread, in order; guarded by `lock`.
    private var toArchive: [Batch] = []
    private var toPublish: [Batch] = []
    /// CPU and wall seconds the threads spent on batches not finished yet,
    /// booked on the first ticket of each group filed together; guarded by `lock`.
    private var spent: [Int: (cpu: Double, wall: Double)] = [:]
    /// Outcomes by ticket, not yet taken; guarded by `lock`.
    private var outcomes: [Int: Outcome] = [:]
    /// A batch failed since the last `waitForAll`: the batches not yet begun
    /// by either thread are not tried (the loop schedules the retry, which
    /// waits for all first); guarded by `lock`.
    private var failed = false
    /// Readable while finished batches wait to be taken: the loop polls it.
    private let wakePipe: WakePipe
    var wakeFD: Int32 { wakePipe.readFD }

    init() throws {
        wakePipe = try WakePipe()
        archiving.name = "lienthong.filing.archive"
        publishing.name = "lienthong.filing.publish"
        archiving.maxConcurrentOperationCount = 1
        publishing.maxConcurrentOperationCount = 1
    }

    deinit {
        archiving.waitUntilAllOperationsAreFinished()
        publishing.waitUntilAllOperationsAreFinished()
    }

    /// Starts filing one batch after those already given (loop thread).
    func start(ticket: Int, placement: Placement, plans: [Placement.Plan]) {
        lock.withLock { toArchive.append((ticket, placement, plans)) }
        // One operation per batch and stage; one finding its batch taken
        // already by an earlier one (merged) has nothing to do.
        archiving.addOperation { [self] in file(.archiving) }
    }

    /// Takes the batches waiting for `stage`, up to `mergeLimit`
    /// submissions, and files them together (on that stage's thread).
    private func file(_ stage: Stage) {
        let (taken, skip) = lock.withLock { () -> ([Batch], Bool) in
            switch stage {
            case .archiving: return (Self.takeWaiting(&toArchive), failed)
            case .publishing: return (Self.takeWaiting(&toPublish), failed)
            }
        }
        guard let last = taken.last else { return }
        let w0 = StageClock.monotonic(), c0 = StageClock.threadCPU()
        var error: (any Error)?
        if skip {
            error = NotTried()
        } else {
            do {
                let plans = taken.flatMap(\.plans)
                // The office inbox's folders opened once a batch (`FolderHold`).
                try DurableFS.withSteadyUmask {
                    try TrustedPath.holdingFolders {
                        switch stage {
                        case .archiving: try last.placement.placeInArchive(plans)
                        case .publishing: try last.placement.placeReceiptsAndCopies(plans)
                        }
                    }
                }
            } catch let e { error = e }
        }
        let cpu = StageClock.threadCPU() - c0, wall = StageClock.monotonic() - w0
        let handOn = lock.withLock { () -> Bool in
            let first = taken[0].ticket
            spent[first] = ((spent[first]?.cpu ?? 0) + cpu, (spent[first]?.wall ?? 0) + wall)
            if error == nil, stage == .archiving {
                toPublish += taken
                return true
            }
            if error != nil { failed = true }
            for batch in taken {
                let cost = spent.removeValue(forKey: batch.ticket) ?? (0, 0)
                outcomes[batch.ticket] = Outcome(error: error, cpuSeconds: cost.cpu, wallSeconds: cost.wall)
            }
            return false
        }
        if handOn {
            publishing.addOperation { [self] in file(.publishing) }
        } else {
            wakePipe.wake()
        }
    }

    /// The first batches of `waiting`, taken out: at least one, and more
    /// while they stay within `mergeLimit` submissions together.
    private static func takeWaiting(_ waiting: inout [Batch]) -> [Batch] {
        var count = 0
        var n = 0
        while n < waiting.count, n == 0 || count + waiting[n].plans.count <= mergeLimit {
            count += waiting[n].plans.count
            n += 1
        }
        let taken = Array(waiting.prefix(n))
        waiting.removeFirst(n)
        return taken
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
        // The archiving thread hands each batch on before its operation
        // ends: once it is idle, every publishing operation is queued.
        archiving.waitUntilAllOperationsAreFinished()
        publishing.waitUntilAllOperationsAreFinished()
        let done = takeFinished()
        lock.withLock { failed = false }
        return done
    }
}
