import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One daemon per spool (DESIGN "evidence rules"): a second lienthongd on
/// the same config once ran beside the first, split pairs with it and wrote
/// the same receipt names. Both are real processes here.
@Suite(.serialized)
struct OneDaemonPerSpoolTests {
    let sto = "000.00.21.H41"

    @Test func secondDaemonExitsAtOnceNamingTheFirstAndTheLockDiesWithItsHolder() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        let first = try #require(d.process?.processIdentifier)

        let second = try runBounded(DaemonHarness.binary!, ["--config", d.configPath], timeout: 15)
        #expect(!second.timedOut, "a second daemon on the same spool kept running; it said:\n\(second.output)")
        #expect(second.status == 1, "second daemon's output:\n\(second.output)")
        #expect(second.output.contains("PID \(first)"), "the message does not name the running daemon: \(second.output)")
        #expect(second.output.contains("already runs on the spool"))
        #expect(second.seconds < 5, "took \(second.seconds) s to give up")

        // The first daemon is undisturbed: its control socket was not
        // taken over and a pair still gets its receipt.
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        try d.drop([pair.electronic, pair.scan], into: sto)
        let r = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted")
        #expect(r["arrival_number"] as? Int == 1)
        #expect(try Ctl.run(d, ["status"]).status == 0, "lienthongctl status no longer reaches the first daemon")

        // SIGKILL leaves no stale lock: the kernel drops it with the process.
        d.killHard()
        try d.start()
        #expect(d.process?.processIdentifier != first)
        let pair2 = try Fixtures.samplePair(key: "4117-UBND-CN")
        try d.drop([pair2.electronic, pair2.scan], into: sto)
        let r2 = try d.receipt(sto, key: "4117-UBND-CN", verdict: "accepted")
        #expect(r2["arrival_number"] as? Int == 2)
        #expect(d.stop() == 0)
    }

    struct Bounded { var status: Int32, output: String, timedOut: Bool, seconds: Double }

    /// Runs a command that should end by itself; SIGKILLs it after `timeout`
    /// so that a daemon which does not refuse cannot hang the suite.
    func runBounded(_ command: String, _ args: [String], timeout: Double) throws -> Bounded {
        let dir = try DaemonHarness.makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outPath = dir + "/output"
        #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: command)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        p.environment = env
        p.standardOutput = out
        p.standardError = out
        let started = Date()
        try p.run()
        var timedOut = false
        while p.isRunning {
            if Date().timeIntervalSince(started) > timeout {
                timedOut = true
                kill(p.processIdentifier, SIGKILL)
                break
            }
            usleep(50_000)
        }
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(started)
        let output = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        return Bounded(status: p.terminationStatus, output: output, timedOut: timedOut, seconds: seconds)
    }
}
