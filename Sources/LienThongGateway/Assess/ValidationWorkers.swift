import Foundation
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

/// Validates electronic documents on worker threads, two at a time (the
/// machine's cores), so a slow or hostile file never holds the loop: other
/// units' submissions are decided, signals are heard and the watchdog is fed
/// meanwhile. Only the validation runs here (OpenSSL 3 is thread-safe, the
/// validator is immutable); reading files, the ledger, decisions and file
/// moves stay on the loop thread, which collects results through `wakeFD`.
final class ValidationWorkers: @unchecked Sendable {
    struct Key: Hashable, Sendable {
        let submission: String
        /// By the name's bytes: NFC and NFD twins are validated each on its own.
        let name: FileName
    }

    struct Result: Sendable {
        let key: Key
        /// The file as it was when read for this validation.
        let stamp: FileStamp?
        let validation: DocumentValidation
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
    /// Jobs started and not yet collected, with the stamp each one read (loop thread only).
    private var running: [Key: FileStamp?] = [:]
    /// Readable while results wait: the loop polls it.
    private let wakePipe: WakePipe
    var wakeFD: Int32 { wakePipe.readFD }

    init(threads: Int = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))) throws {
        wakePipe = try WakePipe()
        queue.name = "lienthong.validation"
        queue.maxConcurrentOperationCount = threads
    }

    deinit { queue.cancelAllOperations() }

    /// True while a validation of this file, as stamped, is under way.
    func isRunning(_ key: Key, stamp: FileStamp?) -> Bool {
        guard let started = running[key] else { return false }
        return started == stamp
    }

    var runningCount: Int { running.count }

    /// Starts validating one file on a worker (loop thread).
    func start(_ key: Key, stamp: FileStamp?, _ work: @escaping @Sendable () -> DocumentValidation) {
        running[key] = stamp
        queue.addOperation { [self] in
            let c0 = StageClock.threadCPU()
            let validation = work()
            let cpu = StageClock.threadCPU() - c0
            lock.lock()
            finished.append(Result(key: key, stamp: stamp, validation: validation, cpuSeconds: cpu))
            lock.unlock()
            wakePipe.wake()
        }
    }

    /// The results finished since the last call (loop thread).
    func collect() -> [Result] {
        wakePipe.drain()
        lock.lock()
        let results = finished
        finished = []
        lock.unlock()
        for r in results where isRunning(r.key, stamp: r.stamp) { running[r.key] = nil }
        return results
    }
}
