import Foundation
import Testing
@testable import LienThongWatch
#if canImport(Glibc)
import Glibc
#endif

extension SettleTracker {
    /// The names pending in a drop folder, as the pairing's index reads them
    /// (`lastActivities`).
    func pendingNames(in root: String) -> [String] { lastActivities(in: root).map(\.name) }
}

/// The tracker takes `now` from its caller, so a 2 s settle is tested with
/// made-up clocks, not by sleeping; only the files are real.
@Suite("SettleTracker: when is a dropped entry complete")
struct SettleTrackerTests {
    static let t0 = Date(timeIntervalSince1970: 1_709_280_000)

    static func tracker(_ root: String, settle: Double = 2) -> SettleTracker {
        let t = SettleTracker(settle: settle)
        t.register(root: root)
        return t
    }

    @Test func notCompleteBeforeSettleCompleteAfter() throws {
        try Scratch.withDir("basic") { root in
            try Scratch.write(root + "/4116-UBND-CN.pdf", "%PDF")
            let t = Self.tracker(root)
            let entry = try #require(t.entry(forEventIn: root, name: "4116-UBND-CN.pdf"))
            t.noteActivity(entry, now: Self.t0)
            #expect(t.isPending(entry))
            #expect(t.nextDeadline() == Self.t0.addingTimeInterval(2))
            #expect(t.takeComplete(now: Self.t0).isEmpty)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(1.999)).isEmpty)
            #expect(t.isPending(entry))
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(2)) == [entry])
            // Handed out once.
            #expect(!t.isPending(entry))
            #expect(t.pendingCount == 0)
            #expect(t.nextDeadline() == nil)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(10)).isEmpty)
        }
    }

    @Test func activityResetsTheClock() throws {
        try Scratch.withDir("reset") { root in
            try Scratch.write(root + "/a.pdf", "a")
            let t = Self.tracker(root)
            let entry = SettleTracker.Entry(root: root, name: "a.pdf")
            t.noteActivity(entry, now: Self.t0)
            t.noteActivity(entry, now: Self.t0.addingTimeInterval(1.5))
            #expect(t.nextDeadline() == Self.t0.addingTimeInterval(3.5))
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(2.5)).isEmpty)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(3.4)).isEmpty)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(3.5)) == [entry])
        }
    }

    @Test func aSizeChangeWithoutAnEventRestartsSettling() throws {
        try Scratch.withDir("size") { root in
            try Scratch.write(root + "/scan.pdf", "part one")
            let t = Self.tracker(root)
            let entry = SettleTracker.Entry(root: root, name: "scan.pdf")
            t.noteActivity(entry, now: Self.t0)
            // The SMB client keeps writing; the event was missed (or merged).
            try Scratch.append(root + "/scan.pdf", " and part two")
            let deadline = Self.t0.addingTimeInterval(2)
            #expect(t.takeComplete(now: deadline).isEmpty)
            #expect(t.isPending(entry))
            #expect(t.nextDeadline() == deadline.addingTimeInterval(2))
            #expect(t.takeComplete(now: deadline.addingTimeInterval(1)).isEmpty)
            #expect(t.takeComplete(now: deadline.addingTimeInterval(2)) == [entry])
        }
    }

    @Test func aSameSizeRewriteWithAnOldMtimeStillRestarts() throws {
        try Scratch.withDir("samesize") { root in
            let path = root + "/a.pdf"
            try Scratch.write(path, "AAAA")
            var st = stat()
            #expect(lstat(path, &st) == 0)
            let oldTimes = [st.st_atim, st.st_mtim]
            let t = Self.tracker(root)
            let entry = SettleTracker.Entry(root: root, name: "a.pdf")
            t.noteActivity(entry, now: Self.t0)
            // Same size, new bytes, mtime put back as SMB clients do: ctime still moves.
            usleep(20_000)
            try Scratch.write(path, "BBBB")
            oldTimes.withUnsafeBufferPointer { _ = utimensat(AT_FDCWD, path, $0.baseAddress, 0) }
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(2)).isEmpty)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(4)) == [entry])
        }
    }

    @Test func aVanishedEntryIsDropped() throws {
        try Scratch.withDir("vanish") { root in
            try Scratch.write(root + "/a.pdf", "a")
            try Scratch.write(root + "/b.pdf", "b")
            let t = Self.tracker(root)
            let a = SettleTracker.Entry(root: root, name: "a.pdf")
            let b = SettleTracker.Entry(root: root, name: "b.pdf")
            t.noteActivity(a, now: Self.t0)
            t.noteActivity(b, now: Self.t0)
            #expect(unlink(root + "/a.pdf") == 0)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(2)) == [b])
            #expect(!t.isPending(a))
            #expect(t.pendingCount == 0)
        }
    }

    @Test func anEntryThatNeverExistedIsDroppedAtItsDeadline() throws {
        try Scratch.withDir("never") { root in
            let t = Self.tracker(root)
            let e = SettleTracker.Entry(root: root, name: "ghost.pdf")
            t.noteActivity(e, now: Self.t0)
            #expect(t.isPending(e))
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(2)).isEmpty)
            #expect(!t.isPending(e))
        }
    }

    @Test func eventsMapToTheTopLevelEntry() {
        let t = SettleTracker(settle: 2)
        t.register(root: "/spool/units/U1/outbox")
        t.register(root: "/spool/office/outbox")
        let root = "/spool/units/U1/outbox"
        #expect(t.entry(forEventIn: root, name: "a.pdf") == SettleTracker.Entry(root: root, name: "a.pdf"))
        #expect(t.entry(forEventIn: root + "/Hồ sơ", name: "a.pdf") == SettleTracker.Entry(root: root, name: "Hồ sơ"))
        #expect(t.entry(forEventIn: root + "/Hồ sơ/phụ lục/2024", name: "b.pdf") == SettleTracker.Entry(root: root, name: "Hồ sơ"))
        #expect(t.entry(forEventIn: root + "/Hồ sơ", name: "") == SettleTracker.Entry(root: root, name: "Hồ sơ"))
        // The drop folder itself is not an entry.
        #expect(t.entry(forEventIn: root, name: "") == nil)
        // A sibling whose name starts the same is not inside the root.
        #expect(t.entry(forEventIn: "/spool/units/U1/outbox2", name: "a.pdf") == nil)
        #expect(t.entry(forEventIn: "/spool/units/U1/outbox-old/x", name: "a.pdf") == nil)
        #expect(t.entry(forEventIn: "/spool/units/U1", name: "outbox") == nil)
        // A nested office group folder maps to its group, which is the top-level entry.
        #expect(t.entry(forEventIn: "/spool/office/outbox/departments", name: "x.pdf")
            == SettleTracker.Entry(root: "/spool/office/outbox", name: "departments"))
        #expect(SettleTracker.Entry(root: root, name: "a.pdf").path == root + "/a.pdf")
        // Watched as a drop folder in its own right, the group folder is the
        // most specific root for what happens inside it.
        let group = "/spool/office/outbox/departments"
        t.register(root: group)
        #expect(t.entry(forEventIn: group, name: "x.pdf") == SettleTracker.Entry(root: group, name: "x.pdf"))
        #expect(t.entry(forEventIn: group + "/Hồ sơ/phụ lục", name: "y.pdf") == SettleTracker.Entry(root: group, name: "Hồ sơ"))
        #expect(t.entry(forEventIn: "/spool/office/outbox/Hồ sơ", name: "z.pdf") == SettleTracker.Entry(root: "/spool/office/outbox", name: "Hồ sơ"))
        // A folder dropped under the NFD spelling of a group folder's name is
        // another folder: an entry of the outbox, not the group.
        let groupNFC = "/spool/office/outbox/" + "Sở ngành".precomposedStringWithCanonicalMapping
        let nameNFD = "Sở ngành".decomposedStringWithCanonicalMapping
        t.register(root: groupNFC)
        #expect(t.entry(forEventIn: "/spool/office/outbox/" + nameNFD, name: "a.pdf")
            == SettleTracker.Entry(root: "/spool/office/outbox", name: nameNFD))
        #expect(t.entry(forEventIn: groupNFC, name: "a.pdf") == SettleTracker.Entry(root: groupNFC, name: "a.pdf"))
    }

    @Test func aFolderEntrySettlesOnItsWholeTree() throws {
        try Scratch.withDir("folder") { root in
            try Scratch.mkdir(root + "/Hồ sơ/phụ lục")
            try Scratch.write(root + "/Hồ sơ/a.pdf", "a")
            let t = Self.tracker(root)
            let entry = try #require(t.entry(forEventIn: root + "/Hồ sơ/phụ lục", name: "x"))
            t.noteActivity(entry, now: Self.t0)
            // A file appears deep inside without us hearing of it.
            try Scratch.write(root + "/Hồ sơ/phụ lục/b.pdf", "b")
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(2)).isEmpty)
            // And one grows.
            try Scratch.append(root + "/Hồ sơ/phụ lục/b.pdf", "bb")
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(4)).isEmpty)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(6)) == [entry])
        }
    }

    /// A big folder copied in gives several events per file. Fingerprinting
    /// the whole tree on each one is quadratic (measured about 1.7 µs per file
    /// per event in a release build: a 5,000-file folder costs over a minute
    /// of the daemon's single loop, past its 30 s watchdog). Events on a
    /// folder that is already settling must stay cheap: its tree is walked
    /// once, not once per event (counted, not timed: a busy machine must not
    /// fail it, a quadratic tracker must).
    @Test func eventsOnABigFolderStayCheap() throws {
        try Scratch.withDir("bigfolder") { root in
            let folder = root + "/Lưu trữ 2023"
            try Scratch.mkdir(folder)
            let t = Self.tracker(root)
            let entry = SettleTracker.Entry(root: root, name: "Lưu trữ 2023")
            // Create, modify, close-write: three events per file.
            for i in 0..<2500 {
                try Scratch.write(folder + "/\(i).pdf", "x")
                for _ in 0..<3 { t.noteActivity(entry, now: Self.t0.addingTimeInterval(Double(i) / 1000)) }
            }
            #expect(t.fingerprintsTaken == 1, "7,500 events on one folder walked its tree \(t.fingerprintsTaken) times")
            // Still settles, and not before `settle` after the last event.
            let last = Self.t0.addingTimeInterval(2.499)
            #expect(t.takeComplete(now: last.addingTimeInterval(1.9)).isEmpty)
            var done: [SettleTracker.Entry] = []
            var clock = last.addingTimeInterval(2)
            while done.isEmpty, clock < last.addingTimeInterval(10) {
                done = t.takeComplete(now: clock)
                clock = clock.addingTimeInterval(0.5)
            }
            #expect(done == [entry])
        }
    }

    @Test func aFolderStillBeingFilledIsNotCompleteEarly() throws {
        try Scratch.withDir("filling") { root in
            try Scratch.mkdir(root + "/Hồ sơ")
            let t = Self.tracker(root)
            let entry = SettleTracker.Entry(root: root, name: "Hồ sơ")
            t.noteActivity(entry, now: Self.t0)
            try Scratch.write(root + "/Hồ sơ/a.pdf", "a")
            t.noteActivity(entry, now: Self.t0.addingTimeInterval(1))
            try Scratch.write(root + "/Hồ sơ/b.pdf", "b")
            t.noteActivity(entry, now: Self.t0.addingTimeInterval(1.5))
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(3.4)).isEmpty)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(3.5)).count <= 1)
            #expect(!t.isPending(entry) || t.takeComplete(now: Self.t0.addingTimeInterval(5.5)) == [entry])
            #expect(!t.isPending(entry))
        }
    }

    @Test func aDropFolderInsideAnotherIsNeverAnEntryOfTheOuterOne() throws {
        try Scratch.withDir("nested") { base in
            let outer = base + "/office/outbox", group = outer + "/districts"
            try Scratch.mkdir(group)
            try Scratch.write(group + "/25-GM-UBND.pdf", "x")
            let t = SettleTracker(settle: 2)
            t.register(root: outer)
            t.register(root: group)
            t.noteActivity(SettleTracker.Entry(root: outer, name: "districts"), now: Self.t0)
            #expect(t.pendingCount == 0, "the group folder is watched in its own right")
            let inGroup = try #require(t.entry(forEventIn: group, name: "25-GM-UBND.pdf"))
            #expect(inGroup.root == group)
            t.noteActivity(inGroup, now: Self.t0)
            #expect(t.pendingNames(in: group) == ["25-GM-UBND.pdf"])
            #expect(t.pendingNames(in: outer).isEmpty)
        }
    }

    @Test func pendingNamesArePerRoot() throws {
        try Scratch.withDir("perroot") { base in
            let r1 = base + "/u1/outbox", r2 = base + "/u2/outbox"
            try Scratch.mkdir(r1)
            try Scratch.mkdir(r2)
            for n in ["a.pdf", "b_scan.pdf"] { try Scratch.write(r1 + "/" + n, n) }
            try Scratch.write(r2 + "/c.pdf", "c")
            let t = SettleTracker(settle: 2)
            t.register(root: r1)
            t.register(root: r2)
            t.register(root: r1)  // twice: no harm
            t.noteActivity(SettleTracker.Entry(root: r1, name: "a.pdf"), now: Self.t0)
            t.noteActivity(SettleTracker.Entry(root: r1, name: "b_scan.pdf"), now: Self.t0.addingTimeInterval(1))
            t.noteActivity(SettleTracker.Entry(root: r2, name: "c.pdf"), now: Self.t0)
            #expect(Set(t.pendingNames(in: r1)) == ["a.pdf", "b_scan.pdf"])
            #expect(t.pendingNames(in: r2) == ["c.pdf"])
            #expect(t.pendingNames(in: base).isEmpty)
            #expect(t.pendingCount == 3)
            #expect(t.nextDeadline() == Self.t0.addingTimeInterval(2))

            // Completed in a stable order.
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(2)) == [
                SettleTracker.Entry(root: r1, name: "a.pdf"), SettleTracker.Entry(root: r2, name: "c.pdf"),
            ])
            #expect(t.pendingNames(in: r1) == ["b_scan.pdf"])
            #expect(t.pendingNames(in: r2).isEmpty)
        }
    }

    @Test func forgetAndUnregister() throws {
        try Scratch.withDir("forget") { base in
            let r1 = base + "/a", r2 = base + "/b"
            try Scratch.mkdir(r1)
            try Scratch.mkdir(r2)
            try Scratch.write(r1 + "/x", "x")
            try Scratch.write(r2 + "/y", "y")
            let t = SettleTracker(settle: 2)
            t.register(root: r1)
            t.register(root: r2)
            let x = SettleTracker.Entry(root: r1, name: "x"), y = SettleTracker.Entry(root: r2, name: "y")
            t.noteActivity(x, now: Self.t0)
            t.noteActivity(y, now: Self.t0)
            t.forget(x)
            #expect(!t.isPending(x))
            t.noteActivity(x, now: Self.t0)
            t.unregister(root: r1)
            #expect(!t.isPending(x))
            #expect(t.isPending(y))
            #expect(t.entry(forEventIn: r1, name: "x") == nil)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(5)) == [y])
        }
    }

    @Test func aLongerSettleSetOnReloadApplies() throws {
        try Scratch.withDir("reload") { root in
            try Scratch.write(root + "/a.pdf", "a")
            let t = Self.tracker(root)
            let e = SettleTracker.Entry(root: root, name: "a.pdf")
            t.noteActivity(e, now: Self.t0)
            t.settle = 10
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(5)).isEmpty)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(10)) == [e])
        }
    }

    @Test func fingerprintsSeeWhatMatters() throws {
        try Scratch.withDir("fingerprint") { root in
            #expect(SettleTracker.fingerprint(root + "/missing") == nil)
            try Scratch.write(root + "/f", "1")
            let f1 = SettleTracker.fingerprint(root + "/f")
            #expect(f1 != nil)
            #expect(SettleTracker.fingerprint(root + "/f") == f1)
            try Scratch.append(root + "/f", "2")
            #expect(SettleTracker.fingerprint(root + "/f") != f1)

            try Scratch.mkdir(root + "/d")
            let d1 = SettleTracker.fingerprint(root + "/d")
            #expect(d1 != nil)
            try Scratch.mkdir(root + "/d/empty-sub")
            let d2 = SettleTracker.fingerprint(root + "/d")
            #expect(d2 != d1)
            // A symlink is fingerprinted as itself, never followed.
            #expect(symlink(root + "/f", root + "/l") == 0)
            let l1 = SettleTracker.fingerprint(root + "/l")
            try Scratch.append(root + "/f", "3")
            #expect(SettleTracker.fingerprint(root + "/l") == l1)
        }
    }
}

extension SettleTrackerTests {
    /// Entries compare by bytes (memcmp): the NFC and NFD spellings of a
    /// name, or of a drop folder, are two entries; equal bytes are one.
    @Test func entriesAreTheirBytes() {
        let nfc = "Báo cáo.pdf".precomposedStringWithCanonicalMapping, nfd = nfc.decomposedStringWithCanonicalMapping
        let rootNFC = "/s/office/outbox/Sở ngành".precomposedStringWithCanonicalMapping
        let rootNFD = rootNFC.decomposedStringWithCanonicalMapping
        let a = SettleTracker.Entry(root: rootNFC, name: nfc)
        #expect(a == SettleTracker.Entry(root: String(rootNFC.unicodeScalars), name: String(nfc.unicodeScalars)))
        #expect(a != SettleTracker.Entry(root: rootNFC, name: nfd))
        #expect(a != SettleTracker.Entry(root: rootNFD, name: nfc))
        #expect(SettleTracker.Entry(root: "/s", name: "") != SettleTracker.Entry(root: "/s", name: "a"))
        #expect(SettleTracker.Entry(root: "", name: "") == SettleTracker.Entry(root: "", name: ""))
        let long = String(repeating: "ơ", count: 127) + "x"
        #expect(SettleTracker.Entry(root: "/s", name: long) != SettleTracker.Entry(root: "/s", name: String(long.dropLast()) + "y"))
        let set: Set = [a, SettleTracker.Entry(root: rootNFC, name: nfd), SettleTracker.Entry(root: rootNFD, name: nfc), a]
        #expect(set.count == 3)
    }
}

extension SettleTrackerTests {
    /// Two drop folders whose names differ only in Unicode form keep their
    /// pending names apart: the pairing asks one folder for its names, and
    /// a table keyed by String answered with both.
    @Test func pendingNamesOfTwinDropFoldersStayApart() throws {
        try Scratch.withDir("twin-roots") { root in
            let nfc = root + "/S\u{1EDF} ng\u{00E0}nh", nfd = root + "/So\u{031B}\u{0309} nga\u{0300}nh"
            try Scratch.mkdir(nfc)
            try Scratch.mkdir(nfd)
            try Scratch.write(nfc + "/a.pdf", "a")
            try Scratch.write(nfd + "/b.pdf", "b")
            let t = SettleTracker(settle: 2)
            t.register(root: nfc)
            t.register(root: nfd)
            t.noteActivity(SettleTracker.Entry(root: nfc, name: "a.pdf"), now: Self.t0)
            t.noteActivity(SettleTracker.Entry(root: nfd, name: "b.pdf"), now: Self.t0)
            #expect(t.pendingNames(in: nfc) == ["a.pdf"])
            #expect(t.pendingNames(in: nfd) == ["b.pdf"])
            t.unregister(root: nfc)
            #expect(t.pendingNames(in: nfd) == ["b.pdf"], "unregistering the NFC folder dropped its NFD twin's entries")
            #expect(t.pendingCount == 1)
        }
    }
}
