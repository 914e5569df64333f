import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// Every state a crash can leave between the steps of a (batched)
/// placement, built by hand, then filed again as Recovery does: the result
/// is always one archive folder, one office copy, one pair of receipts.
@Suite("Placement: every crash point is finished by a redo")
struct PlacementCrashTests {
    static let pdf = Array("%PDF-1.7 signed".utf8)
    static let scan = Array("%PDF-1.4 scan".utf8)
    let id = "20240301-000001-abcd"

    func expectFiledOnce(_ desk: Desk, _ plan: Placement.Plan) throws {
        #expect(!Scratch.exists(desk.layout.queued(plan.submission)))
        #expect(Scratch.tree(plan.archiveDir) == ["files", "files/a.pdf", "files/b.pdf", "receipt.json", "validation.json"])
        #expect(try Scratch.text(plan.archiveDir + "/receipt.json") == plan.receiptJSON)
        #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN"])
        #expect(Scratch.list(desk.officeInbox + "/4116-UBND-CN") == [".lienthong-submission", "a.pdf", "b.pdf"])
        #expect(try Scratch.bytes(desk.officeInbox + "/4116-UBND-CN/b.pdf") == Self.scan)
        #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt"])
        #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN.accepted.json") == plan.receiptJSON)
        #expect(Scratch.leftovers(desk.root).isEmpty, "\(Scratch.leftovers(desk.root))")
    }

    /// Cleans what a dead process left (as Recovery's first step does), then files again.
    func redo(_ desk: Desk, _ plan: Placement.Plan) throws {
        for dir in [desk.layout.queued(plan.submission), plan.archiveDir, desk.receipts] {
            StaleTemporaries.clean(dir, recursive: false)
        }
        StaleTemporaries.clean(desk.layout.officeInbox, recursive: true)
        try desk.placement.place(plan)
    }

    @Test func killedWhileWritingTheReceiptIntoTheQueueFolder() throws {
        try Scratch.withDir("crash1") { root in
            let desk = try Desk(root)
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf": Self.scan])
            let plan = desk.plan(id)
            try Scratch.write(desk.layout.queued(id) + "/.receipt.json.999999.tmp", "half a rec")
            try redo(desk, plan)
            try expectFiledOnce(desk, plan)
        }
    }

    @Test func movedIntoTheArchiveButTheReceiptRenameWasLost() throws {
        // Without a barrier between them, a crash could keep the folder's
        // move and lose the receipt's rename inside it.
        try Scratch.withDir("crash2") { root in
            let desk = try Desk(root)
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf": Self.scan])
            let plan = desk.plan(id)
            try FileManager.default.createDirectory(atPath: (plan.archiveDir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(rename(desk.layout.queued(id), plan.archiveDir) == 0)
            try redo(desk, plan)
            try expectFiledOnce(desk, plan)
        }
    }

    @Test func bothTheQueueFolderAndAnEmptyArchiveFolderExist() throws {
        try Scratch.withDir("crash3") { root in
            let desk = try Desk(root)
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf": Self.scan])
            let plan = desk.plan(id)
            try FileManager.default.createDirectory(atPath: plan.archiveDir, withIntermediateDirectories: true)
            try redo(desk, plan)
            try expectFiledOnce(desk, plan)
        }
    }

    @Test func bothExistAndTheArchiveFolderHoldsSomethingIsLeftForAPersonIntact() throws {
        try Scratch.withDir("crash4") { root in
            let desk = try Desk(root)
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf": Self.scan])
            let plan = desk.plan(id)
            try Scratch.write(plan.archiveDir + "/files/other.pdf", "something restored by hand")
            let error = #expect(throws: SpoolError.self) { try desk.placement.place(plan) }
            #expect(error?.code == EEXIST)
            #expect(error?.description.contains(plan.archiveDir) == true)
            // Nothing was lost or overwritten, no receipt claims it was filed.
            #expect(try Scratch.bytes(desk.layout.queuedFiles(id) + "/a.pdf") == Self.pdf)
            #expect(try Scratch.text(plan.archiveDir + "/files/other.pdf") == "something restored by hand")
            #expect(Scratch.list(desk.receipts).isEmpty)
        }
    }

    @Test func officeFolderMadeButItsMarkerStillATemporaryFile() throws {
        try Scratch.withDir("crash5") { root in
            let desk = try Desk(root)
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf": Self.scan])
            let plan = desk.plan(id)
            let folder = desk.officeInbox + "/4116-UBND-CN"
            try Scratch.write(folder + "/.lienthong-submission.999999.tmp", id)
            try redo(desk, plan)
            try expectFiledOnce(desk, plan)  // the same folder, no "(2)"
        }
    }

    @Test func officeCopyHalfWrittenUnderItsTemporaryName() throws {
        try Scratch.withDir("crash6") { root in
            let desk = try Desk(root)
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf": Self.scan])
            let plan = desk.plan(id)
            try desk.placement.place(plan)
            let folder = desk.officeInbox + "/4116-UBND-CN"
            #expect(unlink(folder + "/b.pdf") == 0)
            try Scratch.write(folder + "/.b.pdf.999999.tmp", "%PDF-1.4 sc")
            #expect(unlink(desk.receipts + "/4116-UBND-CN.accepted.json") == 0)
            try redo(desk, plan)
            try expectFiledOnce(desk, plan)
        }
    }

    @Test func everyStepDoneButNotYetMarkedPlacedIsANoOp() throws {
        try Scratch.withDir("crash7") { root in
            let desk = try Desk(root)
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf": Self.scan])
            let plan = desk.plan(id)
            try desk.placement.place(plan)
            try redo(desk, plan)
            try redo(desk, plan)
            try expectFiledOnce(desk, plan)
        }
    }

    @Test func twoSubmissionsWithOneKeyInOneBatchGetTwoNames() throws {
        try Scratch.withDir("batchkey") { root in
            let desk = try Desk(root)
            let other = "20240301-000002-beef"
            try desk.queue(id, ["a.pdf": Self.pdf])
            try desk.queue(other, ["a.pdf": Self.scan])
            let written = try desk.placement.placeAll([desk.plan(id), desk.plan(other)])
            #expect(written == [desk.receipts + "/4116-UBND-CN.accepted.json", desk.receipts + "/4116-UBND-CN (2).accepted.json"])
            #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN", "4116-UBND-CN (2)"])
            #expect(try Scratch.text(desk.officeInbox + "/4116-UBND-CN (2)/.lienthong-submission") == other + "\n")
            #expect(try Scratch.bytes(desk.officeInbox + "/4116-UBND-CN (2)/a.pdf") == Self.scan)
            // A redo of the batch finds each its own names again.
            #expect(try desk.placement.placeAll([desk.plan(other), desk.plan(id)]) == written.reversed())
        }
    }

    @Test func aKeyStartingWithADotMakesNoHiddenReceiptAndNoDotFolder() throws {
        try Scratch.withDir("dotkey") { root in
            let desk = try Desk(root)
            try desk.queue(id, ["a.pdf": Self.pdf])
            let written = try desk.placement.place(desk.plan(id, key: ".."))
            #expect(written == desk.receipts + "/_...accepted.json")
            #expect(Scratch.list(desk.officeInbox) == ["_.."])
        }
    }
}

@Suite("SyncBatch, stale temporaries, raw names, savepoints")
struct BatchSupportTests {
    @Test func abandonedStagedFilesLeaveNothingBehind() throws {
        try Scratch.withDir("abandon") { root in
            let batch = SyncBatch()
            try batch.stage(root + "/a.json", text: "a")
            try batch.stage(root + "/b.json", text: "b")
            #expect(Scratch.leftovers(root).count == 2)
            #expect(!Scratch.exists(root + "/a.json"))
            batch.abandon()
            #expect(Scratch.list(root).isEmpty)
        }
    }

    @Test func publishedFilesAppearWholeAndNoTemporaryRemains() throws {
        try Scratch.withDir("publish") { root in
            let batch = SyncBatch()
            try batch.makeDirectories(root + "/x/y")
            try batch.stage(root + "/x/y/a.json", text: "alpha")
            try batch.publishStaged()
            try batch.stageCopy(from: root + "/x/y/a.json", to: root + "/x/b.json")
            #expect(throws: SpoolError.self) { try batch.stageCopy(from: root + "/missing", to: root + "/x/c.json") }
            try batch.publishStaged()
            try batch.syncDirectories()
            #expect(try Scratch.text(root + "/x/b.json") == "alpha")
            #expect(Scratch.tree(root) == ["x", "x/b.json", "x/y", "x/y/a.json"])
        }
    }

    /// Two names near 255 bytes cut to one temporary name (a receipt's
    /// `.txt` and `.json`, staged together since issue 15): each must still
    /// get its own bytes.
    @Test func twoStagedNamesThatCutToOneTemporaryKeepTheirOwnBytes() throws {
        try Scratch.withDir("barrier-longname") { root in
            let stem = root + "/" + String(repeating: "ệ", count: 82)  // 246 bytes
            let sync = SyncBatch()
            try sync.stage(stem + ".txt", text: "text", phase: 1)
            try sync.stage(stem + ".json", text: "{}", phase: 2)
            try sync.syncStaged()
            try sync.publishStaged(phase: 1)
            #expect(try Scratch.text(stem + ".txt") == "text")
            #expect(!Scratch.exists(stem + ".json"), "a later phase is not published with an earlier one")
            try sync.publishStaged(phase: 2)
            try sync.syncDirectories()
            #expect(try Scratch.text(stem + ".json") == "{}")
            #expect(Scratch.leftovers(root).isEmpty)
            #expect(sync.fileBarriers == 1, "data synced once, not again when published")
        }
    }

    @Test func staleNamesAreOnlyOurOwnPatternFromAnotherProcess() {
        #expect(StaleTemporaries.isStale(".receipt.json.12345.tmp"))
        #expect(StaleTemporaries.isStale(".4116-UBND-CN.pdf.7.part"))
        #expect(!StaleTemporaries.isStale(".receipt.json.\(getpid()).tmp"), "our own, in flight")
        #expect(!StaleTemporaries.isStale("receipt.json.12345.tmp"))
        #expect(!StaleTemporaries.isStale(".notes.tmp"))
        #expect(!StaleTemporaries.isStale("..12.tmp"))
        #expect(!StaleTemporaries.isStale(".x.12a.tmp"))
    }

    @Test func cleaningNeverEntersAFilesFolder() throws {
        try Scratch.withDir("stale") { root in
            try Scratch.write(root + "/q/.receipt.json.99999.tmp", "x")
            try Scratch.write(root + "/q/files/.sender.99999.tmp", "a sender's own file")
            let removed = StaleTemporaries.clean(root, recursive: true)
            #expect(removed == [root + "/q/.receipt.json.99999.tmp"])
            #expect(Scratch.exists(root + "/q/files/.sender.99999.tmp"))
        }
    }

    @Test func namesThatAreNotUTF8AreRenamedToASafeName() throws {
        #expect(RawNames.escaped([0x62, 0xFF, 0xC3, 0xA1, 0xE1, 0xBB]) == "b%FFá%E1%BB")
        try Scratch.withDir("rawnames") { root in
            let raw: [UInt8] = Array(root.utf8) + Array("/bad-".utf8) + [0xC0, 0xAF] + Array(".pdf".utf8) + [0]
            let fd = raw.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
            #expect(fd >= 0)
            close(fd)
            try Scratch.write(root + "/bad-%C0%AF.pdf", "already taken")
            let renamed = RawNames.repair(root, recursive: false)
            #expect(renamed.map(\.to) == ["bad-%C0%AF.pdf (2)"])
            #expect(Scratch.list(root) == ["bad-%C0%AF.pdf", "bad-%C0%AF.pdf (2)"])
        }
    }

    @Test func aFailedStepInsideABatchIsUndoneAloneAndTheRestCommits() throws {
        try Scratch.withDir("savepoint") { root in
            let db = try SQLiteDatabase(path: root + "/t.sqlite")
            try db.execute("CREATE TABLE t(x INTEGER PRIMARY KEY)")
            try db.transaction {
                try db.transaction { try db.query("INSERT INTO t VALUES(1)") }
                _ = try? db.transaction {
                    try db.query("INSERT INTO t VALUES(2)")
                    try db.query("INSERT INTO t VALUES(1)")  // fails: the whole step goes, 2 included
                }
                try db.transaction { try db.query("INSERT INTO t VALUES(3)") }
            }
            #expect(try db.query("SELECT x FROM t ORDER BY x").compactMap { $0.first?.int } == [1, 3])
        }
    }
}
