import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `lienthongd` binary on a private spool in a temp folder:
/// the way an operator runs it, with real folders, inotify and signals.
final class DaemonHarness {
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The built daemon: next to the test bundle, or LIENTHONGD_BIN.
    static let binary: String? = builtProduct("lienthongd", override: "LIENTHONGD_BIN")

    /// A product of this package: the path in `override` when that is set,
    /// else the one built beside the test bundle, else .build/debug.
    static func builtProduct(_ name: String, override: String) -> String? {
        if let env = ProcessInfo.processInfo.environment[override] { return env }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
        let candidates = [besideTests, repoRoot + "/.build/debug/" + name]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let dir: String
    let spool: String
    let configPath: String
    var process: Process?
    let logPath: String
    /// Run the daemon as this user (AsUsers.swift), with the service's umask.
    var runAs: String?
    /// Extra environment for the daemon (LD_PRELOAD of a fault injector).
    var environment: [String: String] = [:]

    struct Unit { var id: String, name: String, level: String, parent: String = "", signer: String = "" }

    static let defaultUnits = [
        Unit(id: "000.00.00.H41", name: "UBND tỉnh Nghệ An", level: "province"),
        Unit(id: "000.00.21.H41", name: "Sở Thông tin và Truyền thông", level: "department"),
        Unit(id: "000.00.41.H41", name: "UBND thành phố Vinh", level: "district"),
        Unit(id: "000.41.01.H41", name: "UBND phường Hưng Bình", level: "commune", parent: "000.00.41.H41"),
    ]

    init(trust: String, settle: String = "300ms", window: String = "3s", language: String = "vi",
         units: [Unit] = DaemonHarness.defaultUnits, extra: String = "") throws {
        dir = try Self.makeTempDir()
        spool = dir + "/spool"
        configPath = dir + "/lienthong.toml"
        logPath = dir + "/daemon.log"
        var csv = "id,name,level,parent,signer\n"
        for u in units { csv += "\(u.id),\(u.name),\(u.level),\(u.parent),\(u.signer)\n" }
        try csv.write(toFile: dir + "/units.csv", atomically: true, encoding: .utf8)
        let toml = """
            [gateway]
            office = "000.00.00.H41"
            spool = "\(spool)"
            units = "units.csv"
            language = "\(language)"

            [intake]
            settle = "\(settle)"
            pairing_window = "\(window)"
            max_file_size = "1MiB"

            [trust]
            anchors = "\(trust)/anchors"
            crls = "\(trust)/crls"
            tsa = "\(trust)/tsa"
            \(extra)
            """
        try toml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    static func makeTempDir() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/lienthong-e2e-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw POSIXError(.EIO) }
        return String(cString: p)
    }

    /// `prefix`: a command that runs the daemon (`prlimit ... --`), not as `runAs`.
    func start(waitReady: Bool = true, prefix: [String] = []) throws {
        let readyBefore = log.components(separatedBy: "lienthongd ready").count
        logOffsetAtStart = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0
        guard let binary = Self.binary else { throw HarnessError("lienthongd is not built; run swift build first") }
        let p = Process()
        if let user = runAs {
            // As systemd starts it: its own user and group, UMask=0027.
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "umask 0027; exec /usr/bin/setpriv --reuid=\(user) --regid=\(user) --init-groups -- \"$0\" --config \"$1\"",
                           binary, configPath]
        } else if let wrapper = prefix.first {
            p.executableURL = URL(fileURLWithPath: wrapper)
            p.arguments = Array(prefix.dropFirst()) + [binary, "--config", configPath]
        } else {
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["--config", configPath]
        }
        // One log across restarts (appended), so a test sees every run.
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        p.standardError = handle
        p.standardOutput = handle
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        env.merge(environment) { $1 }
        p.environment = env
        try p.run()
        process = p
        // Ready means the outboxes exist and are watched (this start's ready,
        // not an earlier one's in the same log).
        if waitReady {
            try waitFor("daemon ready", timeout: 60) { self.log.components(separatedBy: "lienthongd ready").count > readyBefore }
        }
    }

    /// The daemon's process id while it runs.
    var pid: pid_t? { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } }

    func signal(_ sig: Int32) { if let p = process { kill(p.processIdentifier, sig) } }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let p = process else { return -1 }
        if p.isRunning { kill(p.processIdentifier, SIGTERM) }
        p.waitUntilExit()
        process = nil
        return p.terminationStatus
    }

    func killHard() {
        guard let p = process else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Where the latest start began writing in the log.
    private(set) var logOffsetAtStart = 0

    /// What the daemon logged since its latest start.
    var logOfThisStart: String {
        guard let data = FileManager.default.contents(atPath: logPath), data.count >= logOffsetAtStart else { return "" }
        return String(decoding: data.dropFirst(logOffsetAtStart), as: UTF8.self)
    }

    func outbox(_ unit: String) -> String { spool + "/units/\(unit)/outbox" }
    func receipts(_ unit: String) -> String { spool + "/units/\(unit)/receipts" }

    /// Copies files into an outbox the way a clerk's copy does: write
    /// under the final name and close.
    func drop(_ files: [String], into unit: String, names: [String]? = nil) throws {
        for (i, file) in files.enumerated() {
            let name = names?[i] ?? (file as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: file, toPath: outbox(unit) + "/" + name)
        }
    }

    /// Waits for `<key>.<verdict>.json` in the unit's receipts and parses it.
    func receipt(_ unit: String, key: String, verdict: String, timeout: Double = 15) throws -> [String: Any] {
        let path = receipts(unit) + "/\(key).\(verdict).json"
        try waitFor("receipt \(path)", timeout: timeout) { FileManager.default.fileExists(atPath: path) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw HarnessError("receipt is not an object") }
        return json
    }

    /// A decision's JSON receipt: not a pending notice (`<key>.pending.json`),
    /// which a waiting submission has until its receipt replaces it.
    static func isDecisionReceipt(_ name: String) -> Bool { name.hasSuffix(".json") && !name.hasSuffix(".pending.json") }

    func receiptNames(_ unit: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: receipts(unit))) ?? []).sorted()
    }

    func waitFor(_ what: String, timeout: Double, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            if let p = process, !p.isRunning { throw HarnessError("daemon exited (\(p.terminationStatus)) while waiting for \(what); log:\n\(log)") }
            usleep(50_000)
        }
        if condition() { return }  // a stalled runner may wake up after the deadline
        throw HarnessError("timed out after \(timeout) s waiting for \(what); log:\n\(log)")
    }

    deinit {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: dir)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// What a finished command printed and how it exited.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a command to its end: posix_spawn and a waitpid for that child
/// alone. Not Foundation's Process: its exit monitor once missed a child's
/// exit (the child a zombie, waitUntilExit waiting for ever) while
/// swift-testing's exit-test thread polled every child of the test process.
/// stdout and stderr go to files, so that neither can fill up and stall the
/// child while the other is read; stdin is /dev/null. `command` is a path.
func runCommand(_ command: String, _ args: [String], env: [String: String] = [:]) throws -> CommandResult {
    let dir = try DaemonHarness.makeTempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let outPath = dir + "/stdout", errPath = dir + "/stderr"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let environment = ProcessInfo.processInfo.environment.merging(env) { $1 }.map { "\($0.key)=\($0.value)" }
    var pid: pid_t = 0
    let started = withCStrings([command] + args) { argv in
        withCStrings(environment) { envp in posix_spawn(&pid, command, &actions, nil, argv, envp) }
    }
    guard started == 0 else { throw HarnessError("could not start \(command): \(String(cString: strerror(started)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw HarnessError("waitpid for \(command): \(String(cString: strerror(errno)))") }
    }
    // An exit code, or 128 + the signal that ended it, as a shell says.
    let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
    func text(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
    return CommandResult(status: code, stdout: text(outPath), stderr: text(errPath))
}

/// `body` with `strings` as a NULL-terminated array of C strings.
private func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}

/// Runs a command and returns its output (stdout, then stderr); throws on failure.
@discardableResult
func run(_ command: String, _ args: [String], env: [String: String] = [:]) throws -> String {
    let r = try runCommand(command, args, env: env)
    guard r.status == 0 else { throw HarnessError("\(command) \(args.joined(separator: " ")) failed (\(r.status)):\n\(r.stdout)\(r.stderr)") }
    return r.stdout + r.stderr
}

func sha256(_ path: String) throws -> String {
    let out = try run("/usr/bin/sha256sum", [path])
    return String(out.prefix(64))
}
