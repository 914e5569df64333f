import Foundation
import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// Where the daemon's time goes, stage by stage: wall-clock and CPU seconds
/// of the loop thread in each stage, and the CPU the assess workers spent
/// reading and validating. Reported in the journal when the daemon stops (and read by
/// `make bench`), so the next bottleneck shows itself in figures instead of
/// guesses. Costs two clock reads per stage and turn.
final class StageClock {
    enum Stage: String, CaseIterable {
        /// inotify events read and settle bookkeeping.
        case watch
        /// Settled files claimed: intents, renames, folder fsyncs, the seal copy.
        case claim
        /// Files read, hashed and sent to validation; the rule asked.
        case assess
        /// Decisions, arrival numbers and receipts committed in the ledger.
        case commit
        /// Decided submissions filed: the loop starting the filing threads on
        /// them and waiting for them, and retries after a failure.
        case file
        /// Fan-out deliveries of the office's documents.
        case deliver
        /// Everything else of a turn (control requests, STATUS, shelving).
        case other
        /// The loop waiting in poll(2) for something to do.
        case wait
    }

    private(set) var wall: [Stage: Double] = [:]
    private(set) var cpu: [Stage: Double] = [:]
    /// CPU seconds the assess workers spent reading and validating, summed
    /// over the threads.
    var workerCPU: Double = 0
    /// Seconds the filing threads spent filing (FilingThreads), wall and
    /// CPU, summed over both.
    var filingWall: Double = 0
    var filingCPU: Double = 0
    var decided = 0
    /// Group commits: how many claim and decision batches carried them
    /// (fewer, larger batches mean fewer barriers per submission).
    var claimBatches = 0
    var claimedFiles = 0
    var decisionBatches = 0

    /// Runs `body` and books its time to `stage`.
    @discardableResult
    func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let w0 = Self.monotonic(), c0 = Self.threadCPU()
        defer {
            wall[stage, default: 0] += Self.monotonic() - w0
            cpu[stage, default: 0] += Self.threadCPU() - c0
        }
        return try body()
    }

    /// One line for the journal: milliseconds per decided submission.
    func summary() -> String {
        let per = Double(max(decided, 1))
        func ms(_ s: Double) -> String { String(format: "%.2f", s * 1000 / per) }
        var parts = Stage.allCases.filter { $0 != .wait }.map { "\($0.rawValue) \(ms(wall[$0] ?? 0))/\(ms(cpu[$0] ?? 0))" }
        parts.append("read and validate (workers) -/\(ms(workerCPU))")
        parts.append("file (filing threads) \(ms(filingWall))/\(ms(filingCPU))")
        parts.append("wait \(ms(wall[.wait] ?? 0))")
        let syncs = SyncTally.current
        func each(_ n: Int) -> String { String(format: "%.2f", Double(n) / per) }
        parts.append("disk syncs \(each(syncs.fsyncs)) fsync + \(each(syncs.syncfs)) syncfs (\(ms(syncs.seconds)) ms waiting in them)")
        parts.append("\(claimedFiles) files claimed in \(claimBatches) batches, \(decided) decisions in \(decisionBatches) batches")
        return "time per decided submission over \(decided) (wall/cpu ms): " + parts.joined(separator: ", ")
    }

    static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// CPU seconds of the calling thread.
    static func threadCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
