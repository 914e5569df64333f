import Foundation
@testable import LienThongGateway
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// A stage's surroundings without the daemon: a real spool, ledger and
/// settings made from the same config the process tests start the daemon
/// on (the daemon is never started here).
final class StageRig {
    let config: DaemonHarness
    let settings: GatewaySettings
    let ledger: Ledger
    let log = EventLog(identifier: "lienthong-stage-test")
    let open = OpenSubmissions()
    let clock = StageClock()
    /// The rig's "now", in whole seconds (the stages take the clock as an
    /// argument). The real time of the rig's making, not a fixed date: the
    /// signed fixtures are signed at the real time, and a fixed t0 (once
    /// midnight of the day it was written) makes them signed in the future
    /// a few hours later, and rejected as such.
    let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    static let department = "000.00.21.H41"

    init() throws {
        config = try DaemonHarness(trust: try Fixtures.trust())
        settings = try GatewaySettings.load(path: config.configPath)
        try Pipeline.createFolders(settings, log: log)
        ledger = try Ledger(path: settings.layout.ledger)
    }

    /// A claim stage on the rig's table of open submissions, or on `open`
    /// (an empty one stands for the daemon after a restart).
    func claimStage(open: OpenSubmissions? = nil) -> ClaimStage {
        ClaimStage(settings: settings, ledger: ledger, log: log, open: open ?? self.open, clock: clock)
    }

    var outbox: String { settings.layout.outbox(Self.department) }

    /// Writes `bytes` under `name` (exact bytes of the name) in `folder`.
    @discardableResult
    func drop(_ name: String, _ bytes: String, in folder: String? = nil) throws -> String {
        let path = (folder ?? outbox) + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes.utf8)) else { throw HarnessError("could not write \(path)") }
        return path
    }

    /// The names in a folder as their exact bytes (NFC and NFD stay apart).
    func names(_ folder: String) throws -> Set<[UInt8]> {
        Set(try TrustedPath.names(folder).map { Array($0.utf8) })
    }

    /// A signed sample pair (the demo trust the rig's config uses) dropped
    /// into the department's outbox; returns the names and the signed file.
    func dropSignedPair(key: String) throws -> (names: [String], electronic: String) {
        let pair = try Fixtures.samplePair(key: key)
        for path in [pair.electronic, pair.scan] {
            try FileManager.default.copyItem(atPath: path, toPath: outbox + "/" + (path as NSString).lastPathComponent)
        }
        return ([key + ".pdf", key + "_scan.pdf"], pair.electronic)
    }

    func mode(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
    }

    func contents(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension StageRig {
    /// Claims `names` (dropped with their own names as bytes) from `folder`
    /// into one submission and records a decision for it, as the decide
    /// stage would: facts per file, verdict, receipt texts, archive folder.
    func decided(_ names: [String], from folder: String? = nil, accepted: Bool = true, role: FileRole = .electronic,
                 recipients: [String] = [], at now: Date) throws -> Ledger.SubmissionRecord {
        for name in names { try drop(name, "bytes of " + name, in: folder) }
        let subs = claimStage().claimAll(names.map { (folder ?? outbox, $0) }, now: now)
        guard subs.count == 1, let sub = subs.first else { throw HarnessError("expected one submission, got \(subs.count)") }
        let archive = settings.layout.archive(accepted ? .accepted : .rejected, submission: sub.id, year: 2026, month: 12)
        try ledger.batch {
            for row in try ledger.files(of: sub.id) {
                try ledger.recordFacts(submission: sub.id, name: row.name, size: 1, sha256: String(repeating: "0", count: 64), role: role)
            }
            _ = try ledger.decide(submission: sub.id, accepted: accepted, numbered: sub.outboundGroup == nil, year: 2026,
                                  reasons: accepted ? [] : [.missingElectronic], placement: archive, at: now) { number in
                if !recipients.isEmpty { try ledger.planDeliveriesInDecision(submission: sub.id, recipients: recipients, at: now) }
                let json = JSONValue.object([("submission", .string(sub.id)), ("arrival_number", number.map { .int(Int64($0)) } ?? .null)])
                return (json.serialized(), "receipt of \(sub.id)\n", "{}\n")
            }
        }
        open[sub.id] = nil
        guard let record = try ledger.submission(sub.id) else { throw HarnessError("no ledger record for \(sub.id)") }
        return record
    }

    func fileStage() throws -> FileStage { try FileStage(settings: settings, ledger: ledger, log: log, clock: StageClock()) }

    func state(_ id: String) throws -> Ledger.State? { try ledger.submission(id)?.state }
}

/// The stages wired as the daemon wires them (Pipeline), driven by hand
/// with an injected clock; files are read and validated on the real worker
/// threads.
final class StageLine {
    let rig: StageRig
    let claim: ClaimStage
    let assess: AssessStage
    let file: FileStage
    let decide: DecideStage

    init(_ rig: StageRig) throws {
        self.rig = rig
        claim = rig.claimStage()
        assess = try AssessStage(settings: rig.settings, ledger: rig.ledger, open: rig.open, clock: rig.clock)
        file = try rig.fileStage()
        decide = DecideStage(settings: rig.settings, ledger: rig.ledger, log: rig.log, open: rig.open, clock: rig.clock,
                             claim: claim, assess: assess, file: file)
    }

    /// Waits (at most 60 s) for the reads and validations under way and takes
    /// their results, as the loop does when the workers' descriptor is readable.
    func awaitValidations(now: Date) throws { try awaitWorkers(of: assess, now: now) }

    /// Assesses `sub` as the loop would, once its files are read and
    /// validated on the workers.
    func assessed(_ sub: OpenSubmission, now: Date) throws -> Assessment {
        var a = try assess.assess(sub, now: now)
        while a.validating {
            try awaitValidations(now: now)
            a = try assess.assess(sub, now: now)
        }
        return a
    }

    /// Decides what is due at `now`, waiting for the reads and validations it starts.
    func decideDue(now: Date, waitForFiling: Bool = true) throws {
        decide.evaluateDue(now: now, waitForFiling: waitForFiling)
        if assess.workers.runningCount > 0 {
            try awaitValidations(now: now)
            decide.evaluateDue(now: now, waitForFiling: waitForFiling)
        }
    }
}

/// Waits (at most 60 s) for the assess workers' jobs under way and takes
/// their results, as the loop does when the workers' descriptor is readable.
func awaitWorkers(of assess: AssessStage, now: Date) throws {
    let deadline = Date().addingTimeInterval(60)
    while assess.workers.runningCount > 0 {
        var fds = [pollfd(fd: assess.workers.wakeFD, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 1, 200)
        assess.collectValidations(now: now)
        guard Date() < deadline else { throw HarnessError("reads and validations still running after 60 s") }
    }
}
