import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// The stages after the watcher, wired together: Claim → Assess → Decide →
/// File → Deliver (one folder each), sharing the table of open submissions
/// and the ledger; Recovery runs them over what a stop left. One thread
/// drives it; every step is recorded in the ledger before it counts.
public final class Pipeline {
    var settings: GatewaySettings {
        didSet {
            claim.settings = settings
            assess.settings = settings
            decide.settings = settings
            file.settings = settings
            deliver.settings = settings
        }
    }
    let ledger: Ledger
    let log: EventLog
    /// The submissions still gathering, shared by the stages.
    let open = OpenSubmissions()
    /// Time per stage, reported when the daemon stops (StageClock.swift).
    let clock = StageClock()
    let claim: ClaimStage
    let assess: AssessStage
    let decide: DecideStage
    let file: FileStage
    let deliver: DeliverStage

    public init(settings: GatewaySettings, log: EventLog) throws {
        self.settings = settings
        self.log = log
        try Self.createFolders(settings, log: log)
        ledger = try Ledger(path: settings.layout.ledger)
        claim = ClaimStage(settings: settings, ledger: ledger, log: log, open: open, clock: clock)
        assess = try AssessStage(settings: settings, ledger: ledger, open: open, clock: clock)
        file = try FileStage(settings: settings, ledger: ledger, log: log, clock: clock)
        claim.beforeNoticeChange = { [file] unit, key in file.waitForFiling(unit: unit, key: key, now: Date()) }
        decide = DecideStage(settings: settings, ledger: ledger, log: log, open: open, clock: clock, claim: claim, assess: assess, file: file)
        claim.afterIntents = { [weak decide] in decide?.fileIfAlreadyDurable() }
        deliver = DeliverStage(settings: settings, ledger: ledger, log: log, file: file)
    }

    /// The spool's folders. A link planted in an inbox's place is reported
    /// here (deliveries into it are deferred); one in an outbox's place is
    /// reported by the watch, which never goes through it.
    static func createFolders(_ settings: GatewaySettings, log: EventLog) throws {
        let outboxes = Set(settings.outboxes.map(SpoolRoots.normalized))
        for refused in try settings.layout.create(units: settings.config.registry.ids) where !outboxes.contains(SpoolRoots.normalized(refused.path)) {
            log.log(.warning, "\(refused); deliveries to it wait until it is a folder again", fields: [])
        }
        try settings.createOfficeFolders()
    }

    /// Recovery (Recovery/): what a stop left, finished or undone, before the loop starts.
    func recover(now: Date) throws {
        try Recovery(settings: settings, ledger: ledger, log: log, claim: claim, file: file).run(now: now)
    }

    public var openCount: Int { open.count }

    /// The earliest time a submission must be looked at again.
    var nextWake: Date? {
        if decide.moreDue { return .distantPast }
        return (open.values.compactMap(\.wakeAt) + [file.retryAt].compactMap { $0 }).min()
    }
}
