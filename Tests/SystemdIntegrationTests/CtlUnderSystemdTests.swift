import Foundation
import Testing

extension RealSystemdTests.DaemonTests {
    /// The deployment case: lienthongd runs as the `lienthong` user under the
    /// hardened unit (RestrictAddressFamilies=AF_UNIX, ProtectSystem=strict…);
    /// the operator runs lienthongctl as root. The control socket works
    /// there, belongs to the service user, and is owner-only.
    @Test func operatorToolTalksToTheHardenedService() throws {
        try Self.withDaemon(sample: true) { sandbox in
            let ctl = "/usr/local/bin/lienthongctl"
            let socket = try sandbox.sh("stat -c '%a %U' /var/spool/lienthong/state/control.sock")
            #expect(socket.trimmedOutput == "600 lienthong", "control socket: \(socket)")
            let status = try sandbox.sh("\(ctl) status --json")
            #expect(status.succeeded, "\(status)")
            #expect(status.output.contains("\"running\" : true"), "\(status)")

            // A scan alone waits for its electronic twin (the installed window is long).
            try sandbox.must("cp /root/sample/\(Self.key)_scan.pdf /var/spool/lienthong/units/\(Self.unit)/outbox/")
            var queue = ""
            let listed = try eventually(timeout: 60, every: 0.5) {
                queue = try sandbox.sh("\(ctl) queue").output
                return queue.contains("the electronic version")
            }
            #expect(listed, "queue never showed the scan waiting for its electronic version:\n\(queue)")
            let hold = try sandbox.sh("\(ctl) hold ALL")
            #expect(hold.succeeded && hold.output.contains("held 1 pending submission"), "\(hold)")
            let release = try sandbox.sh("\(ctl) release ALL")
            #expect(release.succeeded && release.output.contains("released 1"), "\(release)")
            let journal = try sandbox.journal(["-u", "lienthongd", "-g", "held by operator uid 0"])
            #expect(!journal.isEmpty, "the hold is not in the journal")
            let report = try sandbox.sh("\(ctl) report --from 2020-01-01 --to 2040-12-31 --format csv")
            #expect(report.succeeded && report.output.contains("\r\n\(Self.unit),"), "\(report)")
        }
    }
}
