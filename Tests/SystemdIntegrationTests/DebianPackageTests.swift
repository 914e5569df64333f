import Foundation
import Testing

/// The package `make deb` builds (LIENTHONG_DEB, or the newest
/// lienthong_*.deb in the checkout): lintian finds no error, and an operator
/// installs it with dpkg -i on a real systemd: user and spool created, the
/// service neither enabled nor started, conffiles, man pages; once
/// configured it runs; removing it stops it and keeps the spool.
/// `make test-deb` builds the package and runs this.
enum DebianPackage {
    static let path: String? = {
        if let given = ProcessInfo.processInfo.environment["LIENTHONG_DEB"] { return given }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Repository.root)) ?? []
        let debs = names.filter { $0.hasPrefix("lienthong_") && $0.hasSuffix(".deb") }.map { Repository.root + "/" + $0 }
        return debs.max { modified($0) < modified($1) }
    }()

    static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    static let problem: String? = {
        guard path != nil else { return "no lienthong_*.deb in the checkout: run `make test-deb` (or make deb, then the tests)" }
        return Prerequisites.sandboxProblem
    }()
}

@Suite("Debian package", .serialized, .enabled(if: DebianPackage.problem == nil, Comment(rawValue: DebianPackage.problem ?? "")))
struct DebianPackageTests {
    @Test func lintianReportsNoError() throws {
        let deb = try #require(DebianPackage.path)
        let lintian = try run(["lintian", "--fail-on", "error", deb], timeout: 600)
        #expect(lintian.succeeded, "lintian: \(lintian)")
    }

    @Test func dpkgInstallsWithoutStartingThenRunsOnceConfigured() throws {
        let deb = try #require(DebianPackage.path)
        try withSandbox(stage: { upper in
            try FileManager.default.createDirectory(atPath: upper + "/root", withIntermediateDirectories: true)
            _ = try run(["cp", deb, upper + "/root/lienthong.deb"])
            // The trust folders exist before the package: dpkg leaves files it
            // does not own alone, as it would an operator's real roots.
            try Self.stageDemoTrust(into: upper + "/etc/lienthong/trust")
        }) { sandbox in
            let installed = try sandbox.sh("dpkg -i /root/lienthong.deb", timeout: 300)
            #expect(installed.succeeded, "dpkg -i: \(installed)")
            #expect(try sandbox.sh("id -u lienthong").succeeded, "postinst created no lienthong user")
            #expect(try sandbox.sh("stat -c '%a %U' /var/spool/lienthong").trimmedOutput == "2750 lienthong")
            #expect(try sandbox.sh("systemctl is-enabled lienthongd.service").trimmedOutput == "disabled")
            #expect(try sandbox.sh("systemctl is-active lienthongd.service").trimmedOutput == "inactive", "started before it was configured")
            let conffiles = try sandbox.must("dpkg-query -W -f='${Conffiles}' lienthong").output
            #expect(conffiles.contains("/etc/lienthong/lienthong.toml") && conffiles.contains("/etc/lienthong/units.csv"))
            for page in ["man8/lienthongd.8.gz", "man5/lienthong.toml.5.gz", "man1/lienthongctl.1.gz"] {
                #expect(try sandbox.sh("test -s /usr/share/man/\(page)").succeeded, "no \(page)")
            }
            #expect(try sandbox.sh("test -s /usr/share/bash-completion/completions/lienthongctl").succeeded)
            #expect(try sandbox.sh("grep -q '^ExecReload=/usr/bin/lienthongctl reload' /usr/lib/systemd/system/lienthongd.service").succeeded)

            // Configured (the demo trust stands for the real roots): it runs.
            try ServiceChecks.startsReadyWithStatus(sandbox)

            let removed = try sandbox.sh("dpkg -r lienthong", timeout: 300)
            #expect(removed.succeeded, "dpkg -r: \(removed)")
            #expect(try sandbox.sh("systemctl is-active lienthongd.service").trimmedOutput != "active", "still running after removal")
            #expect(try sandbox.sh("test -d /var/spool/lienthong/state").succeeded, "removal deleted the spool")
        }
    }

    /// The demo (test-only) PKI as the trust anchors, made on the host.
    static func stageDemoTrust(into trust: String) throws {
        let scratch = "/var/tmp/lienthong-deb-trust-\(UUID().uuidString.prefix(8))"
        defer { _ = try? run(["rm", "-rf", scratch]) }
        let made = try run(["sh", Repository.root + "/scripts/make-test-pki.sh", "--demo", scratch], timeout: 300)
        guard made.succeeded else { throw HarnessError("making the demo trust: \(made)") }
        try FileManager.default.createDirectory(atPath: trust, withIntermediateDirectories: true)
        for part in ["anchors", "crls", "tsa"] where FileManager.default.fileExists(atPath: "\(scratch)/\(part)") {
            let copied = try run(["cp", "-R", "\(scratch)/\(part)", trust + "/"])
            guard copied.succeeded else { throw HarnessError("\(copied)") }
        }
    }
}
