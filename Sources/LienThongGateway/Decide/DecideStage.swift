import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// Decide (SPEC §4, §7): asks the rule (`Decision`, `OutboundDecision`, in
/// Core) about each submission whose time has come, with what the assess
/// stage learned; a wait sets when to look again (and tells the sender, with
/// a pending notice, what it waits for); a decision is committed to the
/// ledger — verdict, arrival number, the exact receipts — in groups, then
/// handed to the file stage. The clock is the `now:` it is given.
final class DecideStage {
    var settings: GatewaySettings
    let ledger: Ledger
    let log: EventLog
    let open: OpenSubmissions
    let clock: StageClock
    let claim: ClaimStage
    let assess: AssessStage
    let file: FileStage
    /// Twins still settling or about to be claimed (the watch's side of
    /// pairing); nil when nothing is watched.
    var twins: TwinLookout?
    /// Decisions committed without waiting for the disk in this loop turn
    /// (`decideAll(durableLater:)`): the ledger's mark right after the last
    /// of them, and what waits until they are durable — their filing and
    /// their journal lines (`fileWhenDurable`).
    var undurable: (mark: Int, then: [() -> Void])?

    init(settings: GatewaySettings, ledger: Ledger, log: EventLog, open: OpenSubmissions, clock: StageClock,
         claim: ClaimStage, assess: AssessStage, file: FileStage) {
        self.settings = settings
        self.ledger = ledger
        self.log = log
        self.open = open
        self.clock = clock
        self.claim = claim
        self.assess = assess
        self.file = file
    }

    /// A file that would join `sub` is still settling in its outbox.
    func isAwaitingMoreFiles(_ sub: OpenSubmission) -> Bool { twins?.isSettling(sub, settings: settings) ?? false }

    /// A file that would join `sub` has settled and is claimed next turn.
    func hasClaimableTwin(_ sub: OpenSubmission, _ now: Date) -> Bool { twins?.isClaimable(sub, settings: settings, now: now) ?? false }

    /// Decides every submission whose time has come, in groups (DecideStage+Batch).
    /// Submissions looked at per loop turn at most, oldest first; the rest
    /// wait for the next turn, which comes at once (`moreDue`). After a
    /// restart with 10,000 reopened, one turn for all of them held SIGTERM,
    /// the watchdog and every claim until it was done.
    var evaluationsPerTurn = 500

    /// Jobs (a submission's reads and validations, `AssessWorkers`) under
    /// way or queued at most: while the workers have that many, a due
    /// submission not looked at yet is looked at `waitForRoom` later.
    /// Each queued job holds what it was given; after a restart with
    /// 10,000 reopened, every one of them was queued within a second, and a
    /// backlog ten times larger would queue ten times as many.
    var jobsInFlight = 1_024
    /// Later, not "due now": a due submission left as it is keeps the
    /// loop's next wake in the past, and the loop would spin until a job is
    /// done (`Pipeline.nextWake`).
    static let waitForRoom: Double = 0.05

    /// Due submissions left for the next turn.
    private(set) var moreDue = false

    func evaluateDue(now: Date, waitForFiling: Bool = true, durableLater: Bool = false) {
        let due = open.values.sorted(by: { $0.firstArrival < $1.firstArrival }).filter { !$0.held && ($0.wakeAt ?? .distantPast) <= now }
        // Those waiting for their files to be read or validated are looked
        // at as before but not counted: a burst of more than a turn's worth
        // must neither crowd the others out nor keep the loop spinning.
        var picked: [OpenSubmission] = []
        var counted = 0
        moreDue = false
        let room = jobsInFlight - assess.workers.runningCount
        for sub in due {
            if !sub.awaitingValidation {
                guard counted < room else {
                    sub.wakeAt = now.addingTimeInterval(Self.waitForRoom)
                    continue
                }
                guard counted < evaluationsPerTurn else { moreDue = true; continue }
                counted += 1
            }
            picked.append(sub)
        }
        decideAll(picked, now: now, waitForFiling: waitForFiling, durableLater: durableLater)
    }

    /// Looks at a submission: decides it, or sets when to look again. For an
    /// operator who waits for the answer: files not read yet are read here.
    func evaluate(_ sub: OpenSubmission, now: Date) {
        decideAll([sub], now: now, readHere: true)
    }

    func logDecision(_ r: Receipt, shelf: SpoolLayout.Shelf, number: Int?) {
        let codes = r.reasons.map(\.code.rawValue)
        var fields: [(String, String)] = [
            (JournalField.messageID, r.accepted ? MessageID.accepted : (shelf == .quarantine ? MessageID.quarantined : MessageID.rejected)),
            (JournalField.submission, r.submission),
            (JournalField.unit, r.unit),
            (JournalField.key, r.key),
            (JournalField.verdict, r.verdict.rawValue),
            (JournalField.reason, codes.joined(separator: ",")),
        ]
        if let number { fields.append((JournalField.arrivalNumber, String(number))) }
        let what = r.document.map { "\($0.display) (\(r.key))" } ?? r.key
        if r.accepted {
            log.log(.notice, "accepted \(what) from \(r.unit), arrival number \(number.map(String.init) ?? "-")", fields: fields)
        } else {
            log.log(.warning, "rejected \(what) from \(r.unit): \(Array(Set(codes)).sorted().joined(separator: ", "))", fields: fields)
        }
    }
}
