import Foundation
import Testing
@testable import LienThongGateway
import LienThongCore
import LienThongSpool

/// The claim stage on its own: real files, ledger and seal, no daemon.
/// Before the stage was a type these were seen only through the daemon's
/// receipts; here each step's state (queue, ledger rows, seal) is read.
@Suite("Claim stage")
struct ClaimStageTests {
    @Test func aDroppedFileIsClaimedSealedAndRecorded() throws {
        let rig = try StageRig()
        let claim = rig.claimStage()
        let source = try rig.drop("4116-UBND-CN.pdf", "%PDF-1.7 the bytes the clerk sent")
        let subs = claim.claimAll([(rig.outbox, "4116-UBND-CN.pdf")], now: rig.t0)
        #expect(subs.count == 1)
        let sub = try #require(subs.first)
        #expect(sub.unit == StageRig.department && sub.key == "4116-UBND-CN" && sub.wakeAt == rig.t0)
        #expect(rig.open[sub.id] === sub)
        #expect(!FileManager.default.fileExists(atPath: source))
        let queued = rig.settings.layout.queuedFiles(sub.id) + "/4116-UBND-CN.pdf"
        #expect(rig.contents(queued) == "%PDF-1.7 the bytes the clerk sent")
        #expect(rig.mode(queued) == EvidenceSeal.mode)
        let rows = try rig.ledger.files(of: sub.id)
        #expect(rows.map(\.name) == ["4116-UBND-CN.pdf"] && rows.allSatisfy { $0.claimed })
        #expect(rows.first?.source == source)
    }

    @Test func twinsJoinOneSubmissionAndStrangersOpenTheirOwn() throws {
        let rig = try StageRig()
        for name in ["4116-UBND-CN.pdf", "4116-UBND-CN_scan.pdf", "99-QD-UBND.pdf"] { try rig.drop(name, name) }
        let subs = rig.claimStage().claimAll(
            ["4116-UBND-CN.pdf", "4116-UBND-CN_scan.pdf", "99-QD-UBND.pdf"].map { (rig.outbox, $0) }, now: rig.t0)
        #expect(subs.count == 2)
        let pair = try #require(subs.first { $0.key == "4116-UBND-CN" })
        #expect(try Set(rig.ledger.files(of: pair.id).map(\.name)) == ["4116-UBND-CN.pdf", "4116-UBND-CN_scan.pdf"])
        #expect(rig.open.count == 2)
    }

    /// Samba keeps a name as the client wrote it: macOS sends NFD, Windows
    /// NFC. One name in both forms is two files of one submission, each
    /// kept under its own bytes; neither overwrites the other.
    @Test func theNFCAndNFDFormsOfOneNameAreTwoFilesOfOneSubmission() throws {
        let rig = try StageRig()
        let nfc = "Công văn 12-UBND.pdf".precomposedStringWithCanonicalMapping
        let nfd = nfc.decomposedStringWithCanonicalMapping
        #expect(Array(nfc.utf8) != Array(nfd.utf8))
        try rig.drop(nfc, "from Windows")
        try rig.drop(nfd, "from a Mac")
        let subs = rig.claimStage().claimAll([(rig.outbox, nfc), (rig.outbox, nfd)], now: rig.t0)
        #expect(subs.count == 1)
        let id = try #require(subs.first?.id)
        let folder = rig.settings.layout.queuedFiles(id)
        #expect(try rig.names(folder) == [Array(nfc.utf8), Array(nfd.utf8)])
        #expect(rig.contents(folder + "/" + nfc) == "from Windows")
        #expect(rig.contents(folder + "/" + nfd) == "from a Mac")
        #expect(try rig.ledger.files(of: id).count == 2)
    }

    /// A second file under a name already queued gets `name (2).ext`, the
    /// number before the whole compound extension.
    @Test func aLaterFileUnderATakenNameIsNumberedNeverOverwritten() throws {
        let rig = try StageRig()
        let claim = rig.claimStage()
        try rig.drop("12-UBND.docx.p7s", "first")
        let first = try #require(claim.claimAll([(rig.outbox, "12-UBND.docx.p7s")], now: rig.t0).first)
        try rig.drop("12-UBND.docx.p7s", "second")
        let second = try #require(claim.claimAll([(rig.outbox, "12-UBND.docx.p7s")], now: rig.t0.addingTimeInterval(1)).first)
        #expect(second === first)
        let folder = rig.settings.layout.queuedFiles(first.id)
        #expect(rig.contents(folder + "/12-UBND.docx.p7s") == "first")
        #expect(rig.contents(folder + "/12-UBND (2).docx.p7s") == "second")
    }

    /// The sender takes the file back between its settling and its claim:
    /// the intent is forgotten and the submission it opened is dropped, with
    /// no folder left in the queue.
    @Test func aFileTakenBackBeforeItsRenameLeavesNothing() throws {
        let rig = try StageRig()
        let claim = rig.claimStage()
        let unit = try #require(rig.settings.config.registry[StageRig.department])
        let subs = claim.claimFiles([(unit, "gone.pdf", rig.outbox + "/gone.pdf", nil)], now: rig.t0)
        #expect(subs.isEmpty)
        #expect(rig.open.isEmpty)
        #expect(try rig.ledger.submissions(in: .gathering).isEmpty)
        #expect(try rig.names(rig.settings.layout.queue).isEmpty)
        #expect(claim.retryLater.isEmpty)  // not an error: nothing to try again
    }

    /// A crash after the rename, before the claim was marked: the intent is
    /// settled from the file system (claimed and sealed); an intent whose
    /// rename never happened is forgotten.
    @Test func intentsACrashLeftOpenAreSettledFromTheFileSystem() throws {
        let rig = try StageRig()
        let claim = rig.claimStage()
        let sub = try claim.openSubmission(unit: StageRig.department, key: "7-UBND", identities: Pairing.keys(forKey: "7-UBND"),
                                           isFolder: false, now: rig.t0)
        let moved = try rig.drop("7-UBND.pdf", "renamed before the crash")
        let stayed = try rig.drop("7-UBND_scan.pdf", "never renamed")
        try rig.ledger.addFile(submission: sub.id, name: "7-UBND.pdf", source: moved, at: rig.t0)
        try rig.ledger.addFile(submission: sub.id, name: "7-UBND_scan.pdf", source: stayed, at: rig.t0)
        let files = rig.settings.layout.queuedFiles(sub.id)
        try DurableFS.makeDirectories(files)
        #expect(rename(moved, files + "/7-UBND.pdf") == 0)

        #expect(try rig.ledger.fileCounts(of: sub.id) == (files: 2, unclaimed: 2))
        // The file that never moved is forgotten: one file left, claimed.
        #expect(try claim.settleIntents(sub, now: rig.t0) == 1)
        #expect(try rig.ledger.fileCounts(of: sub.id) == (files: 1, unclaimed: 0))
        let rows = try rig.ledger.files(of: sub.id)
        #expect(rows.map(\.name) == ["7-UBND.pdf"] && rows.allSatisfy { $0.claimed })
        #expect(rig.mode(files + "/7-UBND.pdf") == EvidenceSeal.mode)
        #expect(rig.contents(stayed) == "never renamed")  // still the sender's, claimed at its next settle
    }

    @Test func aFolderIsOneSubmissionClaimedWholeWithEveryEntryRecorded() throws {
        let rig = try StageRig()
        let folder = rig.outbox + "/Hồ sơ 15-UBND"
        try DurableFS.makeDirectories(folder + "/phụ lục")
        try rig.drop("15-UBND.pdf", "document", in: folder)
        try rig.drop("bảng.xlsx", "annex", in: folder + "/phụ lục")
        let sub = try #require(rig.claimStage().claimAll([(rig.outbox, "Hồ sơ 15-UBND")], now: rig.t0).first)
        #expect(sub.isFolder)
        #expect(!FileManager.default.fileExists(atPath: folder))
        let rows = try rig.ledger.files(of: sub.id)
        #expect(Set(rows.map(\.name)) == ["15-UBND.pdf", "phụ lục/bảng.xlsx"])  // no folder marker left
        #expect(rows.allSatisfy { $0.claimed })
        #expect(rig.mode(rig.settings.layout.queuedFiles(sub.id) + "/phụ lục/bảng.xlsx") == EvidenceSeal.mode)
    }

    /// In the office's outbox: a loose file is the office's own (its group
    /// is ""), a hidden name is not taken.
    @Test func theOfficesOwnFilesCarryTheirGroupAndHiddenNamesStay() throws {
        let rig = try StageRig()
        let office = rig.settings.officeOutbox(forAddress: "")
        try rig.drop("30-TB-UBND.pdf", "notice", in: office)
        try rig.drop(".~lock.30-TB-UBND.pdf#", "an editor's lock", in: office)
        let subs = rig.claimStage().claimAll([(office, "30-TB-UBND.pdf"), (office, ".~lock.30-TB-UBND.pdf#")], now: rig.t0)
        #expect(subs.count == 1)
        #expect(subs.first?.outboundGroup == "" && subs.first?.unit == rig.settings.config.office)
        #expect(FileManager.default.fileExists(atPath: office + "/.~lock.30-TB-UBND.pdf#"))
    }

    /// At start a gathering submission is reopened from the ledger: a file
    /// queued under a numbered name still pairs by the name it was dropped
    /// under.
    @Test func aReopenedSubmissionPairsByTheNamesItsFilesWereDroppedUnder() throws {
        let rig = try StageRig()
        let claim = rig.claimStage()
        try rig.drop("12-UBND.pdf", "first")
        let sub = try #require(claim.claimAll([(rig.outbox, "12-UBND.pdf")], now: rig.t0).first)
        try rig.drop("12-UBND.pdf", "again")
        claim.claimAll([(rig.outbox, "12-UBND.pdf")], now: rig.t0)

        let restarted = rig.claimStage(open: OpenSubmissions())
        let record = try #require(try rig.ledger.submission(sub.id))
        let reopened = try #require(try restarted.reopen(record, now: rig.t0.addingTimeInterval(60)))
        #expect(reopened.identities == Pairing.keys(forFileName: "12-UBND.pdf"))
        #expect(reopened.wakeAt == rig.t0.addingTimeInterval(60))
        #expect(restarted.open[sub.id] === reopened)
    }
}
