import Testing
@testable import LienThongSystemd

#if canImport(Glibc)
import Glibc
#endif

@Suite("sd_notify messages")
struct NotifyMessageTests {
    @Test func readyCarriesStatus() {
        #expect(NotifyMessage.ready(status: "watching 12 folders") == "READY=1\nSTATUS=watching 12 folders")
    }

    @Test func statusIsOneAssignment() {
        #expect(NotifyMessage.status("3 pending") == "STATUS=3 pending")
    }

    @Test func watchdogPing() {
        #expect(NotifyMessage.watchdog == "WATCHDOG=1")
    }

    @Test func stoppingCarriesStatus() {
        #expect(NotifyMessage.stopping(status: "finishing 1 step") == "STOPPING=1\nSTATUS=finishing 1 step")
    }

    @Test func reloadingCarriesMonotonicTimeThenStatus() {
        #expect(
            NotifyMessage.reloading(status: "reloading", monotonicMicroseconds: 1_234_567)
                == "RELOADING=1\nMONOTONIC_USEC=1234567\nSTATUS=reloading"
        )
    }

    @Test func extendTimeoutInMicroseconds() {
        #expect(NotifyMessage.extendTimeout(microseconds: ServiceNotifier.microseconds(90)) == "EXTEND_TIMEOUT_USEC=90000000")
        #expect(ServiceNotifier.microseconds(-1) == 0)
        #expect(ServiceNotifier.microseconds(.infinity) == 0)
    }

    /// A submission key is text from outside; a newline in it must not let it
    /// add an assignment systemd would obey (READY=1, MAINPID=…).
    @Test(arguments: ["key\nMAINPID=1", "key\rREADY=1", "a\u{0}b", "x\u{2028}y", "tab\there", "c1\u{85}z"])
    func statusCannotInjectAssignments(hostile: String) {
        let message = NotifyMessage.status(hostile)
        #expect(!message.contains("\n"))
        #expect(!message.contains("\r"))
        #expect(message.hasPrefix("STATUS="))
        #expect(message.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) && $0 != "\u{2028}" })
    }

    @Test func statusKeepsVietnameseText() {
        let text = "đang theo dõi 12 thư mục, 3 chờ, hôm nay nhận 5, trả lại 1"
        #expect(NotifyMessage.status(text) == "STATUS=" + text)
    }

    @Test func monotonicClockIsCLOCK_MONOTONICInMicroseconds() {
        func reference() -> UInt64 {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        }
        let before = reference()
        let value = ServiceNotifier.monotonicMicroseconds()
        let after = reference()
        #expect(before <= value && value <= after)
    }
}

@Suite("ServiceNotifier without a service manager")
struct ServiceNotifierUnsupervisedTests {
    @Test(.enabled(if: getenv("NOTIFY_SOCKET") == nil, "the test process itself runs under a service manager"))
    func everyCallIsANoOp() {
        #expect(!ServiceNotifier.isSupervised)
        #expect(!ServiceNotifier.ready(status: "x"))
        #expect(!ServiceNotifier.status("x"))
        #expect(!ServiceNotifier.watchdog())
        #expect(!ServiceNotifier.reloading(status: "x"))
        #expect(!ServiceNotifier.stopping(status: "x"))
        #expect(!ServiceNotifier.extendTimeout(seconds: 5))
    }

    @Test(.enabled(if: getenv("WATCHDOG_USEC") == nil, "the test process itself runs under a watchdog"))
    func noWatchdogAskedFor() {
        #expect(ServiceNotifier.watchdogInterval() == nil)
    }
}

/// The real sd_notify against a socket of our own. Each runs in a child
/// process (an exit test) because NOTIFY_SOCKET and WATCHDOG_* are
/// process-wide: set here, they would leak into every other test running in
/// parallel in this process.
@Suite("ServiceNotifier through libsystemd")
struct ServiceNotifierProtocolTests {
    @Test func datagramsReachTheNotifySocket() async {
        await #expect(processExitsWith: .success) {
            let receiver = NotifyReceiver()
            setenv("NOTIFY_SOCKET", receiver.path, 1)
            let checks: [(Bool, String)] = [
                (ServiceNotifier.ready(status: "watching 3 folders"), "READY=1\nSTATUS=watching 3 folders"),
                (ServiceNotifier.status("1 pending"), "STATUS=1 pending"),
                (ServiceNotifier.watchdog(), "WATCHDOG=1"),
                (ServiceNotifier.stopping(status: "bye"), "STOPPING=1\nSTATUS=bye"),
            ]
            for (sent, expected) in checks {
                let got = receiver.receive()
                guard sent, got == expected else {
                    fail("sent=\(sent), expected \(expected.debugDescription), got \(got.debugDescription)")
                }
            }
            let before = ServiceNotifier.monotonicMicroseconds()
            guard ServiceNotifier.reloading(status: "re-reading") else { fail("reloading not sent") }
            let lines = receiver.receive().split(separator: "\n").map(String.init)
            guard lines.count == 3, lines[0] == "RELOADING=1", lines[2] == "STATUS=re-reading",
                  lines[1].hasPrefix("MONOTONIC_USEC="),
                  let usec = UInt64(lines[1].dropFirst("MONOTONIC_USEC=".count)),
                  usec >= before, usec <= ServiceNotifier.monotonicMicroseconds()
            else { fail("bad RELOADING message: \(lines)") }
            exit(EXIT_SUCCESS)
        }
    }

    @Test func watchdogIntervalIsHalfOfWatchdogSec() async {
        await #expect(processExitsWith: .success) {
            setenv("WATCHDOG_USEC", "30000000", 1)
            setenv("WATCHDOG_PID", String(getpid()), 1)
            guard ServiceNotifier.watchdogInterval() == 15.0 else {
                fail("expected 15 s, got \(String(describing: ServiceNotifier.watchdogInterval()))")
            }
            exit(EXIT_SUCCESS)
        }
    }

    /// The watchdog was asked of another process (our parent, say): not us.
    @Test func watchdogOfAnotherProcessIsNotOurs() async {
        await #expect(processExitsWith: .success) {
            setenv("WATCHDOG_USEC", "30000000", 1)
            setenv("WATCHDOG_PID", String(getppid()), 1)
            guard ServiceNotifier.watchdogInterval() == nil else { fail("watchdog of the parent taken as ours") }
            exit(EXIT_SUCCESS)
        }
    }
}

/// Leaves an exit test's child with a message its parent prints.
func fail(_ message: String) -> Never {
    let text = Array("FAILED: \(message)\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(EXIT_FAILURE)
}

/// A datagram socket standing in for systemd's notification socket. It lives
/// in the abstract namespace ("@name", which sd_notify understands), so it
/// leaves no file behind when the child exits.
struct NotifyReceiver {
    let fd: Int32
    /// The NOTIFY_SOCKET value.
    let path: String

    init() {
        let name = "lienthong-notify-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        path = "@" + name
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { fail("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let nameBytes = Array(name.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw[0] = 0  // abstract: a NUL, then the name, no terminator
            raw.baseAddress!.advanced(by: 1).copyMemory(from: nameBytes, byteCount: nameBytes.count)
        }
        let length = MemoryLayout<sa_family_t>.size + 1 + nameBytes.count
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(length))
            }
        }
        guard bound == 0 else { fail("bind \(path): errno \(errno)") }
        // Never hang the suite: a missing datagram shows as an empty message.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }
}
