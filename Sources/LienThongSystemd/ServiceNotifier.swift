import CSystemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The service manager's notification protocol (sd_notify(3)) for a
/// `Type=notify` unit.
///
/// Every call is a no-op returning `false` when the process was not started
/// by systemd (NOTIFY_SOCKET unset), so the daemon can call these
/// unconditionally, in the foreground, under tests or another supervisor.
/// A `true` result only means the datagram was sent; systemd does not answer.
public enum ServiceNotifier {
    /// Tells systemd start-up is complete: `systemctl start` returns, and
    /// dependent units start. Send it once the folders are watched.
    @discardableResult
    public static func ready(status: String) -> Bool {
        send(NotifyMessage.ready(status: status))
    }

    /// Replaces the one-line status `systemctl status` shows.
    @discardableResult
    public static func status(_ line: String) -> Bool {
        send(NotifyMessage.status(line))
    }

    /// Keep-alive for `WatchdogSec=`: send it from the loop that does the work,
    /// not from a timer of its own, so a wedged loop is noticed and restarted.
    @discardableResult
    public static func watchdog() -> Bool {
        send(NotifyMessage.watchdog)
    }

    /// Says a reload has begun. systemd 252 has no Type=notify-reload, but it
    /// still shows "reloading" until READY=1 follows: send `ready(status:)`
    /// when the reload is done, whether it succeeded or was refused.
    @discardableResult
    public static func reloading(status: String) -> Bool {
        send(NotifyMessage.reloading(status: status, monotonicMicroseconds: monotonicMicroseconds()))
    }

    /// Says shutdown has begun, so systemd shows "deactivating" while the step
    /// in hand finishes.
    @discardableResult
    public static func stopping(status: String) -> Bool {
        send(NotifyMessage.stopping(status: status))
    }

    /// Asks for more time to start or stop (`EXTEND_TIMEOUT_USEC`), e.g. while a
    /// large recovery scan runs before READY. systemd fails the unit if neither
    /// READY nor another extension arrives within `seconds`.
    @discardableResult
    public static func extendTimeout(seconds: Double) -> Bool {
        send(NotifyMessage.extendTimeout(microseconds: microseconds(seconds)))
    }

    /// The interval at which to call `watchdog()`: half of the unit's
    /// `WatchdogSec=` (systemd's own advice, leaving room for one late ping),
    /// or nil when no watchdog is asked of this process.
    public static func watchdogInterval() -> Double? {
        var usec: UInt64 = 0
        // unset_environment = 0: a child we spawn is not the watched process,
        // but sd_watchdog_enabled checks WATCHDOG_PID against getpid() for us.
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return Double(usec) / 2 / 1_000_000
    }

    /// Whether a service manager listens (NOTIFY_SOCKET is set).
    public static var isSupervised: Bool {
        getenv("NOTIFY_SOCKET") != nil
    }

    // MARK: -

    private static func send(_ message: String) -> Bool {
        // sd_notify: > 0 sent, 0 no NOTIFY_SOCKET, < 0 -errno. The daemon must
        // not stop because a notification failed, so an error is just `false`.
        sd_notify(0, message) > 0
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    static func microseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return UInt64(min(seconds * 1_000_000, Double(UInt64.max / 2)))
    }
}

/// The text of the notification datagrams, kept apart from sending them so
/// it can be tested without a service manager.
enum NotifyMessage {
    static func ready(status: String) -> String {
        "READY=1\n" + statusField(status)
    }

    static func status(_ line: String) -> String {
        statusField(line)
    }

    static let watchdog = "WATCHDOG=1"

    static func reloading(status: String, monotonicMicroseconds: UInt64) -> String {
        "RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds)\n" + statusField(status)
    }

    static func stopping(status: String) -> String {
        "STOPPING=1\n" + statusField(status)
    }

    static func extendTimeout(microseconds: UInt64) -> String {
        "EXTEND_TIMEOUT_USEC=\(microseconds)"
    }

    /// `STATUS=` with a value that cannot break out of its line. The status
    /// carries names that came from outside (submission keys): a newline in
    /// one would otherwise start another assignment, say `MAINPID=` or
    /// `READY=1`, that systemd would obey.
    static func statusField(_ value: String) -> String {
        "STATUS=" + singleLine(value)
    }

    /// Control characters (newline, CR, tab, NUL …) become spaces.
    static func singleLine(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            let isControl = scalar.value < 0x20 || scalar.value == 0x7F
                || (0x80...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            scalars.append(isControl ? " " : scalar)
        }
        return String(scalars)
    }
}
