import Foundation
import Glibc
import LienThongCore

/// How much work validating one PDF may take, in total over every step of it
/// (DESIGN "Bound every parse in total"). The defaults pass an honest 200 MiB
/// scan (its images are never inflated: only object streams are) and stop a
/// 200 KiB bomb long before it costs memory or blocks the daemon.
public struct ValidationLimits: Sendable, Equatable {
    /// Bytes inflated over all object streams and filter stages of the file.
    /// Object streams hold only small dictionaries and arrays: a thousand-page
    /// document inflates a few MiB.
    public var maxInflatedBytes = 64 << 20
    /// Object streams decoded (real writers put 100 or more objects in each).
    public var maxStreamsDecoded = 4096
    /// PDF objects parsed, nested values included (each costs tens of bytes kept).
    public var maxObjectsParsed = 1_000_000
    /// Arrays and dictionaries inside one another (real files: under 10).
    public var maxDepth = 48
    /// Wall time for the whole file. Below the systemd watchdog (30 s).
    public var maxSeconds: Double = 20

    public init() {}

    public static let standard = ValidationLimits()
}

/// A monotonic clock in nanoseconds, injectable so tests can make time pass.
public struct MonotonicClock: Sendable {
    public let nanoseconds: @Sendable () -> UInt64

    public init(nanoseconds: @escaping @Sendable () -> UInt64) { self.nanoseconds = nanoseconds }

    public static let system = MonotonicClock {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// One file's budget, spent by every parse, inflate and scan of that file.
/// Once a bound is passed it stays passed: every later step stops at once, and
/// the validation reports the file `unreadable` naming the bound. Used by one
/// thread at a time (one file is validated on one thread).
final class ValidationBudget {
    typealias Bound = ValidationStop.Bound

    let limits: ValidationLimits
    private let clock: MonotonicClock
    private let started: UInt64
    private let deadline: UInt64

    private(set) var inflatedBytes = 0
    private(set) var streamsDecoded = 0
    private(set) var objectsParsed = 0
    private(set) var deepest = 0
    /// The first bound passed, if any.
    private(set) var exceeded: Bound?

    /// The clock is read once per this many objects (a read costs ~20 ns; an object ~100 ns).
    private static let clockInterval = 1024

    init(limits: ValidationLimits = .standard, clock: MonotonicClock = .system) {
        self.limits = limits
        self.clock = clock
        let seconds = max(0, limits.maxSeconds.isFinite ? limits.maxSeconds : 0)
        started = clock.nanoseconds()
        deadline = started &+ UInt64(min(seconds, 1e9) * 1e9)
    }

    var isExhausted: Bool { exceeded != nil }

    private func stop(_ bound: Bound) -> Bool {
        if exceeded == nil { exceeded = bound }
        return false
    }

    /// Checks the deadline; false once time is up.
    func checkTime() -> Bool {
        guard exceeded == nil else { return false }
        return clock.nanoseconds() < deadline ? true : stop(.time)
    }

    /// One more object parsed at `depth`; false when a bound is passed.
    func spendObject(depth: Int) -> Bool {
        guard exceeded == nil else { return false }
        if depth > deepest { deepest = depth }
        if depth >= limits.maxDepth { return stop(.depth) }
        objectsParsed += 1
        if objectsParsed > limits.maxObjectsParsed { return stop(.objectsParsed) }
        return objectsParsed % Self.clockInterval != 0 || checkTime()
    }

    /// One more stream to decode; false when a bound is passed.
    func spendStream() -> Bool {
        guard exceeded == nil else { return false }
        streamsDecoded += 1
        if streamsDecoded > limits.maxStreamsDecoded { return stop(.streamsDecoded) }
        return checkTime()
    }

    /// Bytes an inflate may still produce before the file's total is passed.
    var inflateAllowance: Int { max(0, limits.maxInflatedBytes - inflatedBytes) }

    /// `count` more bytes inflated; false when the total is passed (the
    /// inflater reports one byte past its allowance to say so).
    func spendInflated(_ count: Int) -> Bool {
        guard exceeded == nil else { return false }
        inflatedBytes += count
        if inflatedBytes > limits.maxInflatedBytes { return stop(.inflatedBytes) }
        return true
    }

    /// The bound passed and its limit, for the verdict.
    var stop: ValidationStop? {
        guard let exceeded else { return nil }
        let limit: Double
        switch exceeded {
        case .inflatedBytes: limit = Double(limits.maxInflatedBytes)
        case .streamsDecoded: limit = Double(limits.maxStreamsDecoded)
        case .objectsParsed: limit = Double(limits.maxObjectsParsed)
        case .depth: limit = Double(limits.maxDepth)
        case .time: limit = limits.maxSeconds
        }
        return ValidationStop(bound: exceeded, limit: limit)
    }

    /// For the report: which bound stopped the validation, in words an
    /// administrator can act on.
    var message: String? {
        stop.map { "PDF validation stopped: \($0.text(.en)). No genuine signed document needs this; ask the sender to export the PDF again" }
    }

    /// What was spent, for the validation report.
    var spent: String {
        let seconds = Double(clock.nanoseconds() &- started) / 1e9
        return "spent: \(inflatedBytes >> 20) MiB inflated from \(streamsDecoded) object streams, \(objectsParsed) PDF objects parsed, "
            + "nesting depth \(deepest), \(String(format: "%.1f", seconds)) s"
    }
}
