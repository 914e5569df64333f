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
    }

    private let queue = OperationQueue()
    private let lock = NSLock()
    /// Results not yet collected; guarded by `lock`.
    private var finished: [Result] = []
    /// Jobs started and not yet collected, with the stamp each one read (loop thread only).
    private var running: [Key: FileStamp?] = [:]
    /// Readable while results wait: the loop polls it.
    let wakeFD: Int32
    private let wakeWriteFD: Int32

    init(threads: Int = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount))) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        (wakeFD, wakeWriteFD) = (fds[0], fds[1])
        queue.name = "lienthong.validation"
        queue.maxConcurrentOperationCount = threads
    }

    deinit {
        queue.cancelAllOperations()
        close(wakeFD)
        close(wakeWriteFD)
    }

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
            var one: UInt8 = 1
            _ = write(wakeWriteFD, &one, 1)  // a full pipe already says "results wait"
        }
    }

    /// The results finished since the last call (loop thread).
    func collect() -> [Result] {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(wakeFD, &sink, sink.count) > 0 {}
        lock.lock()
        let results = finished
        finished = []
        lock.unlock()
        for r in results where isRunning(r.key, stamp: r.stamp) { running[r.key] = nil }
        return results
    }
}
