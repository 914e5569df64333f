import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemon under pressure from the kernel: its inotify queue overflows
/// while it is stopped, and its spool's disk fills up. Both need root (a
/// lowered sysctl, a tmpfs mount); they skip with that reason otherwise.
@Suite(.serialized)
struct PressureTests {
    let sto = "000.00.21.H41"
    static let queueKnob = "/proc/sys/fs/inotify/max_queued_events"

    static func readKnob() -> String? {
        (try? String(contentsOfFile: queueKnob, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    static func writeKnob(_ value: String) -> Bool {
        let fd = open(queueKnob, O_WRONLY | O_TRUNC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    /// True once the process has an inotify descriptor (made at inotify_init,
    /// which is when the kernel reads max_queued_events).
    static func hasInotify(_ pid: Int32) -> Bool {
        let dir = "/proc/\(pid)/fd"
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/" + fd))?.contains("inotify") == true { return true }
        }
        return false
    }

    func dropReports(_ d: DaemonHarness, keys: [String], samples: String) throws -> [SpoolAudit.Dropped] {
        let staging = d.dir + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        var dropped: [SpoolAudit.Dropped] = []
        for key in keys {
            try FileManager.default.copyItem(atPath: samples + "/\(key).pdf", toPath: staging + "/\(key).pdf")
            dropped.append(.init(unit: sto, name: "\(key).pdf", sha256: try sha256(samples + "/\(key).pdf")))
        }
        // Copy (not rename) into the outbox: create, write, close — the most
        // events per file, the way a Samba client writes.
        for key in keys { try FileManager.default.copyItem(atPath: staging + "/\(key).pdf", toPath: d.outbox(sto) + "/\(key).pdf") }
        return dropped
    }

    func receiptCount(_ d: DaemonHarness) -> Int { d.receiptNames(sto).filter(DaemonHarness.isDecisionReceipt).count }

    @Test(.enabled(if: getuid() == 0, "lowering fs.inotify.max_queued_events needs root"), .timeLimit(.minutes(10)))
    func anOverflowWhileStoppedIsRescannedAndEverythingDecided() async throws {
        let keys = (1...300).map { "\(4000 + $0)-BC-STTTT" }
        let samples = try Fixtures.batch(keys: keys)
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "200ms")
        let previous = try #require(Self.readKnob())
        // The kernel takes the limit at inotify_init: lower it only until the
        // daemon has its instance, then restore at once (and in any case).
        #expect(Self.writeKnob("64"))
        defer {
            Self.writeKnob(previous)
            #expect(Self.readKnob() == previous, "max_queued_events was not restored")
        }
        try d.start(waitReady: false)
        let pid = try #require(d.process?.processIdentifier)
        try await d.waitUntil("the daemon's inotify instance", timeout: 30) { Self.hasInotify(pid) }
        Self.writeKnob(previous)
        try await d.waitUntil("daemon ready", timeout: 60) { d.log.contains("lienthongd ready") }

        d.signal(SIGSTOP)
        let dropped = try dropReports(d, keys: keys, samples: samples)
        d.signal(SIGCONT)
        try await d.waitUntil("300 receipts", timeout: 300) { receiptCount(d) >= keys.count }
        #expect(d.log.contains("inotify queue overflowed: rescanning every outbox"))
        #expect(d.stop() == 0)
        let audit = try SpoolAudit(spool: d.spool).check(dropped: dropped, units: [sto], expectAccepted: keys.count)
        #expect(audit.problems.isEmpty, "\(audit.problems.prefix(20))")
    }

    /// Writes `path` until the disk has not one byte left.
    func fill(_ path: String) {
        let fd = open(path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o600)
        #expect(fd >= 0)
        for chunk in [1 << 20, 64 << 10, 4 << 10, 512, 1] {
            let block = [UInt8](repeating: 0x55, count: chunk)
            while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == chunk {}
        }
        #expect(errno == ENOSPC)
        close(fd)
    }

    /// The ledger on the full disk too: SQLite answers SQLITE_FULL.
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs spool needs root"), .timeLimit(.minutes(10)))
    func aFullDiskLosesNothingAndEverythingIsFiledOnceSpaceReturns() async throws {
        try await fullDisk(separateLedger: false)
    }

    /// The ledger on a disk of its own that has space: decisions commit, and
    /// it is the filing (receipts, archive, office copies) that meets ENOSPC.
    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs spool needs root"), .timeLimit(.minutes(10)))
    func aFullSpoolWithRoomInTheLedgerFilesEverythingOnceSpaceReturns() async throws {
        try await fullDisk(separateLedger: true)
    }

    func fullDisk(separateLedger: Bool) async throws {
        let warm = (1...5).map { "\(5000 + $0)-BC-STTTT" }
        let keys = (1...40).map { "\(6000 + $0)-BC-STTTT" }
        let scans = (1...20).map { "\(7000 + $0)-UBND-KT" }
        let samples = try Fixtures.batch(keys: warm + keys + scans)
        // A window long enough that the disk is full before it ends, however
        // slowly this test runs between seeing the claims and filling the disk.
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "200ms", window: "20s")
        try FileManager.default.createDirectory(atPath: d.spool, withIntermediateDirectories: true)
        try run("/bin/mount", ["-t", "tmpfs", "-o", "size=24m,mode=0755", "tmpfs", d.spool])
        if separateLedger {
            try FileManager.default.createDirectory(atPath: d.spool + "/state", withIntermediateDirectories: true)
            try run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", d.spool + "/state"])
        }
        defer {
            if let p = d.process, p.isRunning { d.killHard() }
            if separateLedger { _ = try? run("/bin/umount", ["-l", d.spool + "/state"]) }
            _ = try? run("/bin/umount", ["-l", d.spool])
        }
        try d.start()
        var dropped = try dropReports(d, keys: warm, samples: samples)
        try await d.waitUntil("the first receipts", timeout: 60) { receiptCount(d) >= warm.count }

        // Stopped, the drops arrive, then the disk is filled to the last byte.
        d.signal(SIGSTOP)
        dropped += try dropReports(d, keys: keys, samples: samples)
        let filler = d.spool + "/filler"
        fill(filler)
        d.signal(SIGCONT)

        try await d.waitUntil("a logged disk-full error", timeout: 60) {
            d.log.contains("No space left on device") || d.log.contains("database or disk is full")
        }
        try await pause(3_000_000)
        #expect(d.process?.isRunning == true, "the daemon must not crash on a full disk")
        // Nothing half-moved: each file is in exactly one of outbox, queue, archive.
        for key in keys {
            let name = "\(key).pdf"
            var places = FileManager.default.fileExists(atPath: d.outbox(sto) + "/" + name) ? 1 : 0
            for sub in (try? FileManager.default.subpathsOfDirectory(atPath: d.spool + "/queue")) ?? [] where sub.hasSuffix("files/" + name) { places += 1 }
            for sub in (try? FileManager.default.subpathsOfDirectory(atPath: d.spool + "/archive")) ?? [] where sub.hasSuffix("files/" + name) { places += 1 }
            #expect(places == 1, "\(name) is in \(places) places while the disk is full")
        }
        let stuck = receiptCount(d)
        #expect(stuck < warm.count + keys.count, "the full disk held nothing back; the test did not test anything")

        // Space returns: the daemon finishes by itself.
        #expect(unlink(filler) == 0)
        try await d.waitUntil("every receipt after space returned", timeout: 240) { receiptCount(d) >= warm.count + keys.count }

        // Claimed with space, the disk fills before their window ends: the
        // decisions and their filing meet the full disk.
        for key in scans {
            // The outbox is on the tmpfs: copied in, not renamed.
            try FileManager.default.copyItem(atPath: samples + "/\(key)_scan.pdf", toPath: d.outbox(sto) + "/\(key)_scan.pdf")
            dropped.append(.init(unit: sto, name: "\(key)_scan.pdf", sha256: try sha256(samples + "/\(key)_scan.pdf")))
        }
        try await d.waitUntil("the scans claimed", timeout: 60) { ((try? FileManager.default.contentsOfDirectory(atPath: d.outbox(sto))) ?? ["?"]).isEmpty }
        let errorsBefore = d.log.components(separatedBy: "ERROR").count
        fill(filler)
        try await d.waitUntil("the decisions meeting the full disk", timeout: 120) { d.log.components(separatedBy: "ERROR").count > errorsBefore }
        try await pause(2_000_000)
        #expect(d.process?.isRunning == true)
        #expect(unlink(filler) == 0)
        let total = warm.count + keys.count + scans.count
        try await d.waitUntil("every receipt after space returned again", timeout: 240) { receiptCount(d) >= total }
        #expect(d.stop() == 0)
        let audit = try SpoolAudit(spool: d.spool).check(dropped: dropped, units: [sto], expectAccepted: warm.count + keys.count)
        #expect(audit.problems.isEmpty, "\(audit.problems.prefix(20))")
        let errors = d.log.split(separator: "\n").filter { $0.hasPrefix("ERR") }
        print("FULL DISK (ledger \(separateLedger ? "apart" : "on it too")): \(stuck - warm.count) of \(keys.count) filed while full; all filed after space returned; \(errors.count) errors logged, e.g.:")
        for line in Set(errors.map { $0.prefix(110) }).sorted().prefix(8) { print("  " + line) }
    }
}
