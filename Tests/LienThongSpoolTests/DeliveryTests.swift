import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// Putting an outbound document into a recipient's inbox (SPEC §7): hard
/// link on one filesystem, hidden copy + fsync + no-replace rename across
/// filesystems, a suffix instead of an overwrite, and a redo that knows its
/// own file.
@Suite("Delivery into a recipient's inbox")
struct DeliveryTests {
    /// An archive file and an empty inbox under `dir`.
    static func setUp(_ dir: String, bytes: [UInt8] = Array("%PDF-1.7 signed giấy mời".utf8), name: String = "25-GM-UBND.pdf") throws -> Delivery {
        try Scratch.write(dir + "/archive/files/" + name, bytes)
        try FileManager.default.createDirectory(atPath: dir + "/inbox", withIntermediateDirectories: true)
        return Delivery(inbox: dir + "/inbox", items: [.init(source: dir + "/archive/files/" + name, name: name)])
    }

    @Test func sameFilesystemIsAHardLink() throws {
        try Scratch.withDir("deliver-link") { dir in
            let d = try Self.setUp(dir)
            #expect(d.freeSuffix() == 1)
            let result = try d.deliver(suffix: 1)
            #expect(result == .delivered(path: dir + "/inbox/25-GM-UBND.pdf", copied: false))
            #expect(Scratch.inode(dir + "/inbox/25-GM-UBND.pdf") == Scratch.inode(dir + "/archive/files/25-GM-UBND.pdf"))
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND.pdf"])
        }
    }

    @Test func aRedoAfterACrashRecognisesItsOwnFileAndMakesNoTwin() throws {
        try Scratch.withDir("deliver-redo") { dir in
            var d = try Self.setUp(dir)
            _ = try d.deliver(suffix: 1)
            // The crash came between the link and the ledger update: same suffix again.
            #expect(try d.deliver(suffix: 1) == .delivered(path: dir + "/inbox/25-GM-UBND.pdf", copied: false))
            d.forceCopy = true
            #expect(try d.deliver(suffix: 1) == .delivered(path: dir + "/inbox/25-GM-UBND.pdf", copied: false))
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND.pdf"])
        }
    }

    @Test func aNameClashGetsASuffixAndNeverOverwrites() throws {
        try Scratch.withDir("deliver-clash") { dir in
            let d = try Self.setUp(dir)
            try Scratch.write(dir + "/inbox/25-GM-UBND.pdf", "the unit's own older file")
            let n = d.freeSuffix()
            #expect(n == 2)
            #expect(try d.deliver(suffix: n) == .delivered(path: dir + "/inbox/25-GM-UBND (2).pdf", copied: false))
            #expect(try Scratch.text(dir + "/inbox/25-GM-UBND.pdf") == "the unit's own older file")
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND (2).pdf", "25-GM-UBND.pdf"])
        }
    }

    @Test func aForeignFileAppearingUnderTheRecordedNameIsAClashAndLeavesNothingHalf() throws {
        try Scratch.withDir("deliver-late-clash") { dir in
            try Scratch.write(dir + "/archive/files/X.docx", "docx bytes")
            try Scratch.write(dir + "/archive/files/X.docx.p7s", "cms bytes")
            try FileManager.default.createDirectory(atPath: dir + "/inbox", withIntermediateDirectories: true)
            let d = Delivery(inbox: dir + "/inbox", items: [
                .init(source: dir + "/archive/files/X.docx", name: "X.docx"), .init(source: dir + "/archive/files/X.docx.p7s", name: "X.docx.p7s"),
            ])
            // Chosen 1, then someone drops their own X.docx before we link.
            try Scratch.write(dir + "/inbox/X.docx", "someone else's")
            #expect(try d.deliver(suffix: 1) == .clash)
            #expect(Scratch.list(dir + "/inbox") == ["X.docx"], "the .p7s of this try was taken back")
            #expect(try d.deliver(suffix: d.freeSuffix()) == .delivered(path: dir + "/inbox/X (2).docx", copied: false))
            #expect(Scratch.list(dir + "/inbox") == ["X (2).docx", "X (2).docx.p7s", "X.docx"])
            #expect(try Scratch.text(dir + "/inbox/X.docx") == "someone else's")
        }
    }

    @Test func suffixedNames() {
        #expect(Delivery.name("25-GM-UBND.pdf", suffix: 1) == "25-GM-UBND.pdf")
        #expect(Delivery.name("25-GM-UBND.pdf", suffix: 3) == "25-GM-UBND (3).pdf")
        #expect(Delivery.name("X.docx.p7s", suffix: 2) == "X (2).docx.p7s")
        #expect(Delivery.name("README", suffix: 2) == "README (2)")
    }

    @Test func aMissingInboxOrAFileOrLinkInItsPlaceFailsAndIsNotCreated() throws {
        try Scratch.withDir("deliver-missing") { dir in
            let d = try Self.setUp(dir)
            try FileManager.default.removeItem(atPath: dir + "/inbox")
            #expect(throws: SpoolError.self) { try d.deliver(suffix: 1) }
            #expect(!Scratch.exists(dir + "/inbox"))
            try Scratch.write(dir + "/inbox", "a file where the folder should be")
            let error = try #require(throws: SpoolError.self) { try d.deliver(suffix: 1) }
            #expect(error.code == ENOTDIR)
            // A link planted in the inbox's place is never followed.
            try FileManager.default.removeItem(atPath: dir + "/inbox")
            try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: dir + "/inbox", withDestinationPath: dir + "/elsewhere")
            let linked = try #require(throws: SpoolError.self) { try d.deliver(suffix: 1) }
            #expect(linked.code == ELOOP)
            #expect(Scratch.list(dir + "/elsewhere").isEmpty)
        }
    }

    @Test func aForcedCopyIsWholeUnderItsFinalNameAndLeavesNoTemporary() throws {
        try Scratch.withDir("deliver-copy") { dir in
            let bytes = Scratch.random(3 << 20)
            var d = try Self.setUp(dir, bytes: bytes)
            d.forceCopy = true
            #expect(try d.deliver(suffix: 1) == .delivered(path: dir + "/inbox/25-GM-UBND.pdf", copied: true))
            #expect(Scratch.inode(dir + "/inbox/25-GM-UBND.pdf") != Scratch.inode(dir + "/archive/files/25-GM-UBND.pdf"))
            #expect(try Scratch.bytes(dir + "/inbox/25-GM-UBND.pdf") == bytes)
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND.pdf"])
            // A redo finds the same bytes: nothing new.
            #expect(try d.deliver(suffix: 1) == .delivered(path: dir + "/inbox/25-GM-UBND.pdf", copied: false))
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND.pdf"])
        }
    }

    /// A real EXDEV: the inbox is a tmpfs mounted for the test.
    @Test func anotherFilesystemIsCopiedForReal() throws {
        guard getuid() == 0 else {
            print("skipped: mounting a tmpfs needs root")
            return
        }
        try Scratch.withDir("deliver-exdev") { dir in
            let bytes = Scratch.random(1 << 20)
            let d = try Self.setUp(dir, bytes: bytes)
            do {
                try Scratch.run("/bin/mount", ["-t", "tmpfs", "-o", "size=16m", "lienthong-test", dir + "/inbox"])
            } catch {
                print("skipped: cannot mount a tmpfs here: \(error)")
                return
            }
            defer { _ = try? Scratch.run("/bin/umount", [dir + "/inbox"]) }
            #expect(link(dir + "/archive/files/25-GM-UBND.pdf", dir + "/inbox/probe") != 0 && errno == EXDEV)
            #expect(try d.deliver(suffix: 1) == .delivered(path: dir + "/inbox/25-GM-UBND.pdf", copied: true))
            #expect(try Scratch.bytes(dir + "/inbox/25-GM-UBND.pdf") == bytes)
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND.pdf"])
            #expect(try d.deliver(suffix: 1) == .delivered(path: dir + "/inbox/25-GM-UBND.pdf", copied: false))
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND.pdf"])
        }
    }

    /// A full disk on the recipient's side: the copy fails with ENOSPC, leaves
    /// no temporary behind, and succeeds once there is room again.
    @Test func aFullInboxFilesystemFailsCleanlyAndWorksOnceThereIsRoom() throws {
        guard getuid() == 0 else {
            print("skipped: mounting a tmpfs needs root")
            return
        }
        try Scratch.withDir("deliver-enospc") { dir in
            let d = try Self.setUp(dir, bytes: Scratch.random(256 << 10))
            do {
                try Scratch.run("/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "lienthong-test", dir + "/inbox"])
            } catch {
                print("skipped: cannot mount a tmpfs here: \(error)")
                return
            }
            defer { _ = try? Scratch.run("/bin/umount", [dir + "/inbox"]) }
            try Scratch.write(dir + "/inbox/filler", Scratch.random(400 << 10))
            let error = try #require(throws: SpoolError.self) { try d.deliver(suffix: 1) }
            #expect(error.code == ENOSPC)
            #expect(error.isResourceExhaustion)
            #expect(Scratch.list(dir + "/inbox") == ["filler"], "nothing partial, no temporary left")
            try FileManager.default.removeItem(atPath: dir + "/inbox/filler")
            #expect(try d.deliver(suffix: 1) == .delivered(path: dir + "/inbox/25-GM-UBND.pdf", copied: true))
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND.pdf"])
        }
    }

    /// A recipient listing its inbox while a large copy goes on sees either
    /// nothing or the whole file under a visible name; the temporary name is hidden.
    @Test func aRecipientNeverSeesAPartialFile() throws {
        try Scratch.withDir("deliver-partial") { dir in
            let size = 16 << 20
            var d = try Self.setUp(dir, bytes: Scratch.random(size))
            d.forceCopy = true
            let delivery = d
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                _ = try? delivery.deliver(suffix: 1)
                done.signal()
            }
            var looks = 0, sawHidden = false
            while done.wait(timeout: .now()) == .timedOut {
                for name in Scratch.list(dir + "/inbox") {
                    if name.hasPrefix(".") { sawHidden = true; continue }
                    var st = stat()
                    if lstat(dir + "/inbox/" + name, &st) == 0 { #expect(Int(st.st_size) == size, "\(name) seen at \(st.st_size) bytes") }
                }
                looks += 1
            }
            #expect(Scratch.list(dir + "/inbox") == ["25-GM-UBND.pdf"])
            print("partial-file check: \(looks) listings during the copy, hidden temporary seen: \(sawHidden)")
        }
    }
}

@Suite("Ledger: deliveries")
struct LedgerDeliveryTests {
    @Test func aFanOutIsPlannedWithTheDecisionAndEachDeliveryMarksItsRow() throws {
        try Scratch.withDir("ledger-deliveries") { dir in
            let ledger = try Books.open(dir)
            let id = try Books.submit(ledger, key: "25-GM-UBND")
            let t = Books.t0
            try ledger.decide(submission: id, accepted: true, numbered: false, year: 2024, reasons: [], placement: "archive/x", at: t) { _ in
                try ledger.planDeliveriesInDecision(submission: id, recipients: ["a", "b", "c"], at: t)
                return (json: "{}", text: "", report: "{}")
            }
            #expect(try ledger.deliveries(of: id).map(\.state) == [.pending, .pending, .pending])
            #expect(try ledger.nextDeliveryDue() == .distantPast)
            try ledger.recordDeliverySuffix(submission: id, recipient: "a", suffix: 2, at: t)
            try ledger.markDelivered(submission: id, recipient: "a", path: "/in/a (2).pdf", at: t)
            try ledger.markDeliveryAttemptFailed(submission: id, recipient: "b", error: "ENOTDIR", retryAt: t.addingTimeInterval(30), at: t)
            try ledger.markDeliveryAttemptFailed(submission: id, recipient: "c", error: "ENOSPC", retryAt: nil, at: t)
            let rows = try ledger.deliveries(of: id)
            #expect(rows.map(\.state) == [.delivered, .deferred, .failed])
            #expect(rows[0].suffix == 2 && rows[0].path == "/in/a (2).pdf" && rows[0].attempts == 1)
            #expect(rows[1].lastError == "ENOTDIR" && rows[1].nextAttempt == t.addingTimeInterval(30))
            #expect(try ledger.dueDeliveries(now: t, limit: 10).isEmpty)
            #expect(try ledger.dueDeliveries(now: t.addingTimeInterval(30), limit: 10).map(\.recipient) == ["b"])
            #expect(try ledger.nextDeliveryDue() == t.addingTimeInterval(30))
            // The operator's retry: deferred due now, failed tried again with a fresh lifetime.
            let later = t.addingTimeInterval(5)
            #expect(try ledger.retryDeferredDeliveries(submission: id, now: later) == 2)
            #expect(try ledger.dueDeliveries(now: later, limit: 10).map(\.recipient) == ["b", "c"])
            #expect(try ledger.deliveries(of: id)[2].plannedAt == later)
            #expect(try ledger.retryDeferredDeliveries(submission: "other", now: later) == 0)
            #expect(try ledger.deliveryCounts() == [.delivered: 1, .deferred: 2])
        }
    }

    @Test func aDecisionThatFailsPlansNothing() throws {
        try Scratch.withDir("ledger-deliveries-rollback") { dir in
            let ledger = try Books.open(dir)
            let id = try Books.submit(ledger)
            #expect(throws: Books.Boom.self) {
                try ledger.decide(submission: id, accepted: true, numbered: false, year: 2024, reasons: [], placement: "x", at: Books.t0) { _ in
                    try ledger.planDeliveriesInDecision(submission: id, recipients: ["a", "b"], at: Books.t0)
                    throw Books.Boom()
                }
            }
            #expect(try ledger.deliveries(of: id).isEmpty)
            #expect(try ledger.submission(id)?.state == .gathering)
        }
    }
}
