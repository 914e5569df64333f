import Foundation
import Testing
@testable import LienThongWatch
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

// Serialized: the overflow test lowers the kernel's queue limit for a moment, and
// no other instance of this suite may be created in that window.
@Suite("Inotify: recursive watches on drop folders", .serialized)
struct InotifyTests {
    @Test func aNewFileProducesActivity() throws {
        try Scratch.withDir("create") { root in
            let ino = try Inotify()
            #expect(ino.watchTree(root) == [root])
            try Scratch.write(root + "/4116-UBND-CN.pdf", "%PDF")
            let events = ino.collect { $0.has(.activity, in: root, name: "4116-UBND-CN.pdf") }
            #expect(events.has(.activity, in: root, name: "4116-UBND-CN.pdf"))
            #expect(events.allSatisfy { $0.kind == .activity && !$0.isDirectory })
        }
    }

    @Test func writesToAnExistingFileProduceActivity() throws {
        try Scratch.withDir("modify") { root in
            try Scratch.write(root + "/a.pdf", "start")
            let ino = try Inotify()
            ino.watchTree(root)
            try Scratch.append(root + "/a.pdf", " more")
            #expect(ino.collect { $0.has(.activity, in: root, name: "a.pdf") }.has(.activity, in: root, name: "a.pdf"))
            #expect(chmod(root + "/a.pdf", 0o600) == 0)
            #expect(ino.collect { $0.has(.activity, in: root, name: "a.pdf") }.has(.activity, in: root, name: "a.pdf"))
        }
    }

    @Test func watchTreeCoversExistingSubfoldersAndIsIdempotent() throws {
        try Scratch.withDir("tree") { root in
            try Scratch.mkdir(root + "/u1/outbox")
            try Scratch.mkdir(root + "/u2/outbox/deep")
            let ino = try Inotify()
            let added = ino.watchTree(root)
            #expect(Set(added) == [root, root + "/u1", root + "/u1/outbox", root + "/u2", root + "/u2/outbox",
                                   root + "/u2/outbox/deep"])
            #expect(ino.watchCount == 6)
            #expect(ino.watchTree(root).isEmpty)
            #expect(ino.watchCount == 6)
            try Scratch.write(root + "/u2/outbox/deep/x.pdf", "x")
            #expect(ino.collect { $0.has(.activity, in: root + "/u2/outbox/deep", name: "x.pdf") }
                .has(.activity, in: root + "/u2/outbox/deep", name: "x.pdf"))
        }
    }

    /// A Mac client's folder (NFD) beside a Windows client's twin (NFC):
    /// two folders, both watched, each forgotten alone. A watch table keyed
    /// by String took them for one, and files in the second went unseen
    /// until a rescan.
    @Test func theNFCAndNFDSpellingsOfAFolderAreTwoWatches() throws {
        try Scratch.withDir("twins") { root in
            let nfc = root + "/H\u{1ED3} s\u{01A1}", nfd = root + "/Ho\u{0302}\u{0300} so\u{031B}"
            try Scratch.mkdir(nfc)
            try Scratch.mkdir(nfd)
            let ino = try Inotify()
            #expect(ino.watchTree(root).count == 3)
            #expect(ino.watchCount == 3)
            try Scratch.write(nfd + "/45-BC-STTTT.pdf", "%PDF")
            let seen = ino.collect { events in events.contains { $0.name == "45-BC-STTTT.pdf" } }
            #expect(seen.contains { $0.kind == .activity && $0.directory.hasSameBytes(as: nfd) && $0.name == "45-BC-STTTT.pdf" },
                    "no event from the NFD folder: \(seen)")
            ino.forgetTree(nfc)
            #expect(ino.watchCount == 2, "forgetting the NFC folder forgot its NFD twin too")
        }
    }

    @Test func aSubfolderCreatedLaterIsWatched() throws {
        try Scratch.withDir("subfolder") { root in
            let ino = try Inotify()
            ino.watchTree(root)
            try Scratch.mkdir(root + "/Hồ sơ 4116")
            let first = ino.collect { $0.has(.activity, in: root, name: "Hồ sơ 4116") }
            let folderEvent = first.first { $0.name == "Hồ sơ 4116" }
            #expect(folderEvent?.kind == .activity)
            #expect(folderEvent?.isDirectory == true)
            #expect(ino.watchCount == 2)

            try Scratch.write(root + "/Hồ sơ 4116/a.pdf", "a")
            let events = ino.collect { $0.has(.activity, in: root + "/Hồ sơ 4116", name: "a.pdf") }
            #expect(events.has(.activity, in: root + "/Hồ sơ 4116", name: "a.pdf"))
        }
    }

    @Test func nestedFoldersCreatedAtOnceAreAllWatched() throws {
        try Scratch.withDir("nested") { root in
            let ino = try Inotify()
            ino.watchTree(root)
            // Created before the daemon reads the first event: the inner
            // folders get no events of their own, watchTree must find them.
            try Scratch.mkdir(root + "/a/b/c")
            _ = ino.collect { $0.has(.activity, in: root, name: "a") }
            #expect(ino.watchCount == 4)
            try Scratch.write(root + "/a/b/c/deep.pdf", "d")
            #expect(ino.collect { $0.has(.activity, in: root + "/a/b/c", name: "deep.pdf") }
                .has(.activity, in: root + "/a/b/c", name: "deep.pdf"))
        }
    }

    @Test func aFileMovedInFromOutsideIsSeen() throws {
        try Scratch.withDir("movein") { base in
            try Scratch.mkdir(base + "/outbox")
            try Scratch.mkdir(base + "/elsewhere")
            try Scratch.write(base + "/elsewhere/4116-UBND-CN.pdf", "%PDF")
            let ino = try Inotify()
            ino.watchTree(base + "/outbox")
            #expect(rename(base + "/elsewhere/4116-UBND-CN.pdf", base + "/outbox/4116-UBND-CN.pdf") == 0)
            let events = ino.collect { $0.has(.activity, in: base + "/outbox", name: "4116-UBND-CN.pdf") }
            #expect(events.has(.activity, in: base + "/outbox", name: "4116-UBND-CN.pdf"))
        }
    }

    @Test func aFolderMovedInFromOutsideIsWatchedWithItsContents() throws {
        try Scratch.withDir("foldermovein") { base in
            try Scratch.mkdir(base + "/outbox")
            try Scratch.mkdir(base + "/elsewhere/Hồ sơ/phụ lục")
            try Scratch.write(base + "/elsewhere/Hồ sơ/a.pdf", "a")
            let ino = try Inotify()
            ino.watchTree(base + "/outbox")
            #expect(rename(base + "/elsewhere/Hồ sơ", base + "/outbox/Hồ sơ") == 0)
            let events = ino.collect { $0.has(.activity, in: base + "/outbox", name: "Hồ sơ") }
            #expect(events.first { $0.name == "Hồ sơ" }?.isDirectory == true)
            #expect(ino.watchCount == 3)
            try Scratch.write(base + "/outbox/Hồ sơ/phụ lục/b.pdf", "b")
            #expect(ino.collect { $0.has(.activity, in: base + "/outbox/Hồ sơ/phụ lục", name: "b.pdf") }
                .has(.activity, in: base + "/outbox/Hồ sơ/phụ lục", name: "b.pdf"))
        }
    }

    @Test func deletingAndMovingOutAreRemoved() throws {
        try Scratch.withDir("remove") { base in
            try Scratch.mkdir(base + "/outbox")
            try Scratch.mkdir(base + "/elsewhere")
            try Scratch.write(base + "/outbox/a.pdf", "a")
            try Scratch.write(base + "/outbox/b.pdf", "b")
            let ino = try Inotify()
            ino.watchTree(base + "/outbox")
            #expect(unlink(base + "/outbox/a.pdf") == 0)
            #expect(rename(base + "/outbox/b.pdf", base + "/elsewhere/b.pdf") == 0)
            let events = ino.collect {
                $0.has(.removed, in: base + "/outbox", name: "a.pdf") && $0.has(.removed, in: base + "/outbox", name: "b.pdf")
            }
            #expect(events.has(.removed, in: base + "/outbox", name: "a.pdf"))
            #expect(events.has(.removed, in: base + "/outbox", name: "b.pdf"))
            #expect(!events.contains { $0.kind == .overflow })
        }
    }

    @Test func aRenameInsideTheFolderIsRemovedThenActivity() throws {
        try Scratch.withDir("renameinside") { root in
            try Scratch.write(root + "/a.pdf.part", "a")
            let ino = try Inotify()
            ino.watchTree(root)
            #expect(rename(root + "/a.pdf.part", root + "/a.pdf") == 0)
            let events = ino.collect { $0.has(.activity, in: root, name: "a.pdf") }
            let relevant = events.map { "\($0.kind) \($0.name)" }
            #expect(relevant == ["removed a.pdf.part", "activity a.pdf"])
        }
    }

    @Test func aRemovedSubfolderIsForgottenAndCanComeBack() throws {
        try Scratch.withDir("rmdir") { root in
            try Scratch.mkdir(root + "/sub/inner")
            let ino = try Inotify()
            ino.watchTree(root)
            #expect(ino.watchCount == 3)
            try FileManager.default.removeItem(atPath: root + "/sub")
            let events = ino.collect { $0.has(.removed, in: root, name: "sub") }
            let removal = events.first { $0.directory == root && $0.name == "sub" }
            #expect(removal?.kind == .removed)
            #expect(removal?.isDirectory == true)
            #expect(!events.contains { $0.kind == .overflow })
            _ = ino.drain()
            #expect(ino.watchCount == 1)

            // Same name again: watched afresh.
            try Scratch.mkdir(root + "/sub")
            _ = ino.collect { $0.has(.activity, in: root, name: "sub") }
            try Scratch.write(root + "/sub/x.pdf", "x")
            #expect(ino.collect { $0.has(.activity, in: root + "/sub", name: "x.pdf") }.has(.activity, in: root + "/sub", name: "x.pdf"))
        }
    }

    @Test func aSubfolderMovedOutIsForgotten() throws {
        try Scratch.withDir("moveout") { base in
            try Scratch.mkdir(base + "/outbox/sub")
            try Scratch.mkdir(base + "/elsewhere")
            let ino = try Inotify()
            ino.watchTree(base + "/outbox")
            #expect(rename(base + "/outbox/sub", base + "/elsewhere/sub") == 0)
            let events = ino.collect { $0.has(.removed, in: base + "/outbox", name: "sub") } + ino.drain()
            #expect(events.has(.removed, in: base + "/outbox", name: "sub"))
            // The daemon itself moves every claimed folder out of an outbox:
            // that must not look like a lost-events overflow (a full rescan and
            // a warning in the journal each time).
            #expect(!events.contains { $0.kind == .overflow })
            #expect(ino.watchCount == 1)
            // Files written in the moved-away folder are not ours any more.
            try Scratch.write(base + "/elsewhere/sub/x.pdf", "x")
            let later = ino.drain()
            #expect(!later.contains { $0.name == "x.pdf" })
            #expect(!later.contains { $0.kind == .overflow })
        }
    }

    @Test func aSubfolderRenamedInsideTheTreeKeepsReportingUnderItsNewName() throws {
        try Scratch.withDir("renamedir") { root in
            try Scratch.mkdir(root + "/old")
            let ino = try Inotify()
            ino.watchTree(root)
            #expect(rename(root + "/old", root + "/new") == 0)
            let moved = ino.collect { $0.has(.activity, in: root, name: "new") } + ino.drain()
            #expect(moved.has(.removed, in: root, name: "old"))
            #expect(!moved.contains { $0.kind == .overflow })
            #expect(ino.watchCount == 2)
            try Scratch.write(root + "/new/x.pdf", "x")
            let events = ino.collect { $0.has(.activity, in: root + "/new", name: "x.pdf") }
            #expect(events.has(.activity, in: root + "/new", name: "x.pdf"))
            #expect(!events.contains { $0.directory == root + "/old" })
        }
    }

    @Test func theWatchedRootGoingAwayIsReported() throws {
        try Scratch.withDir("rootgone") { base in
            try Scratch.mkdir(base + "/outbox")
            let ino = try Inotify()
            ino.watchTree(base + "/outbox")
            try FileManager.default.removeItem(atPath: base + "/outbox")
            let events = ino.collect { $0.contains { $0.kind == .folderGone && $0.directory == base + "/outbox" } }
            #expect(events.contains { $0.kind == .folderGone && $0.directory == base + "/outbox" })
            _ = ino.drain()
            #expect(ino.watchCount == 0)
        }
    }

    /// An outbox renamed away (by hand, or by a client with rights on the
    /// unit's folder) is reported; once it is made again it must be watched
    /// again under its name, and the moved-away folder must not be taken for it.
    @Test func aWatchedRootMovedAwayCanBeWatchedAgain() throws {
        try Scratch.withDir("rootmoved") { base in
            let outbox = base + "/outbox"
            try Scratch.mkdir(outbox + "/sub")
            let ino = try Inotify()
            ino.watchTree(outbox)
            #expect(rename(outbox, base + "/outbox.old") == 0)
            let events = ino.collect { $0.contains { $0.kind == .folderGone && $0.directory == outbox } }
            #expect(events.contains { $0.kind == .folderGone && $0.directory == outbox })

            // What the gateway does on folderGone for an outbox: make it again, watch it.
            try Scratch.mkdir(outbox)
            #expect(ino.watchTree(outbox) == [outbox])
            try Scratch.write(outbox + "/new.pdf", "n")
            let later = ino.collect { $0.has(.activity, in: outbox, name: "new.pdf") }
            #expect(later.has(.activity, in: outbox, name: "new.pdf"))

            // Writing in the old folder is not reported as if it were the outbox.
            try Scratch.write(base + "/outbox.old/stale.pdf", "s")
            try Scratch.write(base + "/outbox.old/sub/stale2.pdf", "s")
            let stale = ino.drain()
            #expect(!stale.contains { $0.name == "stale.pdf" || $0.name == "stale2.pdf" })
        }
    }

    @Test func symlinkedFoldersAreNotFollowed() throws {
        try Scratch.withDir("symlink") { base in
            try Scratch.mkdir(base + "/outbox")
            try Scratch.mkdir(base + "/secret")
            #expect(symlink(base + "/secret", base + "/outbox/link") == 0)
            let ino = try Inotify()
            #expect(ino.watchTree(base + "/outbox") == [base + "/outbox"])
            try Scratch.write(base + "/secret/x", "x")
            #expect(!ino.drain().contains { $0.name == "x" })
        }
    }

    @Test func aSymlinkAsTheRootIsNotWatched() throws {
        try Scratch.withDir("symroot") { base in
            try Scratch.mkdir(base + "/real")
            #expect(symlink(base + "/real", base + "/outbox") == 0)
            let ino = try Inotify()
            #expect(ino.watchTree(base + "/outbox").isEmpty)
            #expect(ino.watchCount == 0)
        }
    }

    @Test func forgetTreeStopsEvents() throws {
        try Scratch.withDir("forget") { root in
            try Scratch.mkdir(root + "/a/b")
            try Scratch.mkdir(root + "/ab")
            let ino = try Inotify()
            ino.watchTree(root)
            ino.forgetTree(root + "/a")
            // Only `a` and below; not the sibling `ab` that shares a prefix.
            #expect(ino.watchCount == 2)
            try Scratch.write(root + "/a/b/x", "x")
            try Scratch.write(root + "/ab/y", "y")
            let events = ino.collect { $0.has(.activity, in: root + "/ab", name: "y") }
            #expect(events.has(.activity, in: root + "/ab", name: "y"))
            #expect(!events.contains { $0.name == "x" })
            #expect(!events.contains { $0.kind == .overflow })
        }
    }

    @Test func readWithNothingPendingReturnsAtOnce() throws {
        try Scratch.withDir("empty") { root in
            let ino = try Inotify()
            ino.watchTree(root)
            let start = Date()
            #expect(ino.read().isEmpty)
            #expect(Date().timeIntervalSince(start) < 0.5)
        }
    }

    /// Watchman's recrawl test, smaller: many files at once, every one seen
    /// (by an event, or by an overflow that tells the caller to rescan).
    @Test func aBurstOfFilesIsSeenInFull() throws {
        try Scratch.withDir("burst") { root in
            let ino = try Inotify()
            ino.watchTree(root)
            let names = (0..<2000).map { "doc-\($0).pdf" }
            for name in names { try Scratch.write(root + "/" + name, name) }
            let events = ino.collect(timeout: 10) { evs in
                evs.contains { $0.kind == .overflow } || Set(evs.map(\.name)).isSuperset(of: names)
            }
            let overflowed = events.contains { $0.kind == .overflow }
            #expect(overflowed || Set(events.map(\.name)).isSuperset(of: names))
        }
    }

    @Test func namesWithOddUnicodeArriveAsWritten() throws {
        try Scratch.withDir("unicode") { root in
            let ino = try Inotify()
            ino.watchTree(root)
            let nfd = "Công văn số 4116".decomposedStringWithCanonicalMapping + ".pdf"
            let nfc = "Quyết định 123-QĐ-UBND.pdf".precomposedStringWithCanonicalMapping
            try Scratch.write(root + "/" + nfd, "a")
            try Scratch.write(root + "/" + nfc, "b")
            let events = ino.collect {
                $0.contains { Array($0.name.utf8) == Array(nfd.utf8) } && $0.contains { Array($0.name.utf8) == Array(nfc.utf8) }
            }
            // Byte for byte: the caller must find the file again under that name.
            #expect(events.contains { Array($0.name.utf8) == Array(nfd.utf8) })
            #expect(events.contains { Array($0.name.utf8) == Array(nfc.utf8) })
        }
    }
}
