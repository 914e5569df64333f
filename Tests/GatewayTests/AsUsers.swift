import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The users of a real installation, made for the tests that run as the
/// users are: the daemon under its own account, clerks as other accounts in
/// its group writing with Samba's modes (`force group`, `create mask = 0660`).
enum TestUsers {
    static let daemon = "lt-test-daemon"
    static let clerkA = "lt-test-clerk-a"
    static let clerkB = "lt-test-clerk-b"

    /// Why these tests cannot run here, or nil when they can (root only).
    static let unavailable: String? = {
        guard geteuid() == 0 else { return "needs root to create users and switch to them" }
        do {
            try ensure(daemon, system: true, group: nil)
            try ensure(clerkA, system: false, group: daemon)
            try ensure(clerkB, system: false, group: daemon)
        } catch {
            return "could not create the test users: \(error)"
        }
        return nil
    }()

    private static func ensure(_ user: String, system: Bool, group: String?) throws {
        if (try? runCommand("/usr/bin/id", ["-u", user]))?.status == 0 { return }
        var args = ["-M", "-s", "/usr/sbin/nologin", "-U"]
        if system { args.append("-r") }
        if let group { args += ["-G", group] }
        try run("/usr/sbin/useradd", args + [user])
    }

    static func uid(_ user: String) -> uid_t { getpwnam(user)!.pointee.pw_uid }

    /// Runs a shell command as `user` in the daemon's group with Samba's
    /// umask, the way a clerk's SMB session writes into the share.
    @discardableResult
    static func asClerk(_ user: String, _ script: String) throws -> CommandResult {
        try runCommand("/usr/bin/setpriv", ["--reuid=\(user)", "--regid=\(daemon)", "--init-groups", "--",
                                            "/bin/sh", "-c", "umask 0007; " + script])
    }

    /// The same, left running (a writer that keeps its file open).
    static func startAsClerk(_ user: String, _ script: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=\(user)", "--regid=\(daemon)", "--init-groups", "--", "/bin/sh", "-c", "umask 0007; " + script]
        try p.run()
        return p
    }

    /// Makes a folder and everything in it readable by everyone (fixtures
    /// and trust made by root in private temp folders), with its parents
    /// traversable.
    static func shareForReading(_ path: String) throws {
        try run("/bin/chmod", ["-R", "a+rX", path])
        var dir = (path as NSString).deletingLastPathComponent
        while dir != "/" && !dir.isEmpty {
            chmod(dir, (statMode(dir) | 0o011) & 0o7777)
            dir = (dir as NSString).deletingLastPathComponent
        }
    }

    static func statMode(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode : 0
    }
}

extension DaemonHarness {
    /// Prepares this harness to run the daemon as `TestUsers.daemon`: its
    /// private folder traversable, the spool root made and owned by the
    /// daemon's user (setgid, group-traversable for the clerks), the trust
    /// readable.
    func runAsDaemonUser(trust: String) throws {
        runAs = TestUsers.daemon
        chmod(dir, 0o755)
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: false)
        try run("/bin/chown", ["\(TestUsers.daemon):\(TestUsers.daemon)", spool])
        chmod(spool, 0o2770)
        try TestUsers.shareForReading(trust)
        try TestUsers.shareForReading(dir + "/units.csv")
        try TestUsers.shareForReading(configPath)
    }

    /// A copy of `file` where clerks can read it (their `cp` source).
    func staged(_ file: String, as name: String? = nil) throws -> String {
        let staging = dir + "/staging"
        if !FileManager.default.fileExists(atPath: staging) {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            chmod(staging, 0o1777)
        }
        let target = staging + "/" + (name ?? (file as NSString).lastPathComponent)
        try FileManager.default.copyItem(atPath: file, toPath: target)
        chmod(target, 0o644)
        return target
    }

    /// Every archived file: (path relative to the archive, full path).
    func archivedFiles(_ shelf: String = "accepted") -> [(relative: String, path: String)] {
        let root = spool + "/archive/" + shelf
        let all = (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []
        return all.filter { $0.contains("/files/") }.map { ($0, root + "/" + $0) }
            .filter { var st = stat(); return lstat($0.1, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG }
    }
}
