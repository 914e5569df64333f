import Foundation
import Testing

// The harness of the real-systemd tests: running commands, booting a
// sandbox with scripts/systemd-sandbox.sh, and reading its journal. This
// target has no dependency on the project's modules: it tests what an
// operator gets, the installed binaries and files, from outside.

/// The repository this test file belongs to.
enum Repository {
    static let root: String = {
        // Tests/SystemdIntegrationTests/Harness.swift → repository root.
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    static let sandboxScript = root + "/scripts/systemd-sandbox.sh"
    static let installScript = root + "/scripts/install.sh"
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct CommandResult: CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let output: String
    let error: String

    var succeeded: Bool { status == 0 }
    var trimmedOutput: String { output.trimmingCharacters(in: .whitespacesAndNewlines) }

    var description: String {
        "`\(arguments.joined(separator: " "))` exited \(status)\n--- stdout:\n\(output)--- stderr:\n\(error)"
    }
}

/// Runs a command to completion, its output collected in files.
///
/// posix_spawn and waitpid rather than Foundation's Process: Process learns
/// of the child's exit from a socket the child inherits, so a command that
/// leaves a background process behind (the sandbox's `start`) or a grandchild
/// holding it would never be seen to finish, and its timeout could not work.
/// The command runs in a process group of its own, which a timeout kills.
func run(_ arguments: [String], timeout: Double = 120) throws -> CommandResult {
    let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("lienthong-cmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outPath = scratch.appendingPathComponent("out").path
    let errPath = scratch.appendingPathComponent("err").path

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    let argv = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
    let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }

    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, envp)
    guard spawned == 0 else {
        throw HarnessError("cannot start `\(arguments.joined(separator: " "))`: \(String(cString: strerror(spawned)))")
    }

    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped < 0 && errno != EINTR {
            throw HarnessError("waitpid for `\(arguments.joined(separator: " "))`: errno \(errno)")
        }
        if Date() > deadline {
            kill(-pid, SIGKILL)  // the group we made for it: nothing else
            _ = waitpid(pid, &status, 0)
            throw HarnessError("`\(arguments.joined(separator: " "))` did not finish within \(Int(timeout)) s; killed")
        }
        usleep(20_000)
    }
    // Exited: code in bits 8-15; killed: the signal in bits 0-6 (as 128+n).
    let signal = status & 0x7f
    let exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
    return CommandResult(
        arguments: arguments,
        status: exitStatus,
        output: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
        error: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    )
}

/// Polls `condition` until it holds or `timeout` passes; true if it held.
func eventually(timeout: Double, every interval: Double = 0.25, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if try condition() { return true }
        usleep(UInt32(interval * 1_000_000))
    } while Date() < deadline
    return try condition()
}

// MARK: - What the machine offers

/// Why the real-systemd tests cannot run here, or nil when they can. Checked
/// once; each reason says what is missing.
enum Prerequisites {
    static let sandboxProblem: String? = {
        guard getuid() == 0 else {
            return "the real-systemd tests need root: they mount an overlay and create namespaces (run `sudo swift test`)"
        }
        let files = FileManager.default
        for tool in ["/usr/bin/unshare", "/usr/bin/nsenter"] where !files.isExecutableFile(atPath: tool) {
            return "\(tool) is missing (apt-get install util-linux)"
        }
        guard files.isExecutableFile(atPath: "/lib/systemd/systemd") else {
            return "systemd is not installed (apt-get install systemd)"
        }
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8),
              mounts.split(separator: "\n").contains(where: { $0.split(separator: " ").dropFirst(2).first == "cgroup2" })
        else {
            return "no cgroup v2 hierarchy is mounted; systemd 252 needs one"
        }
        // The two things containers most often forbid, tried for real.
        guard let probe = try? run(["unshare", "--fork", "--pid", "--mount", "--", "/bin/sh", "-c", overlayProbe], timeout: 30) else {
            return "unshare did not finish"
        }
        guard probe.succeeded else {
            return "cannot create PID and mount namespaces or mount an overlay here: \(probe.error.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        return nil
    }()

    /// Mounts a tiny overlay inside the private mount namespace (gone with it).
    private static let overlayProbe = """
        set -e; d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
        mkdir "$d/l" "$d/u" "$d/w" "$d/m"
        mount --make-rprivate /
        mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m"
        umount "$d/m"
        """

    /// The folder holding the built lienthongd and lienthongctl: the
    /// LIENTHONG_BIN_DIR environment variable, else the newer of the release
    /// and debug builds in .build.
    static let binaries: String? = {
        let files = FileManager.default
        func complete(_ dir: String) -> Bool {
            files.isExecutableFile(atPath: dir + "/lienthongd") && files.isExecutableFile(atPath: dir + "/lienthongctl")
        }
        if let dir = ProcessInfo.processInfo.environment["LIENTHONG_BIN_DIR"] {
            return complete(dir) ? dir : nil
        }
        let candidates = ["release", "debug"].map { Repository.root + "/.build/\($0)" }.filter(complete)
        return candidates.max { modified($0 + "/lienthongd") < modified($1 + "/lienthongd") }
    }()

    static let daemonProblem: String? = {
        if let sandboxProblem { return sandboxProblem }
        if let dir = ProcessInfo.processInfo.environment["LIENTHONG_BIN_DIR"], binaries == nil {
            return "LIENTHONG_BIN_DIR=\(dir) holds no executable lienthongd and lienthongctl"
        }
        guard binaries != nil else {
            return "lienthongd is not built: run `swift build` (or set LIENTHONG_BIN_DIR to a folder with lienthongd and lienthongctl)"
        }
        return nil
    }()

    /// The sample pair is signed by the demo PKI, made with python3.
    static let samplesProblem: String? = {
        if let daemonProblem { return daemonProblem }
        guard let probe = try? run(["python3", "-c", "import asn1crypto, cryptography"], timeout: 30), probe.succeeded else {
            return "python3 with asn1crypto and cryptography is needed to sign the sample pair (scripts/deps.sh installs them)"
        }
        return nil
    }()

    private static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }
}

// MARK: - The sandbox

/// A systemd booted by scripts/systemd-sandbox.sh, with its scratch folder.
final class Sandbox {
    let dir: String
    let pid: String

    /// The overlay's upper folder: what is put here before boot shows in the
    /// sandbox's root.
    var upper: String { dir + "/upper" }

    /// Boots a sandbox after `stage` has filled the upper folder. `show`:
    /// host folders bound read-only inside at the same path, by default the
    /// checkout (install.sh, units): under /tmp the sandbox's fresh /tmp
    /// would hide it.
    init(stage: (String) throws -> Void = { _ in }, show: [String] = [Repository.root]) throws {
        dir = "/var/tmp/lienthong-systemd-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/upper", withIntermediateDirectories: true)
        do {
            try stage(dir + "/upper")
            let started = try run([Repository.sandboxScript, "start", dir] + show.flatMap { ["--show", $0] }, timeout: 120)
            guard started.succeeded, let pid = started.trimmedOutput.split(separator: "\n").last.map(String.init),
                  Int(pid) != nil
            else { throw HarnessError("the sandbox did not boot: \(started)") }
            self.pid = pid
        } catch {
            Sandbox.remove(dir)
            throw error
        }
    }

    /// Runs a command inside (nsenter into its namespaces).
    @discardableResult
    func exec(_ arguments: [String], timeout: Double = 120) throws -> CommandResult {
        try run([Repository.sandboxScript, "exec", pid] + arguments, timeout: timeout)
    }

    /// Runs a shell command inside.
    @discardableResult
    func sh(_ command: String, timeout: Double = 120) throws -> CommandResult {
        try exec(["/bin/sh", "-c", command], timeout: timeout)
    }

    /// Like `sh`, but a failure is an error carrying the command's output.
    @discardableResult
    func must(_ command: String, timeout: Double = 120) throws -> CommandResult {
        let result = try sh(command, timeout: timeout)
        guard result.succeeded else { throw HarnessError("in the sandbox: \(result)") }
        return result
    }

    /// Kills the sandbox's systemd (and so everything in it) and removes the
    /// scratch folder, unless LIENTHONG_KEEP_SANDBOX is set (for a post-mortem:
    /// its journal is in upper/var/log/journal).
    func stop() {
        let stopped = try? run([Repository.sandboxScript, "stop", pid], timeout: 60)
        if stopped?.succeeded != true {
            print("warning: stopping sandbox \(pid) failed: \(stopped.map(String.init(describing:)) ?? "timed out")")
        }
        if ProcessInfo.processInfo.environment["LIENTHONG_KEEP_SANDBOX"] != nil {
            print("sandbox kept in \(dir)")
        } else {
            Sandbox.remove(dir)
        }
    }

    /// The overlay was mounted only in the sandbox's own mount namespace,
    /// which died with it: on the host, DIR/root is an empty folder. Still,
    /// never recurse across a mount point.
    private static func remove(_ dir: String) {
        if let check = try? run(["mountpoint", "-q", dir + "/root"], timeout: 10), check.succeeded {
            print("warning: \(dir)/root is still a mount point; left in place")
            return
        }
        _ = try? run(["rm", "-rf", "--one-file-system", dir], timeout: 120)
    }

    // MARK: systemd and journal helpers

    /// `systemctl show -P PROPERTY UNIT`.
    func property(_ name: String, of unit: String = "lienthongd.service") throws -> String {
        try exec(["systemctl", "show", "-P", name, unit]).trimmedOutput
    }

    /// Waits for `systemctl is-active` to say `state`.
    func waitFor(_ state: String, unit: String = "lienthongd.service", timeout: Double = 60) throws -> Bool {
        try eventually(timeout: timeout) { try property("ActiveState", of: unit) == state }
    }

    /// The time of the newest journal entry (µs since the epoch), to ask for
    /// what was logged after it. Not a cursor: journalctl 252 returns nothing
    /// for `--after-cursor` combined with matches the cursor's entry does not
    /// satisfy.
    func journalMark() throws -> UInt64 {
        let newest = try journal(["-n", "1"])
        return newest.last.flatMap { $0["__REALTIME_TIMESTAMP"] }.flatMap { UInt64($0) } ?? 0
    }

    /// Journal entries as JSON objects (`journalctl -o json`), with the
    /// given matches and options, only those after `mark` when given; values
    /// that journald stored as bytes are decoded as UTF-8.
    func journal(_ arguments: [String], after mark: UInt64? = nil) throws -> [[String: String]] {
        let result = try exec(["journalctl", "--no-pager", "-o", "json"] + arguments)
        // journalctl exits 1 with "-- No entries --" on some versions: the
        // output, not the status, is what counts.
        let entries = result.output.split(separator: "\n").compactMap { line -> [String: String]? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            var entry: [String: String] = [:]
            for (key, value) in object {
                if let text = value as? String {
                    entry[key] = text
                } else if let bytes = value as? [Int] {
                    entry[key] = String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
                }
            }
            return entry
        }
        guard let mark else { return entries }
        return entries.filter { (UInt64($0["__REALTIME_TIMESTAMP"] ?? "") ?? 0) > mark }
    }
}

/// Boots a sandbox, runs `body`, and always stops it.
func withSandbox<T>(stage: (String) throws -> Void = { _ in }, show: [String] = [Repository.root],
                   _ body: (Sandbox) throws -> T) throws -> T {
    let sandbox = try Sandbox(stage: stage, show: show)
    defer { sandbox.stop() }
    return try body(sandbox)
}

// MARK: - Staging an installation

enum Staging {
    /// Where binaries are copied in the sandbox before install.sh takes them:
    /// a snapshot, so a build running meanwhile on the host cannot hand
    /// install.sh a half-written file.
    static let binariesInside = "/opt/lienthong-test-bin"

    static func copyBinaries(from source: String, into upper: String) throws {
        let target = upper + binariesInside
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for name in ["lienthongd", "lienthongctl"] {
            let copied = try run(["cp", "--dereference", source + "/" + name, target + "/" + name])
            guard copied.succeeded else { throw HarnessError("staging \(name): \(copied)") }
        }
    }

    static func writeExecutable(_ text: String, at path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// Runs scripts/install.sh inside the sandbox, the way an operator does on
    /// a real machine (no --destdir): binaries, unit, tmpfiles, sysusers,
    /// catalog, example config, then systemd-sysusers, systemd-tmpfiles on our
    /// file, journalctl --update-catalog and daemon-reload.
    static func install(in sandbox: Sandbox, extra: String = "") throws {
        try sandbox.must("\(Repository.installScript) --binaries \(binariesInside) \(extra)", timeout: 300)
    }

    /// A drop-in that makes the watchdog quick for the test; TimeoutAbortSec
    /// keeps the SIGABRT→SIGKILL step short, RestartSec the pause after.
    static func shortWatchdog(in sandbox: Sandbox, seconds: Int = 3) throws {
        try sandbox.must("""
            mkdir -p /etc/systemd/system/lienthongd.service.d &&
            printf '[Service]\\nWatchdogSec=\(seconds)s\\nTimeoutAbortSec=3s\\nRestartSec=1s\\n' \
                >/etc/systemd/system/lienthongd.service.d/50-test-watchdog.conf &&
            systemctl daemon-reload
            """)
    }
}
