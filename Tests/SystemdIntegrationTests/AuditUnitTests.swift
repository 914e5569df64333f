import Foundation
import Testing

extension RealSystemdTests.DaemonTests {
    /// The installed audit units: they load (systemd-analyze verify), the
    /// hardened oneshot can read the daemon's WAL ledger as the service user
    /// and passes on a clean spool, and a problem fails the unit with a
    /// journal entry at priority err carrying the audit's MESSAGE_ID.
    @Test func auditTimerLoadsAndAFailedAuditReachesTheJournalAtErr() throws {
        try Self.withDaemon(sample: true) { sandbox in
            let verify = try sandbox.sh("systemd-analyze verify lienthong-audit.service lienthong-audit.timer")
            #expect(verify.succeeded, "\(verify)")
            let complaints = (verify.output + verify.error).split(separator: "\n").filter { $0.contains("lienthong-audit") }
            #expect(complaints.isEmpty, "systemd-analyze verify: \(complaints)")
            let enable = try sandbox.sh("systemctl enable --now lienthong-audit.timer && systemctl is-active lienthong-audit.timer")
            #expect(enable.succeeded, "\(enable)")

            // Dropped as a clerk's Samba session writes: another user, group
            // lienthong, 0660. The claim seals each into the daemon's own
            // read-only inode, so the audit finds the archive clean.
            let outbox = "/var/spool/lienthong/units/\(Self.unit)/outbox"
            try sandbox.must("for f in /root/sample/*; do install -o nobody -g lienthong -m 0660 \"$f\" \(outbox)/; done")
            let accepted = try eventually(timeout: 90, every: 0.5) {
                !(try sandbox.journal(["-u", "lienthongd", "LIENTHONG_VERDICT=accepted"])).isEmpty
            }
            try #require(accepted, "the sample was not accepted")

            let clean = try sandbox.sh("systemctl start lienthong-audit.service")
            let cleanLog = try sandbox.sh("journalctl --no-pager -u lienthong-audit -n 20").output
            #expect(clean.succeeded, "the audit of a clean spool failed:\n\(clean)\n\(cleanLog)")
            #expect(cleanLog.contains("no problems"), "\(cleanLog)")

            let archived = try sandbox.sh("find /var/spool/lienthong/archive/accepted -path '*/files/\(Self.key).pdf'").trimmedOutput
            try #require(!archived.isEmpty, "no archived \(Self.key).pdf")
            try sandbox.must("chmod g+w '\(archived)'")
            let mark = try sandbox.journalMark()
            let failed = try sandbox.sh("systemctl start lienthong-audit.service")
            #expect(!failed.succeeded, "the audit passed with a group-writable archived file")
            #expect(try sandbox.property("Result", of: "lienthong-audit.service") == "exit-code")
            let problems = try sandbox.journal(["-u", "lienthong-audit", "MESSAGE_ID=\(KnownMessageID.auditProblem)"], after: mark)
            #expect(problems.count == 1, "\(problems)")
            #expect(problems.first?["PRIORITY"] == "3")
            #expect(problems.first?["LIENTHONG_PATH"] == archived)
            #expect(problems.first?["MESSAGE"]?.contains("writable") == true, "\(problems)")
        }
    }
}
