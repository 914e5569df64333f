import Foundation
import Testing

/// MESSAGE_IDs as Sources/LienThongSystemd/MessageID.swift fixes them. This
/// target links nothing of the project (it tests from outside), so they are
/// repeated; `catalogIDsMatch` in the catalog test keeps them honest.
enum KnownMessageID {
    static let accepted = "ffad6ca9d26a495a937c309b9441024c"
    static let reloaded = "15232de537c945eb9de51e8137d59e30"
    static let reloadFailed = "bc2009f13ae8460d87f5087679fcb4d4"
    static let stopping = "b22c117d81944982a6d9f49d39efba16"
    static let auditProblem = "209f704f68e64b25b25396813f1702b6"
}

/// What systemd must see of any daemon run by systemd/lienthongd.service:
/// the same checks serve the stand-in daemon (proving unit and harness) and
/// the real lienthongd.
enum ServiceChecks {
    /// `systemctl start` returns once READY=1 arrived; the unit is active and
    /// `systemctl status` shows the daemon's STATUS= line. Returns MainPID.
    @discardableResult
    static func startsReadyWithStatus(_ sandbox: Sandbox) throws -> String {
        let started = try sandbox.sh("systemctl start lienthongd.service", timeout: 150)
        if !started.succeeded {
            let log = try sandbox.sh("journalctl --no-pager -u lienthongd.service -n 40").output
            Issue.record("systemctl start failed: \(started)\n--- journal:\n\(log)")
            throw HarnessError("lienthongd did not start")
        }
        #expect(try sandbox.property("ActiveState") == "active")
        #expect(try sandbox.property("SubState") == "running")
        let statusText = try sandbox.property("StatusText")
        #expect(!statusText.isEmpty, "no STATUS= line was sent")
        let status = try sandbox.sh("systemctl status --no-pager --lines=0 lienthongd.service").output
        #expect(status.contains("Status: \"\(statusText)\""), "systemctl status does not show the STATUS line:\n\(status)")
        let pid = try sandbox.property("MainPID")
        #expect(Int(pid) ?? 0 > 0)
        return pid
    }

    /// `systemctl reload` (SIGHUP) keeps the same process, and the unit
    /// comes back to active (READY=1 after RELOADING=1).
    static func reloadKeepsTheProcess(_ sandbox: Sandbox) throws {
        let before = try sandbox.property("MainPID")
        try sandbox.must("systemctl reload lienthongd.service")
        #expect(try eventually(timeout: 30) {
            try sandbox.property("ActiveState") == "active" && sandbox.property("SubState") == "running"
        }, "not active again after reload")
        #expect(try sandbox.property("MainPID") == before, "reload replaced the main process")
        #expect(try sandbox.property("NRestarts") == "0")
    }

    /// The daemon pings the watchdog: it survives several short watchdog
    /// periods. Wedged (SIGSTOP), it is killed and restarted by systemd.
    static func watchdogRestartsAWedgedDaemon(_ sandbox: Sandbox) throws {
        let period = 3
        try Staging.shortWatchdog(in: sandbox, seconds: period)
        try sandbox.must("systemctl restart lienthongd.service", timeout: 150)
        #expect(try sandbox.waitFor("active"))
        let first = try sandbox.property("MainPID")
        let restartsBefore = Int(try sandbox.property("NRestarts")) ?? -1

        // Three watchdog periods of pings.
        sleep(UInt32(3 * period))
        #expect(try sandbox.property("MainPID") == first, "restarted though not wedged: does it send WATCHDOG=1?")
        #expect(Int(try sandbox.property("NRestarts")) == restartsBefore)

        try sandbox.must("kill -STOP \(first)")
        let restarted = try eventually(timeout: 60) {
            let pid = try sandbox.property("MainPID")
            let restarts = Int(try sandbox.property("NRestarts")) ?? 0
            let state = try sandbox.property("ActiveState")
            return restarts > restartsBefore && pid != first && pid != "0" && state == "active"
        }
        #expect(restarted, "a wedged daemon was not restarted by the watchdog")
        let journal = try sandbox.sh("journalctl --no-pager -u lienthongd.service -o cat").output
        #expect(journal.contains("Watchdog timeout"), "systemd did not log a watchdog timeout")
    }

    /// `systemctl stop` ends it cleanly, within TimeoutStopSec (no SIGKILL).
    static func stopIsClean(_ sandbox: Sandbox) throws {
        let mark = try sandbox.journalMark()
        try sandbox.must("systemctl stop lienthongd.service", timeout: 150)
        #expect(try sandbox.property("ActiveState") == "inactive")
        #expect(try sandbox.property("Result") == "success")
        let messages = try sandbox.journal(["-u", "lienthongd.service"], after: mark).compactMap { $0["MESSAGE"] }
        #expect(!messages.contains { $0.contains("timed out") || $0.contains("SIGKILL") }, "stop needed SIGKILL: \(messages)")
    }

    /// `systemd-analyze security` of the installed unit rates it ≤ 2.0.
    static func exposure(_ sandbox: Sandbox) throws -> Double {
        let result = try sandbox.sh("systemd-analyze security --no-pager lienthongd.service")
        // "→ Overall exposure level for lienthongd.service: 0.4 SAFE 😀"
        guard let line = result.output.split(separator: "\n").first(where: { $0.contains("Overall exposure level") }),
              let figure = line.split(separator: ":").last?.split(separator: " ").first,
              let value = Double(figure)
        else { throw HarnessError("no exposure level in: \(result)") }
        return value
    }
}
