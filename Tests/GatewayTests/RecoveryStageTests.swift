import Foundation
import Testing
@testable import LienThongGateway
import LienThongCore
import LienThongSpool

/// Recovery on its own: a spool left as a crash leaves it, put right before
/// the loop starts, each half-done step by the stage that owns it. The kill
/// tests (KillRestartTests) do this at random points of a live daemon; here
/// each leftover is made on purpose and its outcome read exactly.
@Suite("Recovery stage")
struct RecoveryStageTests {
    @Test func whatACrashLeftIsFiledReopenedQuarantinedOrCleaned() throws {
        let rig = try StageRig()
        // Decided, never filed.
        let decided = try rig.decided(["1-UBND.pdf"], at: rig.t0)
        // Gathering, its claim's rename done but not marked.
        let claim = rig.claimStage()
        let gathering = try claim.openSubmission(unit: StageRig.department, key: "2-UBND", identities: Pairing.keys(forKey: "2-UBND"),
                                                 isFolder: false, now: rig.t0)
        let source = try rig.drop("2-UBND_scan.pdf", "scan")
        try rig.ledger.addFile(submission: gathering.id, name: "2-UBND_scan.pdf", source: source, at: rig.t0)
        try DurableFS.makeDirectories(rig.settings.layout.queuedFiles(gathering.id))
        #expect(rename(source, rig.settings.layout.queuedFiles(gathering.id) + "/2-UBND_scan.pdf") == 0)
        // A queue folder the ledger does not know (a ledger restored from a backup).
        let stray = rig.settings.layout.queued("20261201-000099-dead")
        try DurableFS.makeDirectories(stray + "/files")
        try rig.drop("lost.pdf", "evidence nobody recorded", in: stray + "/files")
        // A temporary file of a write a killed process left (another pid).
        let receipts = rig.settings.layout.receipts(StageRig.department)
        let stale = receipts + "/.5-UBND.accepted.json.999999.tmp"
        try rig.drop(".5-UBND.accepted.json.999999.tmp", "{", in: receipts)

        let restarted = OpenSubmissions()
        let claimAfter = rig.claimStage(open: restarted)
        let file = try rig.fileStage()
        try Recovery(settings: rig.settings, ledger: rig.ledger, log: rig.log, claim: claimAfter, file: file).run(now: rig.t0.addingTimeInterval(60))

        #expect(try rig.state(decided.id) == .placed)
        #expect(rig.contents(receipts + "/1-UBND.accepted.json") == decided.receipt)
        let reopened = try #require(restarted[gathering.id])
        #expect(reopened.wakeAt == rig.t0.addingTimeInterval(60))
        #expect(try rig.ledger.files(of: gathering.id).allSatisfy { $0.claimed })
        #expect(rig.mode(rig.settings.layout.queuedFiles(gathering.id) + "/2-UBND_scan.pdf") == EvidenceSeal.mode)
        #expect(!FileManager.default.fileExists(atPath: stray))
        #expect(rig.contents(rig.settings.layout.quarantine + "/20261201-000099-dead/files/lost.pdf") == "evidence nobody recorded")
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    /// A gathering submission whose only file never arrived (the crash came
    /// before the rename, and the sender took the file back) is dropped: no
    /// open submission, no ledger row left gathering, no queue folder.
    @Test func aSubmissionWhoseOnlyClaimNeverHappenedIsDropped() throws {
        let rig = try StageRig()
        let claim = rig.claimStage()
        let sub = try claim.openSubmission(unit: StageRig.department, key: "3-UBND", identities: Pairing.keys(forKey: "3-UBND"),
                                           isFolder: false, now: rig.t0)
        try rig.ledger.addFile(submission: sub.id, name: "3-UBND.pdf", source: rig.outbox + "/3-UBND.pdf", at: rig.t0)
        let restarted = OpenSubmissions()
        let claimAfter = rig.claimStage(open: restarted)
        try Recovery(settings: rig.settings, ledger: rig.ledger, log: rig.log, claim: claimAfter, file: try rig.fileStage()).run(now: rig.t0)
        #expect(restarted.isEmpty)
        #expect(try rig.ledger.submissions(in: .gathering).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: rig.settings.layout.queued(sub.id)))
    }
}
