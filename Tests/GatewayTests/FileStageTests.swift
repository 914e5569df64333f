import Foundation
import Testing
@testable import LienThongGateway
import LienThongCore
import LienThongSpool

/// The file stage on its own: decided submissions from the ledger into the
/// archive, the office's copies and the receipts; its retry schedule with
/// the clock it is given. Before, a failed filing and its backoff were seen
/// only through the daemon's journal (and a full tmpfs in PressureTests).
@Suite("File stage")
struct FileStageTests {
    @Test func aDecidedSubmissionIsArchivedCopiedAndReceiptedThenPlaced() throws {
        let rig = try StageRig()
        let record = try rig.decided(["4116-UBND-CN.pdf", "4116-UBND-CN_scan.pdf"], at: rig.t0)
        let file = try rig.fileStage()
        file.startFiling([record])
        file.finishFiling(now: rig.t0)
        #expect(try rig.state(record.id) == .placed)
        let archive = try #require(record.placement)
        #expect(rig.contents(archive + "/files/4116-UBND-CN.pdf") == "bytes of 4116-UBND-CN.pdf")
        #expect(rig.contents(archive + "/receipt.json") == record.receipt)
        #expect(!FileManager.default.fileExists(atPath: rig.settings.layout.queued(record.id)))
        let receipts = rig.settings.layout.receipts(StageRig.department)
        #expect(rig.contents(receipts + "/4116-UBND-CN.accepted.json") == record.receipt)
        #expect(rig.contents(receipts + "/4116-UBND-CN.accepted.txt") == "receipt of \(record.id)\n")
        let copy = rig.settings.layout.officeInbox(StageRig.department) + "/4116-UBND-CN/4116-UBND-CN_scan.pdf"
        #expect(rig.contents(copy) == "bytes of 4116-UBND-CN_scan.pdf")
    }

    /// Filing fails (here: a file where the archive's year folder must be,
    /// as a full disk or an I/O error would): the submission stays decided,
    /// nothing is receipted, and it is filed again after 1 s, then 2 s…, by
    /// the clock the stage is given.
    @Test func aFailedFilingStaysDecidedAndIsRetriedWithDoublingBackoff() throws {
        let rig = try StageRig()
        let record = try rig.decided(["7-UBND.pdf"], at: rig.t0)
        let year = rig.settings.layout.root + "/archive/accepted/2026"
        try DurableFS.makeDirectories(rig.settings.layout.root + "/archive/accepted")
        #expect(FileManager.default.createFile(atPath: year, contents: Data("in the way".utf8)))
        let file = try rig.fileStage()

        file.startFiling([record])
        file.finishFiling(now: rig.t0)
        #expect(try rig.state(record.id) == .decided)
        #expect(file.retryAt == rig.t0.addingTimeInterval(1))
        #expect(!FileManager.default.fileExists(atPath: rig.settings.layout.receipts(StageRig.department) + "/7-UBND.accepted.json"))
        // A new decision meanwhile waits for the retry instead of failing again.
        let later = try rig.decided(["8-UBND.pdf"], at: rig.t0)
        file.startFiling([later])
        file.finishFiling(now: rig.t0)
        #expect(file.retryAt == rig.t0.addingTimeInterval(1))

        file.retryIfDue(now: rig.t0.addingTimeInterval(0.5))  // not yet
        #expect(file.retryAt == rig.t0.addingTimeInterval(1))
        file.retryIfDue(now: rig.t0.addingTimeInterval(1))  // still in the way
        #expect(file.retryAt == rig.t0.addingTimeInterval(3))

        try FileManager.default.removeItem(atPath: year)
        file.retryIfDue(now: rig.t0.addingTimeInterval(3))
        #expect(file.retryAt == nil)
        #expect(try rig.state(record.id) == .placed && rig.state(later.id) == .placed)
        #expect(rig.contents(rig.settings.layout.receipts(StageRig.department) + "/8-UBND.accepted.json") == later.receipt)
    }

    /// Filing runs on the filing threads while the loop goes on: the receipt
    /// appears without the loop's waiting for it, and the submission counts
    /// as placed only once the loop has waited (`finishFiling`), so a crash
    /// before that files it again at start.
    @Test func filingGoesOnWhileTheLoopWorksAndCountsOnlyOnceWaitedFor() throws {
        let rig = try StageRig()
        let record = try rig.decided(["12-UBND.pdf"], at: rig.t0)
        let file = try rig.fileStage()
        file.startFiling([record])
        let json = rig.settings.layout.receipts(StageRig.department) + "/12-UBND.accepted.json"
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: json), Date() < deadline { usleep(2_000) }
        #expect(rig.contents(json) == record.receipt)
        #expect(try rig.state(record.id) == .decided)
        file.finishFiling(now: rig.t0)
        #expect(try rig.state(record.id) == .placed)
        #expect(file.retryAt == nil)
    }

    /// A pending notice of a key being filed waits for the filing: the
    /// batch removes the key's notice, and must not remove the new one.
    @Test func aNoticeOfAKeyBeingFiledWaitsForTheFiling() throws {
        let rig = try StageRig()
        let record = try rig.decided(["31-UBND.pdf"], at: rig.t0)
        let file = try rig.fileStage()
        file.startFiling([record])
        file.waitForFiling(unit: StageRig.department, key: record.key, now: rig.t0)
        #expect(!file.isFiling)
        #expect(try rig.state(record.id) == .placed)
    }

    /// Files `first` and `second` in two batches where something is in the
    /// way: both stay decided, and a retry is due in a second.
    func fileTwoBatchesThatFail(_ rig: StageRig, _ first: Ledger.SubmissionRecord, _ second: Ledger.SubmissionRecord) throws -> FileStage {
        let file = try rig.fileStage()
        file.startFiling([first])
        file.startFiling([second])
        file.finishFiling(now: rig.t0)
        #expect(try rig.state(first.id) == .decided && rig.state(second.id) == .decided)
        #expect(file.retryAt == rig.t0.addingTimeInterval(1))
        return file
    }

    /// A batch that fails stops the later batches (a full disk would fail
    /// them too): each stays decided with nothing of it filed, and the
    /// retry files them all.
    @Test func aFailedBatchLeavesTheLaterBatchesForTheRetry() throws {
        let rig = try StageRig()
        let first = try rig.decided(["21-UBND.pdf"], at: rig.t0)
        let second = try rig.decided(["22-UBND.pdf"], accepted: false, role: .scan, at: rig.t0)
        let year = rig.settings.layout.root + "/archive/accepted/2026"
        try DurableFS.makeDirectories(rig.settings.layout.root + "/archive/accepted")
        #expect(FileManager.default.createFile(atPath: year, contents: Data("in the way".utf8)))
        let file = try fileTwoBatchesThatFail(rig, first, second)
        // The second (rejected, so not in the way) was not tried at all.
        #expect(FileManager.default.fileExists(atPath: rig.settings.layout.queued(second.id)))
        #expect(try rig.names(rig.settings.layout.receipts(StageRig.department)).isEmpty)

        try FileManager.default.removeItem(atPath: year)
        file.retryIfDue(now: rig.t0.addingTimeInterval(1))
        #expect(file.retryAt == nil)
        #expect(try rig.state(first.id) == .placed && rig.state(second.id) == .placed)
    }

    /// The filing threads are a pipeline (archive, then copies and
    /// receipts): a batch that fails in its second half is already in the
    /// archive; it stays decided with no receipt, the batches after it are
    /// not published, and the retry finishes them all from where they are.
    @Test func aBatchFailingAfterItsArchivingIsFinishedByTheRetry() throws {
        let rig = try StageRig()
        let first = try rig.decided(["41-UBND.pdf"], at: rig.t0)
        let second = try rig.decided(["42-UBND.pdf"], at: rig.t0)
        // A file where the unit's office inbox must be: the office copy
        // (second half) cannot be made, the archive (first half) can.
        let inbox = rig.settings.layout.officeInbox(StageRig.department)
        try? FileManager.default.removeItem(atPath: inbox)
        #expect(FileManager.default.createFile(atPath: inbox, contents: Data("in the way".utf8)))
        let file = try fileTwoBatchesThatFail(rig, first, second)
        let archived = try #require(first.placement)
        #expect(rig.contents(archived + "/receipt.json") == first.receipt)
        #expect(try rig.names(rig.settings.layout.receipts(StageRig.department)).isEmpty)

        try FileManager.default.removeItem(atPath: inbox)
        file.retryIfDue(now: rig.t0.addingTimeInterval(1))
        #expect(file.retryAt == nil)
        #expect(try rig.state(first.id) == .placed && rig.state(second.id) == .placed)
        let receipts = rig.settings.layout.receipts(StageRig.department)
        #expect(rig.contents(receipts + "/41-UBND.accepted.json") == first.receipt)
        #expect(rig.contents(receipts + "/42-UBND.accepted.json") == second.receipt)
        #expect(rig.contents(inbox + "/42-UBND/42-UBND.pdf") == "bytes of 42-UBND.pdf")
    }

    /// Two submissions of one key in batches filed one after the other:
    /// the receipt names and office folders are chosen in the order the
    /// batches were given (all on the publishing thread), whichever batch
    /// the archiving thread is working on meanwhile.
    @Test func batchesOfOneKeyGetTheirNamesInTheOrderGiven() throws {
        let rig = try StageRig()
        let records = try (0..<4).map { _ in try rig.decided(["51-UBND.pdf"], at: rig.t0) }
        let file = try rig.fileStage()
        for record in records { file.startFiling([record]) }
        file.finishFiling(now: rig.t0)
        let receipts = rig.settings.layout.receipts(StageRig.department)
        let inbox = rig.settings.layout.officeInbox(StageRig.department)
        for (n, record) in records.enumerated() {
            let name = n == 0 ? "51-UBND" : "51-UBND (\(n + 1))"
            #expect(try rig.state(record.id) == .placed)
            #expect(rig.contents(receipts + "/" + name + ".accepted.json") == record.receipt)
            #expect(rig.contents(inbox + "/" + name + "/.lienthong-submission") == record.id + "\n")
        }
    }

    /// Filing is idempotent: filing a submission a crash left half filed (its
    /// folder in the archive, no receipt yet) finishes it without a second copy.
    @Test func filingAgainAfterAnInterruptedFilingFinishesIt() throws {
        let rig = try StageRig()
        let record = try rig.decided(["9-UBND.pdf"], accepted: false, role: .scan, at: rig.t0)
        let archive = try #require(record.placement)
        try DurableFS.makeDirectories((archive as NSString).deletingLastPathComponent)
        #expect(rename(rig.settings.layout.queued(record.id), archive) == 0)  // the move happened, then the crash
        let file = try rig.fileStage()
        file.retryNow(now: rig.t0)
        #expect(try rig.state(record.id) == .placed)
        #expect(rig.contents(archive + "/receipt.json") == record.receipt)
        let receipts = try rig.names(rig.settings.layout.receipts(StageRig.department))
        #expect(receipts == [Array("9-UBND.rejected.json".utf8), Array("9-UBND.rejected.txt".utf8)])
        // A rejected submission gets no office copy.
        #expect(!FileManager.default.fileExists(atPath: rig.settings.layout.officeInbox(StageRig.department) + "/9-UBND"))
    }
}
