import Foundation
import Testing

/// scripts/install.sh --destdir: what lands where. No root and no systemd
/// needed; the sandbox tests run the same script without --destdir.
@Suite("install.sh --destdir")
struct InstallScriptTests {
    /// A staging root and two stand-in binaries, removed afterwards.
    final class Stage {
        let root: String
        let destdir: String
        let binaries: String

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("lienthong-install-\(UUID().uuidString)").path
            destdir = root + "/dest"
            binaries = root + "/bin"
            for name in ["lienthongd", "lienthongctl"] {
                try Staging.writeExecutable("#!/bin/sh\necho \(name)\n", at: binaries + "/" + name)
            }
        }

        func install(_ extra: [String] = []) throws -> CommandResult {
            try run([Repository.installScript, "--destdir", destdir, "--binaries", binaries] + extra)
        }

        func read(_ path: String) throws -> String {
            try String(contentsOfFile: destdir + path, encoding: .utf8)
        }

        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: destdir + path)[.posixPermissions] as? Int) ?? -1
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    static func source(_ path: String) throws -> String {
        try String(contentsOfFile: Repository.root + "/" + path, encoding: .utf8)
    }

    @Test func defaultPrefixStagesEverything() throws {
        let stage = try Stage()
        let result = try stage.install()
        try #require(result.succeeded, "\(result)")

        #expect(try stage.mode("/usr/local/bin/lienthongd") == 0o755)
        #expect(try stage.mode("/usr/local/bin/lienthongctl") == 0o755)
        let unit = try stage.read("/etc/systemd/system/lienthongd.service")
        #expect(unit == (try Self.source("systemd/lienthongd.service")))
        #expect(unit.contains("\nExecStart=/usr/local/bin/lienthongd --config /etc/lienthong/lienthong.toml\n"))
        #expect(try stage.read("/usr/lib/tmpfiles.d/lienthong.conf") == (try Self.source("systemd/lienthong.tmpfiles")))
        #expect(try stage.read("/usr/lib/sysusers.d/lienthong.conf") == (try Self.source("systemd/lienthong.sysusers")))
        #expect(try stage.read("/usr/lib/systemd/catalog/lienthong.catalog") == (try Self.source("systemd/lienthong.catalog")))
        #expect(try stage.read("/etc/systemd/system/lienthong-audit.service") == (try Self.source("systemd/lienthong-audit.service")))
        #expect(try stage.read("/etc/systemd/system/lienthong-audit.timer") == (try Self.source("systemd/lienthong-audit.timer")))
        #expect(try stage.read("/etc/systemd/system/lienthong-crl-fetch.service") == (try Self.source("systemd/lienthong-crl-fetch.service")))
        #expect(try stage.read("/etc/systemd/system/lienthong-crl-fetch.timer") == (try Self.source("systemd/lienthong-crl-fetch.timer")))
        for path in ["/etc/systemd/system/lienthongd.service", "/etc/systemd/system/lienthong-audit.service",
                     "/etc/systemd/system/lienthong-audit.timer", "/etc/systemd/system/lienthong-crl-fetch.service",
                     "/etc/systemd/system/lienthong-crl-fetch.timer", "/usr/lib/tmpfiles.d/lienthong.conf",
                     "/usr/lib/sysusers.d/lienthong.conf", "/usr/lib/systemd/catalog/lienthong.catalog"] {
            #expect(try stage.mode(path) == 0o644, "\(path)")
        }
    }

    /// The installed config is the example with the spool and trust paths of
    /// a real machine: nothing else changes, and the demo PKI is not used.
    @Test func installedConfigPointsAtTheMachinesPaths() throws {
        let stage = try Stage()
        let result = try stage.install()
        try #require(result.succeeded, "\(result)")
        let example = try Self.source("config/lienthong.toml").split(separator: "\n", omittingEmptySubsequences: false)
        let installed = try stage.read("/etc/lienthong/lienthong.toml").split(separator: "\n", omittingEmptySubsequences: false)
        #expect(installed.count == example.count)
        let settings = installed.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        #expect(settings.contains("spool = \"/var/spool/lienthong\""))
        #expect(settings.contains("anchors = \"/etc/lienthong/trust/anchors\""))
        #expect(settings.contains("crls = \"/etc/lienthong/trust/crls\""))
        #expect(settings.contains("tsa = \"/etc/lienthong/trust/tsa\""))
        #expect(!settings.contains { $0.contains("demo-trust") }, "the installed config still uses the demo PKI")
        let changed = zip(example, installed).filter { $0 != $1 }.map(\.1)
        #expect(changed.count == 4, "unexpected changes: \(changed)")
        #expect(try stage.read("/etc/lienthong/units.csv") == (try Self.source("config/units.csv")))
        // Empty trust folders for the operator; never the demo keys or anchors.
        let anchors = try FileManager.default.contentsOfDirectory(atPath: stage.destdir + "/etc/lienthong/trust/anchors")
        #expect(anchors.isEmpty)
    }

    @Test func existingConfigIsNeverOverwritten() throws {
        let stage = try Stage()
        let mine = "# the operator's own\n[gateway]\n"
        try FileManager.default.createDirectory(atPath: stage.destdir + "/etc/lienthong", withIntermediateDirectories: true)
        try mine.write(toFile: stage.destdir + "/etc/lienthong/lienthong.toml", atomically: true, encoding: .utf8)
        try "id,name,level,parent,signer\n".write(toFile: stage.destdir + "/etc/lienthong/units.csv", atomically: true, encoding: .utf8)
        let result = try stage.install()
        try #require(result.succeeded, "\(result)")
        #expect(try stage.read("/etc/lienthong/lienthong.toml") == mine)
        #expect(try stage.read("/etc/lienthong/units.csv") == "id,name,level,parent,signer\n")
    }

    /// A packager's prefix: the unit goes where packages put units, and
    /// names the binary where it was installed.
    @Test func usrPrefixFollowsTheUnit() throws {
        let stage = try Stage()
        let result = try stage.install(["--prefix", "/usr", "--no-config"])
        try #require(result.succeeded, "\(result)")
        #expect(FileManager.default.isExecutableFile(atPath: stage.destdir + "/usr/bin/lienthongd"))
        let unit = try stage.read("/usr/lib/systemd/system/lienthongd.service")
        #expect(unit.contains("\nExecStart=/usr/bin/lienthongd --config /etc/lienthong/lienthong.toml\n"))
        let audit = try stage.read("/usr/lib/systemd/system/lienthong-audit.service")
        #expect(audit.contains("\nExecStart=/usr/bin/lienthongctl audit --config /etc/lienthong/lienthong.toml\n"))
        let fetch = try stage.read("/usr/lib/systemd/system/lienthong-crl-fetch.service")
        #expect(fetch.contains("\nExecStart=/usr/bin/lienthongctl fetch-crls --config /etc/lienthong/lienthong.toml\n"))
        #expect(!FileManager.default.fileExists(atPath: stage.destdir + "/etc/systemd/system/lienthongd.service"))
        #expect(!FileManager.default.fileExists(atPath: stage.destdir + "/etc/lienthong/lienthong.toml"))
    }

    @Test func refusesWhatWouldBeAMistake() throws {
        let stage = try Stage()
        let root = try run([Repository.installScript, "--destdir", "/", "--binaries", stage.binaries])
        #expect(!root.succeeded && root.error.contains("--destdir /"))
        let relative = try stage.install(["--prefix", "usr/local"])
        #expect(!relative.succeeded && relative.error.contains("absolute"))
        let missing = try run([Repository.installScript, "--destdir", stage.destdir, "--binaries", stage.root + "/nowhere"])
        #expect(!missing.succeeded && missing.error.contains("lienthongd is missing"))
        let unknown = try stage.install(["--frobnicate"])
        #expect(!unknown.succeeded && unknown.error.contains("unknown argument"))
    }
}
