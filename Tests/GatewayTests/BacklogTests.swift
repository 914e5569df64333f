import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Thousands of files waiting when the daemon starts (found by `make bench`:
/// the whole backlog used to be claimed in one loop turn, deaf to SIGTERM
/// and the watchdog for minutes).
@Suite(.serialized)
struct BacklogTests {
    let unit = "000.00.21.H41"

    func count(_ dir: String) -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).count }

    /// Files claimed into queue/<id>/files/.
    func queuedFiles(_ d: DaemonHarness) -> Int {
        let queue = d.spool + "/queue"
        return ((try? FileManager.default.contentsOfDirectory(atPath: queue)) ?? []).reduce(0) { $0 + count(queue + "/" + $1 + "/files") }
    }

    @Test func sigtermDuringABacklogStopsBetweenPortionsAndLosesNothing() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "200ms", window: "1h")
        let outbox = d.outbox(unit)
        try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        let n = 3000
        for i in 0..<n {
            // Scans alone: each waits for its electronic twin, so every one
            // stays gathering in queue/ and can be counted there.
            try Data("%PDF-1.4\n% scan \(i)\n".utf8).write(to: URL(fileURLWithPath: outbox + "/\(i)-UBND-WAIT_scan.pdf"))
        }
        try d.start()
        try d.waitFor("the first claims", timeout: 120) { queuedFiles(d) > 0 }
        #expect(d.stop() == 0)
        let left = count(outbox)
        let queued = queuedFiles(d)
        // It stopped after the portion in hand, not after the whole backlog...
        #expect(left > 0)
        // ...and every file is in exactly one place.
        #expect(left + queued == n)
        #expect(d.log.contains("stay in queue/ for the next start"))

        // The next start takes up the rest.
        try d.start()
        try d.waitFor("the whole backlog claimed", timeout: 900) { count(outbox) == 0 && queuedFiles(d) == n }
        #expect(d.stop() == 0)
        #expect(queuedFiles(d) == n)
    }
}
