import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the daemon's durability cost it, counted over its life: calls that
/// waited on the disk (an fsync of a file or folder, a syncfs of a whole
/// file system) and the seconds spent in them. Reported per decided
/// submission when the daemon stops (StageClock), beside the CPU per stage,
/// so `make bench` shows whether a change saved flushes or only moved them.
public enum SyncTally {
    public struct Counts: Sendable, Equatable {
        public var fsyncs = 0
        public var syncfs = 0
        public var seconds = 0.0
    }

    private static let counts = Mutex(Counts())

    public static var current: Counts { counts.withLock { $0 } }

    /// Runs one fsync (`wholeFileSystem` false) or syncfs and books it;
    /// errno is as the call left it, for the caller's error.
    static func time(wholeFileSystem: Bool = false, _ call: () -> Int32) -> Int32 {
        timed(wholeFileSystem: wholeFileSystem, call).result
    }

    /// `time`, also saying how long the call took (seconds).
    static func timed(wholeFileSystem: Bool = false, _ call: () -> Int32) -> (result: Int32, seconds: Double) {
        let t0 = monotonic()
        let result = call()
        let code = errno
        let spent = monotonic() - t0
        counts.withLock {
            if wholeFileSystem { $0.syncfs += 1 } else { $0.fsyncs += 1 }
            $0.seconds += spent
        }
        errno = code
        return (result, spent)
    }

    static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
