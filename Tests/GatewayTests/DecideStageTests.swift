import Foundation
import Testing
@testable import LienThongGateway
import LienThongCore
import LienThongSpool
import LienThongWatch

/// The decide stage on its own, with the clock as an argument: the rule's
/// waits and verdicts, the pending notice, the group commit and the hand-off
/// to the file stage. Before, each of these needed the daemon and real
/// seconds of waiting; here the pairing window passes by a number.
@Suite("Decide stage")
struct DecideStageTests {
    @Test func aValidPairIsAcceptedNumberedFiledAndLeavesTheOpenTable() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let pair = try rig.dropSignedPair(key: "41-UBND-VP")
        let sub = try #require(line.claim.claimAll(pair.names.map { (rig.outbox, $0) }, now: rig.t0).first)
        try line.decideDue(now: rig.t0)
        let record = try #require(try rig.ledger.submission(sub.id))
        #expect(record.state == .placed && record.verdict == .accepted && record.arrivalNumber == 1)
        #expect(rig.open.isEmpty)
        let receipt = try #require(rig.contents(rig.settings.layout.receipts(StageRig.department) + "/41-UBND-VP.accepted.json"))
        #expect(receipt == record.receipt)
        #expect(receipt.contains("\"arrival_number\": 1"))
    }

    /// The loop's turn commits its decisions without waiting for the disk:
    /// nothing acts on them — no filing, no receipt — until they are made
    /// durable (by the claim's commit after them, or an fsync of the log).
    @Test func aDecisionCommittedWithoutWaitingIsFiledOnlyOnceDurable() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let pair = try rig.dropSignedPair(key: "42-UBND-VP")
        let sub = try #require(line.claim.claimAll(pair.names.map { (rig.outbox, $0) }, now: rig.t0).first)
        line.decide.evaluateDue(now: rig.t0)  // starts the validation
        try line.awaitValidations(now: rig.t0)
        line.decide.evaluateDue(now: rig.t0, waitForFiling: false, durableLater: true)
        let receipt = rig.settings.layout.receipts(StageRig.department) + "/42-UBND-VP.accepted.json"
        #expect(try rig.state(sub.id) == .decided, "decided in the ledger")
        #expect(!line.file.isFiling, "not handed to the filing threads")
        let mark = try #require(line.decide.undurable?.mark)
        #expect(mark == rig.ledger.durableCommits, "no commit waited since")
        line.decide.fileIfAlreadyDurable()
        #expect(!line.file.isFiling, "no commit that waited came after it")
        // A commit that waits (the claim's intents) makes it durable: no fsync of its own.
        try rig.ledger.batch { _ = try rig.ledger.newSubmissionID(now: rig.t0, timeZone: rig.settings.timeZone) }
        line.decide.fileIfAlreadyDurable()
        #expect(line.file.isFiling && line.decide.undurable == nil)
        try line.decide.fileWhenDurable(now: rig.t0)
        #expect(rig.ledger.durableCommits == mark + 1, "no fsync of the log")
        line.file.finishFiling(now: rig.t0)
        #expect(try rig.state(sub.id) == .placed)
        #expect(FileManager.default.fileExists(atPath: receipt))
    }

    /// When nothing is claimed after them, the turn's decisions are made
    /// durable by an fsync of the ledger's log, then filed.
    @Test func aDecisionCommittedWithoutWaitingAndNothingAfterIsMadeDurableByTheLogsFsync() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let pair = try rig.dropSignedPair(key: "43-UBND-VP")
        let sub = try #require(line.claim.claimAll(pair.names.map { (rig.outbox, $0) }, now: rig.t0).first)
        line.decide.evaluateDue(now: rig.t0)
        try line.awaitValidations(now: rig.t0)
        line.decide.evaluateDue(now: rig.t0, waitForFiling: false, durableLater: true)
        let mark = try #require(line.decide.undurable?.mark)
        #expect(!line.file.isFiling)
        try line.decide.fileWhenDurable(now: rig.t0)
        #expect(rig.ledger.durableCommits == mark + 1, "the log was fsynced")
        #expect(line.file.isFiling && line.decide.undurable == nil)
        line.file.finishFiling(now: rig.t0)
        #expect(try rig.state(sub.id) == .placed)
    }

    /// A scan alone waits for its signed twin until the pairing window ends,
    /// and says so in a pending notice; then it is rejected for the missing
    /// electronic version, and the notice is replaced by the receipt.
    @Test func aScanAloneWaitsOutTheWindowWithANoticeThenIsRejected() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        try rig.drop("88-UBND_scan.pdf", "%PDF-1.4 a scan, no signature")
        let sub = try #require(line.claim.claimAll([(rig.outbox, "88-UBND_scan.pdf")], now: rig.t0).first)
        let window = rig.settings.config.intake.pairingWindow
        let notice = PendingNoticeFiles(layout: rig.settings.layout).stem(unit: StageRig.department, key: "88-UBND")

        try line.decideDue(now: rig.t0)
        #expect(sub.wakeAt == rig.t0.addingTimeInterval(window))
        #expect(try rig.state(sub.id) == .gathering)
        #expect(rig.contents(notice + ".json")?.contains(sub.id) == true)
        #expect(FileManager.default.fileExists(atPath: notice + ".txt"))

        try line.decideDue(now: rig.t0.addingTimeInterval(window - 0.1))  // not due yet: nothing happens
        #expect(try rig.state(sub.id) == .gathering)

        try line.decideDue(now: rig.t0.addingTimeInterval(window))
        let record = try #require(try rig.ledger.submission(sub.id))
        #expect(record.state == .placed && record.verdict == .rejected && record.arrivalNumber == nil)
        #expect(record.receipt?.contains(ReasonCode.missingElectronic.rawValue) == true)
        #expect(!FileManager.default.fileExists(atPath: notice + ".json") && !FileManager.default.fileExists(atPath: notice + ".txt"))
        #expect(FileManager.default.fileExists(atPath: rig.settings.layout.receipts(StageRig.department) + "/88-UBND.rejected.json"))
    }

    /// A key's pending notice has one name for every submission of the
    /// key: while the filing threads file a rejected scan (and removes its
    /// notice), a new scan of the same key waits, and keeps a notice of its
    /// own once the first is filed. (The loop writes it only after that
    /// filing, `FileStage.waitForFiling`; the race it closes — the filing
    /// reads the old owner, the loop writes, the filing unlinks — is too
    /// narrow for a test to hit without a hook inside placement.)
    @Test func aNewSubmissionOfAKeyBeingFiledKeepsItsOwnNotice() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        try rig.drop("95-UBND_scan.pdf", "%PDF-1.4 a scan, no signature")
        let first = try #require(line.claim.claimAll([(rig.outbox, "95-UBND_scan.pdf")], now: rig.t0).first)
        try line.decideDue(now: rig.t0)
        let notice = PendingNoticeFiles(layout: rig.settings.layout).stem(unit: StageRig.department, key: "95-UBND")
        #expect(rig.contents(notice + ".json")?.contains(first.id) == true)

        let end = rig.t0.addingTimeInterval(rig.settings.config.intake.pairingWindow)
        line.decide.evaluateDue(now: end, waitForFiling: false)  // rejected; filed behind the loop
        try rig.drop("95-UBND_scan.pdf", "%PDF-1.4 the scan again, still no signature")
        let second = try #require(line.claim.claimAll([(rig.outbox, "95-UBND_scan.pdf")], now: end).first)
        #expect(second.id != first.id)
        try line.decideDue(now: end, waitForFiling: false)
        line.file.finishFiling(now: end)

        #expect(try rig.state(first.id) == .placed)
        #expect(FileManager.default.fileExists(atPath: rig.settings.layout.receipts(StageRig.department) + "/95-UBND.rejected.json"))
        #expect(try rig.state(second.id) == .gathering)
        #expect(rig.contents(notice + ".json")?.contains(second.id) == true)
        #expect(FileManager.default.fileExists(atPath: notice + ".txt"))
    }

    /// After a restart every reopened submission is due at once: they are
    /// looked at a turn's worth at a time (the loop comes back at once for
    /// the rest), and a clerk already told is not told again (the notice's
    /// file is left as it is, not rewritten and synced).
    @Test func reopenedSubmissionsAreLookedAtATurnsWorthAtATimeAndNoNoticeIsWrittenTwice() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let names = ["71-UBND_scan.pdf", "72-UBND_scan.pdf", "73-UBND_scan.pdf"]
        for name in names { try rig.drop(name, "%PDF-1.4 a scan, no signature") }
        let subs = line.claim.claimAll(names.map { (rig.outbox, $0) }, now: rig.t0)
        #expect(subs.count == 3)
        let notices = PendingNoticeFiles(layout: rig.settings.layout)
        func noticed() -> Int {
            ["71-UBND", "72-UBND", "73-UBND"].filter { FileManager.default.fileExists(atPath: notices.stem(unit: StageRig.department, key: $0) + ".json") }.count
        }
        // One waiting for the workers is looked at but not counted.
        subs[0].awaitingValidation = true
        line.decide.evaluationsPerTurn = 1
        line.decide.evaluateDue(now: rig.t0)
        #expect(line.decide.moreDue)
        #expect(subs[0].awaitingValidation && subs.filter(\.awaitingValidation).count == 2,
                "the two looked at have their scans read on the workers")
        try line.awaitValidations(now: rig.t0)
        // The two read are not counted again; the third's turn has come.
        line.decide.evaluateDue(now: rig.t0)
        #expect(noticed() == 2)
        #expect(!line.decide.moreDue)
        try line.decideDue(now: rig.t0)
        #expect(noticed() == 3)

        // As after a restart: nothing in memory says the clerk was told.
        let path = notices.stem(unit: StageRig.department, key: "71-UBND") + ".json"
        var before = stat(), after = stat()
        #expect(lstat(path, &before) == 0)
        for sub in subs { sub.noticed = nil; sub.wakeAt = nil }
        line.decide.evaluationsPerTurn = 10
        line.decide.evaluateDue(now: rig.t0)
        #expect(lstat(path, &after) == 0)
        #expect(after.st_ino == before.st_ino, "an identical notice was written again")
    }

    /// The workers' queue is bounded: while it holds `jobsInFlight` jobs no
    /// new submission is looked at, and the loop does not spin for them
    /// (not `moreDue`, and the next wake is `waitForRoom` later, not now);
    /// once jobs are done the rest are looked at.
    @Test func noMoreJobsAreQueuedThanTheBoundAndTheRestWaitForAResult() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let names = ["81-UBND_scan.pdf", "82-UBND_scan.pdf", "83-UBND_scan.pdf"]
        for name in names { try rig.drop(name, "%PDF-1.4 a scan, no signature") }
        let subs = line.claim.claimAll(names.map { (rig.outbox, $0) }, now: rig.t0)
        #expect(subs.count == 3)
        line.decide.jobsInFlight = 2
        line.decide.evaluateDue(now: rig.t0)
        #expect(line.assess.workers.runningCount == 2)
        #expect(subs.filter(\.awaitingValidation).count == 2)
        #expect(!line.decide.moreDue, "the loop would spin while the workers are full")
        let waiting = try #require(subs.first { !$0.awaitingValidation })
        #expect(waiting.wakeAt == rig.t0.addingTimeInterval(DecideStage.waitForRoom), "due now: the loop would spin")
        let later = rig.t0.addingTimeInterval(DecideStage.waitForRoom)
        line.decide.evaluateDue(now: later)
        #expect(line.assess.workers.runningCount == 2, "a job queued past the bound")
        try line.awaitValidations(now: later)
        try line.decideDue(now: later.addingTimeInterval(DecideStage.waitForRoom))
        #expect(subs.allSatisfy { !$0.facts.isEmpty }, "a submission never read")
        #expect(subs.allSatisfy { $0.noticed != nil })
    }

    /// A twin still settling in the outbox holds the decision (without a
    /// notice: nothing is asked of the sender); an operator's hold keeps a
    /// submission undecided past its window.
    @Test func aSettlingTwinAndAnOperatorsHoldEachKeepASubmissionOpen() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        try rig.drop("90-UBND_scan.pdf", "%PDF-1.4 scan")
        try rig.drop("91-UBND_scan.pdf", "%PDF-1.4 scan")
        let subs = line.claim.claimAll([(rig.outbox, "90-UBND_scan.pdf"), (rig.outbox, "91-UBND_scan.pdf")], now: rig.t0)
        let settling = try #require(subs.first { $0.key == "90-UBND" })
        let held = try #require(subs.first { $0.key == "91-UBND" })
        // The signed twin of 90-UBND is still being copied in: the watch's
        // settle tracker, read by the decision through the twin lookout.
        let tracker = SettleTracker(settle: rig.settings.config.intake.settle)
        tracker.register(root: rig.outbox)
        let twin = SettleTracker.Entry(root: rig.outbox, name: "90-UBND.pdf")
        try rig.drop("90-UBND.pdf", "%PDF-1.7 half copied")
        tracker.noteActivity(twin, now: rig.t0)
        line.decide.twins = TwinLookout(tracker: tracker)
        held.held = true

        try line.decideDue(now: rig.t0)
        #expect(settling.wakeAt.map { $0 > rig.t0 } == true)
        let notices = PendingNoticeFiles(layout: rig.settings.layout)
        #expect(!FileManager.default.fileExists(atPath: notices.stem(unit: StageRig.department, key: "90-UBND") + ".json"))

        #expect(line.decide.isAwaitingMoreFiles(settling) && !line.decide.isAwaitingMoreFiles(held))
        tracker.forget(twin)  // the clerk took the half-copied file back
        try line.decideDue(now: rig.t0.addingTimeInterval(rig.settings.config.intake.pairingWindow + 60))
        #expect(try rig.state(held.id) == .gathering && rig.open[held.id] === held)
        #expect(try rig.state(settling.id) == .placed)  // its twin gone and the window over: decided alone
    }

    /// Every decision asks for twins in its outbox; the lookout answers from
    /// an index of the outbox's pending names built once while the tracker
    /// is unchanged, and follows the tracker when it changes.
    @Test func theTwinLookoutIndexesAnOutboxOnceWhileTheTrackerIsUnchanged() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let keys = (100..<140).map { "\($0)-UBND" }
        for key in keys { try rig.drop(key + "_scan.pdf", "%PDF-1.4 scan") }
        let subs = line.claim.claimAll(keys.map { (rig.outbox, $0 + "_scan.pdf") }, now: rig.t0)
        #expect(subs.count == keys.count)
        let settle = rig.settings.config.intake.settle
        let tracker = SettleTracker(settle: settle)
        tracker.register(root: rig.outbox)
        // Two hundred other names pending in that outbox, then the signed
        // twins of two scans: one copied in at t0, one half a settle later.
        for i in 0..<200 { tracker.noteActivity(SettleTracker.Entry(root: rig.outbox, name: "\(5000 + i)-UBND.pdf"), now: rig.t0) }
        let early = SettleTracker.Entry(root: rig.outbox, name: "100-UBND.pdf")
        tracker.noteActivity(early, now: rig.t0)
        tracker.noteActivity(SettleTracker.Entry(root: rig.outbox, name: "101-UBND.pdf"), now: rig.t0.addingTimeInterval(settle / 2))
        let lookout = TwinLookout(tracker: tracker)
        line.decide.twins = lookout

        let settled = rig.t0.addingTimeInterval(settle + 0.001)  // (t0 + settle) - t0 may round below settle
        let awaiting = Set(subs.filter { line.decide.isAwaitingMoreFiles($0) }.map(\.key))
        let claimable = Set(subs.filter { line.decide.hasClaimableTwin($0, settled) }.map(\.key))
        #expect(awaiting == ["100-UBND", "101-UBND"])
        #expect(claimable == ["100-UBND"], "only the twin copied in at t0 has settled a settle later")
        #expect(lookout.indexesBuilt == 1, "\(2 * subs.count) questions about one outbox built \(lookout.indexesBuilt) indexes")

        // The clerk takes the first twin back: the next question sees it gone.
        tracker.forget(early)
        #expect(Set(subs.filter { line.decide.isAwaitingMoreFiles($0) }.map(\.key)) == ["101-UBND"])
        #expect(!subs.contains { line.decide.hasClaimableTwin($0, settled) })
        #expect(subs.contains { line.decide.hasClaimableTwin($0, settled.addingTimeInterval(settle / 2)) })
        #expect(lookout.indexesBuilt == 2)
    }
}
