import Foundation
import Testing
@testable import LienThongGateway
import LienThongCore
import LienThongSpool

/// The assess stage on its own: claimed files read once each and the
/// electronic ones validated, on the worker threads, then given roles.
@Suite("Assess stage")
struct AssessStageTests {
    @Test func aSignedPairIsReadOnceValidatedOffTheLoopAndGivenRoles() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let pair = try rig.dropSignedPair(key: "41-UBND-VP")
        let sub = try #require(line.claim.claimAll(pair.names.map { (rig.outbox, $0) }, now: rig.t0).first)

        let first = try line.assess.assess(sub, now: rig.t0)
        #expect(first.validating)  // started on a worker; nothing to decide yet
        #expect(line.assess.workers.runningCount == 1)
        #expect(try line.assess.assess(sub, now: rig.t0).validating)  // not started twice
        #expect(line.assess.workers.runningCount == 1)

        try line.awaitValidations(now: rig.t0)
        #expect(sub.wakeAt == rig.t0)
        let done = try line.assess.assess(sub, now: rig.t0)
        #expect(!done.validating && !done.stillArriving && !done.quarantine)
        let roles = Dictionary(uniqueKeysWithValues: done.parts.map { ($0.name, $0.role) })
        #expect(roles == ["41-UBND-VP.pdf": .electronic, "41-UBND-VP_scan.pdf": .scan])
        let electronic = try #require(done.parts.first { $0.role == .electronic })
        #expect(electronic.validation?.isValid == true)
        #expect(electronic.sha256 == (try sha256(pair.electronic)))
    }

    /// A FIFO inside a dropped folder: never opened (a read would block a
    /// worker for good), the submission goes to quarantine with the finding named.
    @Test func aFIFOInAClaimedFolderIsQuarantinedWithoutBeingOpened() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let folder = rig.outbox + "/Hồ sơ 5-UBND"
        try DurableFS.makeDirectories(folder)
        try rig.drop("5-UBND_scan.pdf", "%PDF-1.4 scan", in: folder)
        #expect(mkfifo(folder + "/5-UBND.pdf", 0o644) == 0)
        let sub = try #require(line.claim.claimAll([(rig.outbox, "Hồ sơ 5-UBND")], now: rig.t0).first)
        let started = Date()
        let a = try line.assessed(sub, now: rig.t0)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(a.quarantine && !a.validating)
        let fifo = try #require(a.parts.first { $0.name == "5-UBND.pdf" })
        #expect(fifo.problem?.code == .unsupportedFile)
        #expect(fifo.problem?.detail.contains("FIFO") == true)
    }

    /// A claimed file's facts hold for the bytes they were read from: one
    /// that changed since (an SMB client still writing through a handle it
    /// kept) is read again, and its old validation is not used.
    @Test func aFileThatChangedSinceItWasReadIsReadAgain() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        try rig.drop("6-UBND_scan.pdf", "%PDF-1.4 first")
        let sub = try #require(line.claim.claimAll([(rig.outbox, "6-UBND_scan.pdf")], now: rig.t0).first)
        let before = try line.assessed(sub, now: rig.t0)
        let path = rig.settings.layout.queuedFiles(sub.id) + "/6-UBND_scan.pdf"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(" and more".utf8))
        try handle.close()
        let after = try line.assessed(sub, now: rig.t0)
        #expect(before.parts.first?.size == 14 && after.parts.first?.size == 23)
        #expect(before.parts.first?.sha256 != after.parts.first?.sha256)
    }

    /// The loop only lists a submission's folder and hands the reading to
    /// a worker: with both workers busy (a hostile PDF each, say) the look
    /// returns at once. A file written to between the listing and the
    /// worker's read is not taken as read: the next look says it is still
    /// arriving, and the one after reads it again whole.
    @Test func theLoopListsAndAWorkerReadsAndAFileChangedBeforeTheReadIsReadAgain() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        try rig.drop("7-UBND_scan.pdf", "%PDF-1.4 first")
        let sub = try #require(line.claim.claimAll([(rig.outbox, "7-UBND_scan.pdf")], now: rig.t0).first)
        let release = DispatchSemaphore(value: 0)
        for n in 0..<2 {
            line.assess.workers.start("busy-\(n)", listing: []) {
                release.wait()
                return FileWork.Outcome()
            }
        }
        let started = Date()
        let first = try line.assess.assess(sub, now: rig.t0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(first.validating && first.parts.isEmpty, "the loop read the file itself")
        #expect(sub.facts.isEmpty)

        // Written to while the job waits for a worker.
        let path = rig.settings.layout.queuedFiles(sub.id) + "/7-UBND_scan.pdf"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(" and more".utf8))
        try handle.close()
        release.signal()
        release.signal()
        try line.awaitValidations(now: rig.t0)
        #expect(sub.facts.isEmpty, "facts taken from bytes that changed after the listing")
        let second = try line.assess.assess(sub, now: rig.t0)
        #expect(second.stillArriving)
        let third = try line.assessed(sub, now: rig.t0)
        #expect(third.parts.first?.size == 23)
        #expect(third.parts.first?.sha256 == SHA256Hex.of(Array("%PDF-1.4 first and more".utf8)))
    }

    /// A reload that brings new anchors or CRLs while a validation is under
    /// way: its verdict rested on the trust store before, so it is not
    /// taken (the facts it read are); the next look validates again.
    @Test func aValidationBegunBeforeATrustReloadIsNotTaken() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let pair = try rig.dropSignedPair(key: "42-UBND-VP")
        let sub = try #require(line.claim.claimAll(pair.names.map { (rig.outbox, $0) }, now: rig.t0).first)
        let release = DispatchSemaphore(value: 0)
        for n in 0..<2 {
            line.assess.workers.start("busy-\(n)", listing: []) {
                release.wait()
                return FileWork.Outcome()
            }
        }
        #expect(try line.assess.assess(sub, now: rig.t0).validating)
        line.decide.trustReloaded(now: rig.t0)
        release.signal()
        release.signal()
        try line.awaitValidations(now: rig.t0)
        #expect(sub.facts.count == 2, "the files read before the reload")
        #expect(sub.validations.isEmpty, "a validation against the trust store before the reload was taken")
        let again = try line.assessed(sub, now: rig.t0)
        #expect(again.parts.first { $0.role == .electronic }?.validation?.isValid == true)
    }
}

/// The validation gather: in a burst a finished validation waits a moment
/// for the others, so one round of fsyncs files them all; the moment is
/// counted from when it finished, not from when the loop collected it.
@Suite("Assess stage: the validation gather")
struct ValidationGatherTests {
    @Test func aValidationCollectedAfterALongTurnWaitsNoMore() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let sub = try line.claim.openSubmission(unit: StageRig.department, key: "12-BC-VP", identities: Pairing.keys(forKey: "12-BC-VP"),
                                                isFolder: false, now: rig.t0)
        let workers = line.assess.workers
        workers.start(sub.id, listing: []) { FileWork.Outcome() }
        var fds = [pollfd(fd: workers.wakeFD, events: Int16(POLLIN), revents: 0)]
        #expect(poll(&fds, 1, 10_000) == 1, "the quick validation did not finish")
        // A burst: four more under way (held until the end of the test).
        let release = DispatchSemaphore(value: 0)
        for n in 0..<4 {
            workers.start("other-\(n)", listing: []) {
                release.wait()
                return FileWork.Outcome()
            }
        }
        #expect(workers.runningCount >= AssessStage.gatherFrom)
        // The loop was in a claim turn for 120 ms before it collected.
        usleep(120_000)
        let now = Date()
        line.assess.collectValidations(now: now)
        let wake = try #require(sub.wakeAt)
        #expect(wake <= now, "waited \(wake.timeIntervalSince(now)) s more after a turn that was longer than the gather")
        #expect(wake > now.addingTimeInterval(-0.2))
        for _ in 0..<4 { release.signal() }
        try line.awaitValidations(now: now)
    }

    @Test func theMomentIsCountedFromTheFinishAndNeverLaterThanFromNow() {
        let now = Date()
        #expect(AssessStage.gathered(finishedAt: now, now: now) == now.addingTimeInterval(AssessStage.validationGather))
        #expect(AssessStage.gathered(finishedAt: now.addingTimeInterval(-0.03), now: now)
                == now.addingTimeInterval(-0.03).addingTimeInterval(AssessStage.validationGather))
        // A clock set back since it finished: no longer than the gather from now.
        #expect(AssessStage.gathered(finishedAt: now.addingTimeInterval(30), now: now) == now.addingTimeInterval(AssessStage.validationGather))
    }
}
