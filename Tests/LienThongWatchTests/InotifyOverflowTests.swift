import Foundation
import Testing
@testable import LienThongWatch
#if canImport(Glibc)
import Glibc
#endif

/// The queue-overflow test. It belongs to the serialized `InotifyTests`
/// suite, so no other inotify instance of these tests is created while the
/// kernel limit is lowered.
extension InotifyTests {
    static let queueLimitKnob = "/proc/sys/fs/inotify/max_queued_events"

    static func readKnob() -> String? {
        (try? String(contentsOfFile: queueLimitKnob, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    static func writeKnob(_ value: String) -> Bool {
        let fd = open(queueLimitKnob, O_WRONLY | O_TRUNC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    /// An inotify instance with a small queue. The kernel takes
    /// max_queued_events when the instance is created, so the lowered value
    /// is in force only for the instant of `Inotify()` and restored at once
    /// (and in any case by the `defer`, even if creating the instance throws).
    static func smallQueueInotify() throws -> (Inotify, limit: Int, lowered: Bool) {
        if getuid() == 0, let previous = readKnob(), writeKnob("64") {
            defer {
                writeKnob(previous)
                #expect(readKnob() == previous, "max_queued_events was not restored")
            }
            return (try Inotify(), 64, true)
        }
        return (try Inotify(), Int(readKnob() ?? "") ?? 16384, false)
    }

    @Test(.timeLimit(.minutes(2)))
    func aQueueOverflowIsReported() throws {
        try Scratch.withDir("overflow") { root in
            let (ino, limit, lowered) = try Self.smallQueueInotify()
            ino.watchTree(root)
            // Each new file queues at least two events (create, close-write).
            let count = lowered ? 500 : limit + 1000
            for i in 0..<count { try Scratch.write(root + "/f\(i)", "x") }
            let events = ino.collect(timeout: 10) { $0.contains { $0.kind == .overflow } }
            #expect(events.contains { $0.kind == .overflow })
            // The queue held at most `limit` events; the overflow marker is the last.
            #expect(events.count <= limit + 1)
            #expect(events.last?.kind == .overflow)

            // Watching goes on after the overflow is read.
            try Scratch.write(root + "/after.pdf", "a")
            let later = ino.collect { $0.has(.activity, in: root, name: "after.pdf") }
            #expect(later.has(.activity, in: root, name: "after.pdf"))
        }
    }
}
