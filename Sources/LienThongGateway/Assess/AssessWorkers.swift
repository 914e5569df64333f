import Foundation
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads claimed files and validates electronic documents on worker threads
/// (`FileWork`), two at a time (the machine's cores), so a slow or hostile
/// file never holds the loop: other units' submissions are claimed and
/// decided, signals are heard and the watchdog is fed meanwhile. Reading is
/// done with SafeReader, validation by an immutable validator (OpenSSL 3 is
/// thread-safe); the ledger, decisions and file moves stay on the loop
/// thread, which collects results through `wakeFD`. One job per submission
/// at a time.
final class AssessWorkers: @unchecked Sendable {
    struct Result: Sendable {
        let submission: String
        /// The submission's files as listed when the job started.
        let listing: [FileWork.Listed]
        /// The trust store it validated with (`trustGeneration` when it started).
        let trustGeneration: Int
        let outcome: FileWork.Outcome
        /// CPU seconds the worker thread spent on it (StageClock).
        let cpuSeconds: Double
        /// When it was done, by the wall clock (the loop may collect it a
        /// whole turn later).
        var finishedAt = Date()
    }

    private let queue = OperationQueue()
    private let lock = NSLock()
    /// Results not yet collected; guarded by `lock`.
    private var finished: [Result] = []
    /// Jobs started and not yet collected, with the listing each one works
    /// on and its trust generation (loop thread only).
    private var running: [String: (listing: [FileWork.Listed], trust: Int)] = [:]
    /// Counts the trust stores a reload brought (loop thread only): a job
    /// started before the last one validated against the store before it,
    /// and its validations are not taken (`AssessStage.take`).
    private(set) var trustGeneration = 0
    /// Readable while results wait: the loop polls it.
    private let wakePipe: WakePipe
    var wakeFD: Int32 { wakePipe.readFD }

    init(threads: Int = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))) throws {
        wakePipe = try WakePipe()
        queue.name = "lienthong.assess"
        queue.maxConcurrentOperationCount = threads
    }

    deinit { queue.cancelAllOperations() }

    /// True while a job on this submission, as listed, is under way with
    /// the current trust store.
    func isRunning(_ submission: String, listing: [FileWork.Listed]) -> Bool {
        isRunning(submission, listing: listing, trust: trustGeneration)
    }

    private func isRunning(_ submission: String, listing: [FileWork.Listed], trust: Int) -> Bool {
        guard let job = running[submission] else { return false }
        return job.listing == listing && job.trust == trust
    }

    /// A reload brought new anchors or CRLs (loop thread).
    func trustChanged() { trustGeneration += 1 }

    var runningCount: Int { running.count }

    /// Starts a job on one submission's files on a worker (loop thread).
    func start(_ submission: String, listing: [FileWork.Listed], _ work: @escaping @Sendable () -> FileWork.Outcome) {
        let trust = trustGeneration
        running[submission] = (listing, trust)
        queue.addOperation { [self] in
            let c0 = StageClock.threadCPU()
            let outcome = work()
            let cpu = StageClock.threadCPU() - c0
            lock.lock()
            finished.append(Result(submission: submission, listing: listing, trustGeneration: trust, outcome: outcome, cpuSeconds: cpu))
            lock.unlock()
            wakePipe.wake()
        }
    }

    /// At a stop (loop thread): the jobs not begun are dropped (their
    /// submissions stay in queue/ and are read at the next start), and the
    /// ones under way are waited for — at most one file's read and one
    /// validation each, both bounded. Exiting under them tore OpenSSL down
    /// while a worker hashed (SIGSEGV at exit, BacklogTests).
    func stop() {
        queue.cancelAllOperations()
        queue.waitUntilAllOperationsAreFinished()
    }

    /// The results finished since the last call (loop thread).
    func collect() -> [Result] {
        wakePipe.drain()
        lock.lock()
        let results = finished
        finished = []
        lock.unlock()
        for r in results where isRunning(r.submission, listing: r.listing, trust: r.trustGeneration) { running[r.submission] = nil }
        return results
    }
}
