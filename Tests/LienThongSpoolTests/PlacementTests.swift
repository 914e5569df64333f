import Foundation
import LienThongCore
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// A spool with one unit and helpers to queue a submission and plan it.
struct Desk {
    static let unit = "000.00.01.H41"
    let root: String
    let layout: SpoolLayout
    let placement: Placement

    init(_ root: String) throws {
        self.root = root
        layout = SpoolLayout(root: root)
        placement = Placement(layout: layout)
        try layout.create(units: [Self.unit])
    }

    /// Puts `files` (relative path → bytes) into `queue/<id>/files/`, as the claim step does.
    func queue(_ id: String, _ files: [String: [UInt8]]) throws {
        for (rel, bytes) in files { try Scratch.write(layout.queuedFiles(id) + "/" + rel, bytes) }
    }

    func plan(_ id: String, key: String = "4116-UBND-CN", verdict: String = "accepted", officeCopy: Bool = true) -> Placement.Plan {
        let shelf: SpoolLayout.Shelf = verdict == "accepted" ? .accepted : .rejected
        return Placement.Plan(
            submission: id, unit: Self.unit, key: key, verdict: Verdict(rawValue: verdict)!,
            archiveDir: layout.archive(shelf, submission: id, year: 2024, month: 3),
            receiptJSON: "{\"submission\":\"\(id)\",\"key\":\"\(key)\",\"verdict\":\"\(verdict)\"}\n",
            receiptText: "Biên nhận \(id): \(verdict)\n",
            report: "{\"report\":\"\(id)\"}\n",
            officeCopy: officeCopy)
    }

    var receipts: String { layout.receipts(Self.unit) }
    var officeInbox: String { layout.officeInbox(Self.unit) }
}

@Suite("Placement: filing a decided submission")
struct PlacementTests {
    static let pdf = Array("%PDF-1.7 signed".utf8)
    static let scan = Array("%PDF-1.4 scan".utf8)

    @Test func aQueuedSubmissionIsMovedWholeIntoTheArchive() throws {
        try Scratch.withDir("place") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["4116-UBND-CN.pdf": Self.pdf, "4116-UBND-CN_scan.pdf": Self.scan])
            let inode = Scratch.inode(desk.layout.queuedFiles(id) + "/4116-UBND-CN.pdf")
            let plan = desk.plan(id)

            let written = try desk.placement.place(plan)

            #expect(!Scratch.exists(desk.layout.queued(id)))
            #expect(plan.archiveDir == root + "/archive/accepted/2024/03/" + id)
            #expect(Scratch.tree(plan.archiveDir) == [
                "files", "files/4116-UBND-CN.pdf", "files/4116-UBND-CN_scan.pdf", "receipt.json", "validation.json",
            ])
            // Moved, not copied: the very same file.
            #expect(Scratch.inode(plan.archiveDir + "/files/4116-UBND-CN.pdf") == inode)
            #expect(try Scratch.text(plan.archiveDir + "/receipt.json") == plan.receiptJSON)
            #expect(try Scratch.text(plan.archiveDir + "/validation.json") == plan.report)

            // The sender's receipts.
            #expect(written == desk.receipts + "/4116-UBND-CN.accepted.json")
            #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt"])
            #expect(try Scratch.text(written) == plan.receiptJSON)
            #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN.accepted.txt") == plan.receiptText)

            // The clerks' copy: same bytes, separate files.
            let office = desk.officeInbox + "/4116-UBND-CN"
            #expect(Scratch.list(office) == [".lienthong-submission", "4116-UBND-CN.pdf", "4116-UBND-CN_scan.pdf"])
            #expect(try Scratch.bytes(office + "/4116-UBND-CN.pdf") == Self.pdf)
            #expect(try Scratch.bytes(office + "/4116-UBND-CN_scan.pdf") == Self.scan)
            #expect(Scratch.inode(office + "/4116-UBND-CN.pdf") != inode)

            #expect(Scratch.leftovers(root).isEmpty)
        }
    }

    /// A dropped folder with an NFC and an NFD subfolder of one name (a
    /// Windows and a Mac clerk): the office copy gets both, each with its
    /// own file. Compared as Strings the second was never made, and its
    /// copy failed the whole batch again at every retry.
    @Test func nfcAndNFDSubfoldersBothReachTheOfficeCopy() throws {
        try Scratch.withDir("place-nfd") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-nfd0"
            let nfc = "Hồ sơ".precomposedStringWithCanonicalMapping, nfd = nfc.decomposedStringWithCanonicalMapping
            try desk.queue(id, [nfc + "/a.pdf": Self.pdf, nfd + "/b.pdf": Self.scan])
            try desk.placement.place(desk.plan(id))
            let office = desk.officeInbox + "/4116-UBND-CN"
            #expect(TrustedPath.read(office + "/" + nfc + "/a.pdf") == Self.pdf)
            #expect(TrustedPath.read(office + "/" + nfd + "/b.pdf") == Self.scan)
            #expect(TrustedPath.status(office + "/" + nfc + "/b.pdf") == nil)
            #expect(Scratch.leftovers(root).isEmpty)
        }
    }

    @Test func placingTwiceIsHarmless() throws {
        try Scratch.withDir("twice") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf, "sub/b.pdf": Self.scan])
            let plan = desk.plan(id)
            let first = try desk.placement.place(plan)
            let before = Scratch.tree(root)
            let second = try desk.placement.place(plan)
            #expect(first == second)
            #expect(Scratch.tree(root) == before)
            #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN"])
            #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt"])
            #expect(try Scratch.bytes(desk.officeInbox + "/4116-UBND-CN/sub/b.pdf") == Self.scan)
        }
    }

    @Test func anOfficeInboxClashGivesKeyTwo() throws {
        try Scratch.withDir("officeclash") { root in
            let desk = try Desk(root)
            let first = "20240301-000001-aaaa", second = "20240301-000002-bbbb"
            try desk.queue(first, ["a.pdf": Self.pdf])
            try desk.queue(second, ["a.pdf": Self.scan])
            try desk.placement.place(desk.plan(first))
            let written = try desk.placement.place(desk.plan(second))

            #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN", "4116-UBND-CN (2)"])
            #expect(try Scratch.bytes(desk.officeInbox + "/4116-UBND-CN/a.pdf") == Self.pdf)
            #expect(try Scratch.bytes(desk.officeInbox + "/4116-UBND-CN (2)/a.pdf") == Self.scan)

            // …and the second receipt does not overwrite the first.
            #expect(written == desk.receipts + "/4116-UBND-CN (2).accepted.json")
            #expect(Scratch.list(desk.receipts) == [
                "4116-UBND-CN (2).accepted.json", "4116-UBND-CN (2).accepted.txt",
                "4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt",
            ])
            #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN.accepted.json") == desk.plan(first).receiptJSON)
            #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN (2).accepted.json") == desk.plan(second).receiptJSON)
            #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN (2).accepted.txt") == desk.plan(second).receiptText)

            // Redoing either one finds its own names again.
            #expect(try desk.placement.place(desk.plan(second)) == written)
            #expect(try desk.placement.place(desk.plan(first)) == desk.receipts + "/4116-UBND-CN.accepted.json")
            #expect(Scratch.list(desk.officeInbox).count == 2)
            #expect(Scratch.list(desk.receipts).count == 4)
        }
    }

    @Test func aThirdSubmissionWithTheSameKeyGetsThree() throws {
        try Scratch.withDir("three") { root in
            let desk = try Desk(root)
            for n in 1...3 {
                let id = "20240301-00000\(n)-abcd"
                try desk.queue(id, ["a.pdf": Array("v\(n)".utf8)])
                try desk.placement.place(desk.plan(id))
            }
            #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN", "4116-UBND-CN (2)", "4116-UBND-CN (3)"])
            #expect(try Scratch.text(desk.officeInbox + "/4116-UBND-CN (3)/a.pdf") == "v3")
            #expect(Scratch.exists(desk.receipts + "/4116-UBND-CN (3).accepted.json"))
        }
    }

    @Test func aFolderTheClerksMadeThemselvesIsNotTakenOver() throws {
        try Scratch.withDir("clerkfolder") { root in
            let desk = try Desk(root)
            try Scratch.write(desk.officeInbox + "/4116-UBND-CN/notes.docx", "the clerk's own notes")
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf])
            try desk.placement.place(desk.plan(id))
            #expect(Scratch.list(desk.officeInbox + "/4116-UBND-CN") == ["notes.docx"])
            #expect(try Scratch.bytes(desk.officeInbox + "/4116-UBND-CN (2)/a.pdf") == Self.pdf)
        }
    }

    @Test func anEmptyFolderLeftByACrashIsAdopted() throws {
        try Scratch.withDir("emptyfolder") { root in
            let desk = try Desk(root)
            try FileManager.default.createDirectory(atPath: desk.officeInbox + "/4116-UBND-CN", withIntermediateDirectories: true)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf])
            try desk.placement.place(desk.plan(id))
            #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN"])
            #expect(try Scratch.text(desk.officeInbox + "/4116-UBND-CN/.lienthong-submission") == id + "\n")
            #expect(try Scratch.bytes(desk.officeInbox + "/4116-UBND-CN/a.pdf") == Self.pdf)
        }
    }

    @Test func receiptNameClashWithAnotherSubmissionsReceipt() throws {
        try Scratch.withDir("receiptclash") { root in
            let desk = try Desk(root)
            // A receipt written earlier for another submission with the same key
            // (no office copy involved: a rejected one, say, then accepted).
            let other = desk.plan("20240201-000009-ffff")
            try Scratch.write(desk.receipts + "/4116-UBND-CN.accepted.json", other.receiptJSON)
            try Scratch.write(desk.receipts + "/4116-UBND-CN.accepted.txt", other.receiptText)

            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf])
            let written = try desk.placement.place(desk.plan(id, officeCopy: false))
            #expect(written == desk.receipts + "/4116-UBND-CN (2).accepted.json")
            #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN.accepted.json") == other.receiptJSON)
            #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN.accepted.txt") == other.receiptText)
            #expect(try Scratch.text(written) == desk.plan(id).receiptJSON)
            #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN (2).accepted.txt") == desk.plan(id).receiptText)
            #expect(!Scratch.exists(desk.officeInbox + "/4116-UBND-CN"))
        }
    }

    @Test func acceptedAndRejectedReceiptsOfTheSameKeyDoNotClash() throws {
        try Scratch.withDir("verdicts") { root in
            let desk = try Desk(root)
            let rejected = "20240301-000001-aaaa", accepted = "20240301-000002-bbbb"
            try desk.queue(rejected, ["4116-UBND-CN_scan.pdf": Self.scan])
            try desk.queue(accepted, ["4116-UBND-CN.pdf": Self.pdf])
            let r = try desk.placement.place(desk.plan(rejected, verdict: "rejected", officeCopy: false))
            let a = try desk.placement.place(desk.plan(accepted))
            #expect(r == desk.receipts + "/4116-UBND-CN.rejected.json")
            #expect(a == desk.receipts + "/4116-UBND-CN.accepted.json")
            #expect(Scratch.exists(root + "/archive/rejected/2024/03/" + rejected + "/files/4116-UBND-CN_scan.pdf"))
            #expect(Scratch.exists(root + "/archive/accepted/2024/03/" + accepted + "/files/4116-UBND-CN.pdf"))
            // A rejected submission never reaches the clerks.
            #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN"])
            #expect(!Scratch.exists(desk.officeInbox + "/4116-UBND-CN/4116-UBND-CN_scan.pdf"))
        }
    }

    // MARK: long names

    /// Clerks name files after their subject; in Vietnamese that easily comes
    /// near the 255-byte limit of a file name. The key is the name without
    /// `.pdf`, so `<key>.accepted.json` or `<key> (2)` can be too long.
    static let longKey: String = {
        var k = "Công văn số 4116-UBND-CN ngày 12-6-2018 của UBND tỉnh Nghệ An về việc triển khai"
        while k.utf8.count < 246 { k += " thực hiện" }
        return String(k.prefix { _ in true })
    }()

    static func fitsInAName(_ dir: String) -> Bool {
        Scratch.list(dir).allSatisfy { $0.utf8.count <= 255 }
    }

    @Test func aKeyNearTheNameLimitStillGetsItsReceiptAndOfficeCopy() throws {
        try Scratch.withDir("longkey") { root in
            let desk = try Desk(root)
            var key = Self.longKey
            while key.utf8.count > 250 { key.removeLast() }
            #expect((key + ".pdf").utf8.count <= 255)  // a valid file name in the outbox
            let first = "20240301-000001-aaaa", second = "20240301-000002-bbbb"
            try desk.queue(first, [key + ".pdf": Self.pdf])
            try desk.queue(second, [key + ".pdf": Self.scan])

            let r1 = try desk.placement.place(desk.plan(first, key: key))
            let r2 = try desk.placement.place(desk.plan(second, key: key))
            #expect(r1 != r2)
            #expect(try Scratch.text(r1) == desk.plan(first, key: key).receiptJSON)
            #expect(try Scratch.text(r2) == desk.plan(second, key: key).receiptJSON)
            #expect(r1.hasSuffix(".accepted.json") && r2.hasSuffix(".accepted.json"))
            #expect(Scratch.list(desk.receipts).count == 4)
            #expect(Scratch.list(desk.receipts).filter { $0.hasSuffix(".accepted.txt") }.count == 2)
            #expect(Self.fitsInAName(desk.receipts))
            // Names keep as much of the key as fits, cut between characters.
            #expect(Scratch.list(desk.receipts).allSatisfy { String(key.prefix(60)) == String($0.prefix(60)) })

            let office = Scratch.list(desk.officeInbox)
            #expect(office.count == 2)
            #expect(Self.fitsInAName(desk.officeInbox))
            let copies = try office.map { try Scratch.bytes(desk.officeInbox + "/" + $0 + "/" + key + ".pdf") }
            #expect(Set(copies) == [Self.pdf, Self.scan])

            // A redo finds the same names.
            let before = Scratch.tree(root)
            #expect(try desk.placement.place(desk.plan(first, key: key)) == r1)
            #expect(try desk.placement.place(desk.plan(second, key: key)) == r2)
            #expect(Scratch.tree(root) == before)
        }
    }

    @Test func aFolderNamedUpToTheLimitGetsASecondOfficeCopy() throws {
        try Scratch.withDir("longfolder") { root in
            let desk = try Desk(root)
            var key = Self.longKey + " và các văn bản kèm theo"
            while key.utf8.count > 255 { key.removeLast() }
            for (n, id) in ["20240301-000001-aaaa", "20240301-000002-bbbb"].enumerated() {
                try desk.queue(id, ["a.pdf": Array("v\(n)".utf8)])
                try desk.placement.place(desk.plan(id, key: key))
            }
            #expect(Scratch.list(desk.officeInbox).count == 2)
            #expect(Scratch.list(desk.officeInbox).contains(key))
            #expect(Self.fitsInAName(desk.officeInbox))
            #expect(Scratch.list(desk.receipts).count == 4)
            // Windows clients cannot open a folder whose name ends in a dot or a space.
            #expect(Scratch.list(desk.officeInbox).allSatisfy { !$0.hasSuffix(".") && !$0.hasSuffix(" ") })
        }
    }

    // MARK: crashes

    @Test func aCrashAfterTheArchiveRenameIsFinishedByTheRedo() throws {
        try Scratch.withDir("crashrename") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf.p7s": Self.scan])
            let plan = desk.plan(id)
            // What place() had done before the crash: receipt and report in the
            // queue folder, the folder renamed into the archive; nothing else.
            try DurableFS.writeFile(desk.layout.queued(id) + "/receipt.json", text: plan.receiptJSON)
            try DurableFS.writeFile(desk.layout.queued(id) + "/validation.json", text: plan.report)
            try DurableFS.makeDirectories((plan.archiveDir as NSString).deletingLastPathComponent)
            try DurableFS.move(desk.layout.queued(id), to: plan.archiveDir)

            let written = try desk.placement.place(plan)
            #expect(written == desk.receipts + "/4116-UBND-CN.accepted.json")
            #expect(try Scratch.text(written) == plan.receiptJSON)
            #expect(Scratch.list(desk.officeInbox + "/4116-UBND-CN") == [".lienthong-submission", "a.pdf", "b.pdf.p7s"])
            #expect(Scratch.tree(plan.archiveDir) == ["files", "files/a.pdf", "files/b.pdf.p7s", "receipt.json", "validation.json"])
        }
    }

    @Test func aCrashBeforeTheRenameIsFinishedByTheRedo() throws {
        try Scratch.withDir("crashbefore") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf])
            let plan = desk.plan(id)
            // Crash after receipt.json was written into the queue folder (and a
            // stale temp name from the dead process is lying there too).
            try DurableFS.writeFile(desk.layout.queued(id) + "/receipt.json", text: plan.receiptJSON)
            try desk.placement.place(plan)
            #expect(!Scratch.exists(desk.layout.queued(id)))
            #expect(try Scratch.text(plan.archiveDir + "/validation.json") == plan.report)
            #expect(Scratch.exists(desk.receipts + "/4116-UBND-CN.accepted.json"))
        }
    }

    @Test func aCrashHalfwayThroughTheOfficeCopyIsCompleted() throws {
        try Scratch.withDir("crashcopy") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf, "b.pdf": Self.scan])
            let plan = desk.plan(id)
            try desk.placement.place(plan)
            // Undo part of the office copy and the receipts, as if the process died there.
            #expect(unlink(desk.officeInbox + "/4116-UBND-CN/b.pdf") == 0)
            #expect(unlink(desk.receipts + "/4116-UBND-CN.accepted.json") == 0)
            #expect(unlink(desk.receipts + "/4116-UBND-CN.accepted.txt") == 0)

            try desk.placement.place(plan)
            #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN"])
            #expect(try Scratch.bytes(desk.officeInbox + "/4116-UBND-CN/b.pdf") == Self.scan)
            #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt"])
        }
    }

    @Test func aCrashBetweenTheTwoReceiptFilesIsCompleted() throws {
        try Scratch.withDir("crashreceipt") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf])
            let plan = desk.plan(id)
            try desk.placement.place(plan)
            // The text was written, the JSON not yet.
            #expect(unlink(desk.receipts + "/4116-UBND-CN.accepted.json") == 0)
            try DurableFS.writeFile(desk.receipts + "/4116-UBND-CN.accepted.txt", text: "half")
            try desk.placement.place(plan)
            #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt"])
            #expect(try Scratch.text(desk.receipts + "/4116-UBND-CN.accepted.txt") == plan.receiptText)
        }
    }

    @Test func neitherQueuedNorArchivedIsAnErrorNamingTheFolder() throws {
        try Scratch.withDir("lost") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            let error = #expect(throws: SpoolError.self) { try desk.placement.place(desk.plan(id)) }
            #expect(error?.code == ENOENT)
            #expect(error?.description.contains(desk.layout.queued(id)) == true)
            #expect(Scratch.list(desk.receipts).isEmpty)
            #expect(Scratch.list(desk.officeInbox).isEmpty)
        }
    }

    @Test func symlinksInsideASubmissionAreNotCopiedToTheOffice() throws {
        try Scratch.withDir("symlinkcopy") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["a.pdf": Self.pdf])
            try Scratch.write(root + "/secret", "not for the clerks")
            #expect(symlink(root + "/secret", desk.layout.queuedFiles(id) + "/b.pdf") == 0)
            let plan = desk.plan(id)
            try desk.placement.place(plan)
            #expect(Scratch.list(desk.officeInbox + "/4116-UBND-CN") == [".lienthong-submission", "a.pdf"])
            // The archive keeps the link as it came, unfollowed.
            var st = stat()
            #expect(lstat(plan.archiveDir + "/files/b.pdf", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
        }
    }
}

@Suite("SpoolLayout and SpoolTree")
struct SpoolLayoutTests {
    @Test func pathsFollowTheSpec() {
        let l = SpoolLayout(root: "/var/spool/lienthong")
        #expect(l.outbox("000.00.00.H41") == "/var/spool/lienthong/units/000.00.00.H41/outbox")
        #expect(l.inbox("U") == "/var/spool/lienthong/units/U/inbox")
        #expect(l.receipts("U") == "/var/spool/lienthong/units/U/receipts")
        #expect(l.officeOutbox == "/var/spool/lienthong/office/outbox")
        #expect(l.officeInbox("U") == "/var/spool/lienthong/office/inbox/U")
        #expect(l.officePaper == "/var/spool/lienthong/office/paper")
        #expect(l.officeReceipts == "/var/spool/lienthong/office/receipts")
        #expect(l.queued("id") == "/var/spool/lienthong/queue/id")
        #expect(l.queuedFiles("id") == "/var/spool/lienthong/queue/id/files")
        #expect(l.ledger == "/var/spool/lienthong/state/ledger.sqlite")
        #expect(l.archive(.accepted, submission: "id", year: 2024, month: 3) == "/var/spool/lienthong/archive/accepted/2024/03/id")
        #expect(l.archive(.rejected, submission: "id", year: 2018, month: 12) == "/var/spool/lienthong/archive/rejected/2018/12/id")
        #expect(l.archive(.quarantine, submission: "id", year: 2024, month: 3) == "/var/spool/lienthong/archive/quarantine/id")
    }

    @Test func createMakesEveryFolder() throws {
        try Scratch.withDir("layout") { root in
            let l = SpoolLayout(root: root + "/spool")
            try l.create(units: ["000.00.00.H41", "000.00.01.H41"])
            try l.create(units: ["000.00.00.H41"])  // again: harmless
            for dir in [l.queue, l.state, l.officeOutbox, l.officeInbox, l.officePaper, l.officeReceipts, l.quarantine,
                        l.root + "/archive/accepted", l.root + "/archive/rejected",
                        l.outbox("000.00.00.H41"), l.inbox("000.00.00.H41"), l.receipts("000.00.00.H41"),
                        l.outbox("000.00.01.H41"), l.inbox("000.00.01.H41"), l.receipts("000.00.01.H41")] {
                var isDir: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue, "\(dir)")
            }
        }
    }

    @Test func treeWalkReportsLinksAndOddEntriesWithoutFollowing() throws {
        try Scratch.withDir("tree") { root in
            try Scratch.write(root + "/t/a.pdf", "a")
            try Scratch.write(root + "/t/sub/b.pdf", "b")
            try Scratch.write(root + "/outside/secret", "s")
            #expect(symlink(root + "/outside", root + "/t/link") == 0)
            #expect(mkfifo(root + "/t/pipe", 0o644) == 0)
            let entries = try SpoolTree.entries(under: root + "/t")
            #expect(entries.map(\.path) == ["a.pdf", "link", "pipe", "sub/b.pdf"])
            #expect(entries.map(\.kind) == ["regular file", "symbolic link", "FIFO", "regular file"])
            #expect(try SpoolTree.regularFiles(under: root + "/t") == ["a.pdf", "sub/b.pdf"])
        }
    }

    @Test func treeWalkIsBoundedInDepth() throws {
        try Scratch.withDir("deep") { root in
            let deep = (1...20).map { "d\($0)" }.joined(separator: "/")
            try Scratch.write(root + "/t/" + deep + "/x.pdf", "x")
            let entries = try SpoolTree.entries(under: root + "/t", maxDepth: 4)
            #expect(entries.count == 1)
            #expect(entries.first?.isRegular == false)
            #expect(entries.first?.kind == "directory nested too deep")
        }
    }
}
