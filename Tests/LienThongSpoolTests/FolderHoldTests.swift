import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// Folders clerks can write in are opened once a batch (`FolderHold`), not
/// once a path: what a held descriptor names must never be anything a
/// guarded walk would not have reached, and nothing may be written where
/// the daemon itself moved or removed the folder, or where a clerk removed it.
@Suite("FolderHold: a batch's shared folders opened once, never followed elsewhere", .serialized)
struct FolderHoldTests {
    /// A spool with the office inbox as the layout makes it (group-writable,
    /// so never remembered by the cache) and one unit and key folder in it.
    static func withInbox(_ tag: String, _ body: (_ spool: String, _ key: String, _ outside: String) throws -> Void) throws {
        try TrustedPathTests.withSpool(tag) { spool, outside in
            #expect(mkdir(spool + "/office", 0o755) == 0)
            TrustedPathTests.makePrivate(spool, "office")
            for folder in ["office/inbox", "office/inbox/U1", "office/inbox/U1/k"] {
                #expect(mkdir(spool + "/" + folder, 0o770) == 0 && chmod(spool + "/" + folder, 0o770) == 0)
            }
            try body(spool, spool + "/office/inbox/U1/k", outside)
        }
    }

    /// Descriptors of this process open on `path` (by /proc/self/fd).
    static func openDescriptors(on path: String) -> Int { openDescriptors()[path] ?? 0 }

    /// How many descriptors are open on each path.
    static func openDescriptors() -> [String: Int] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        var count: [String: Int] = [:]
        for fd in fds {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd) { count[target, default: 0] += 1 }
        }
        return count
    }

    @Test func aSharedFolderIsHeldForTheBatchAndClosedAfterIt() throws {
        try Self.withInbox("hold-batch") { spool, key, _ in
            #expect(!TrustedFolderCache.shared.isRemembered(key), "the office inbox is the clerks': never remembered")
            try TrustedPath.holdingFolders {
                try DurableFS.writeFile(key + "/a.txt", text: "a")
                #expect(TrustedFolderCache.shared.isHeld(key))
                #expect(TrustedFolderCache.shared.isHeld(spool + "/office/inbox/U1"))
                #expect(TrustedFolderCache.shared.isHeld(spool + "/office/inbox"))
                #expect(!TrustedFolderCache.shared.isHeld(spool + "/office"), "the daemon's own folder is the cache's")
                try DurableFS.writeFile(key + "/b.txt", text: "b")
                #expect(Self.openDescriptors(on: key) == 1, "one descriptor for the batch, however many paths below it")
                // A nested batch is the same hold.
                try TrustedPath.holdingFolders { try DurableFS.writeFile(key + "/c.txt", text: "c") }
                #expect(TrustedFolderCache.shared.isHeld(key))
                // A listing gets a description of its own, whole each time.
                for _ in 0..<2 { #expect(try TrustedPath.names(key).sorted() == ["a.txt", "b.txt", "c.txt"]) }
            }
            #expect(!TrustedFolderCache.shared.isHeld(key))
            #expect(Self.openDescriptors(on: key) == 0, "closed when the batch ended")
            #expect(Self.openDescriptors(on: spool + "/office/inbox") == 0)
            // Without a hold nothing is kept.
            try DurableFS.writeFile(key + "/d.txt", text: "d")
            #expect(!TrustedFolderCache.shared.isHeld(key))
            #expect(Self.openDescriptors(on: key) == 0)
        }
    }

    /// A hold keeps at most its share of the descriptors the process may
    /// open; past it the walks go on as without a hold, every write lands.
    @Test func aFullHoldKeepsNothingMoreAndEveryWalkStillWorks() throws {
        #expect(TrustedFolderCache.holdCapacity(softLimit: 1024) == 64)
        #expect(TrustedFolderCache.holdCapacity(softLimit: 65_536) == 2048)
        #expect(TrustedFolderCache.holdCapacity(softLimit: 100) == 16)
        let capacity = TrustedFolderCache.shared.holdCapacity
        try Self.withInbox("hold-full") { spool, _, _ in
            let units = (0..<(capacity + 20)).map { spool + "/office/inbox/U1/k\($0)" }
            for unit in units { #expect(mkdir(unit, 0o770) == 0 && chmod(unit, 0o770) == 0) }
            try TrustedPath.holdingFolders {
                for unit in units { try DurableFS.writeFile(unit + "/r.txt", text: "r") }
                let held = units.filter { TrustedFolderCache.shared.isHeld($0) }.count
                // The inbox and U1 are held too.
                #expect(held == capacity - 2)
                let open = Self.openDescriptors()
                #expect(units.allSatisfy { (open[$0] ?? 0) <= 1 })
            }
            #expect(units.allSatisfy { Scratch.list($0) == ["r.txt"] })
            let open = Self.openDescriptors()
            #expect(units.allSatisfy { open[$0] == nil })
        }
    }

    /// A Mac clerk's NFD name and a Windows clerk's NFC name of one text are
    /// two folders: held apart, each gets its own writes.
    @Test func theNFCAndNFDFormsOfOneFolderAreHeldApart() throws {
        try Self.withInbox("hold-nfc") { spool, _, _ in
            let nfc = spool + "/office/inbox/U1/Hồ sơ".precomposedStringWithCanonicalMapping
            let nfd = spool + "/office/inbox/U1/Hồ sơ".decomposedStringWithCanonicalMapping
            #expect(Array(nfc.utf8) != Array(nfd.utf8))
            for folder in [nfc, nfd] { #expect(mkdir(folder, 0o770) == 0 && chmod(folder, 0o770) == 0) }
            try TrustedPath.holdingFolders {
                try DurableFS.writeFile(nfc + "/a.txt", text: "nfc")
                try DurableFS.writeFile(nfd + "/b.txt", text: "nfd")
                try DurableFS.writeFile(nfc + "/c.txt", text: "nfc")
                #expect(TrustedFolderCache.shared.isHeld(nfc) && TrustedFolderCache.shared.isHeld(nfd))
            }
            #expect(Scratch.list(nfc) == ["a.txt", "c.txt"])
            #expect(Scratch.list(nfd) == ["b.txt"])
        }
    }

    /// A clerk swaps the held folder for a link during the batch: the rest of
    /// the batch writes into the folder it held (under its new name), never
    /// through the link; the next batch walks again and refuses the link.
    @Test func aFolderSwappedForALinkDuringTheBatchIsNeverFollowed() throws {
        try Self.withInbox("hold-swap") { spool, key, outside in
            try TrustedPath.holdingFolders {
                try DurableFS.writeFile(key + "/a.txt", text: "a")
                #expect(rename(key, spool + "/office/inbox/U1/k-old") == 0)
                #expect(symlink(outside, key) == 0)
                try DurableFS.writeFile(key + "/b.txt", text: "b")
            }
            #expect(Scratch.list(outside) == [], "nothing went through the link")
            #expect(Scratch.list(spool + "/office/inbox/U1/k-old") == ["a.txt", "b.txt"])
            #expect(TrustedPathTests.plantedLink { try DurableFS.writeFile(key + "/c.txt", text: "c") } == key)
            TrustedPath.holdingFolders {
                #expect(TrustedPathTests.plantedLink { try DurableFS.writeFile(key + "/c.txt", text: "c") } == key)
            }
            #expect(Scratch.list(outside) == [])
            #expect(TrustedPathTests.isLink(key, to: outside), "the link is left as the clerk made it")
        }
    }

    /// A clerk removes the held folder and makes a new one of that name:
    /// the rest of the batch writes into the new one (a removed folder
    /// takes nothing, and what is made in it would be lost).
    @Test func aHeldFolderRemovedDuringTheBatchIsLetGo() throws {
        try Self.withInbox("hold-removed") { spool, key, _ in
            try TrustedPath.holdingFolders {
                try DurableFS.writeFile(key + "/a.txt", text: "a")
                try FileManager.default.removeItem(atPath: key)
                #expect(mkdir(key, 0o770) == 0)
                try DurableFS.writeFile(key + "/b.txt", text: "b")
                #expect(Scratch.list(key) == ["b.txt"])
                #expect(TrustedFolderCache.shared.isHeld(key), "the new folder is held in its place")
            }
            #expect(Self.openDescriptors(on: key) == 0)
            #expect(Self.openDescriptors(on: key + " (deleted)") == 0, "the removed folder's descriptor was closed too")
        }
    }

    /// The daemon's own rename of a held folder (or of a folder above it),
    /// on this thread or another, lets go of it in every hold: a folder
    /// made again under the old name gets what is written there next.
    @Test(arguments: [false, true])
    func theDaemonsOwnRenameLetsGoOfWhatWasHeld(onAnotherThread: Bool) throws {
        try Self.withInbox("hold-rename") { spool, key, _ in
            let unit = spool + "/office/inbox/U1"
            try TrustedPath.holdingFolders {
                try DurableFS.writeFile(key + "/a.txt", text: "a")
                #expect(TrustedFolderCache.shared.isHeld(key))
                let from = unit, to = spool + "/office/inbox/U1-moved"
                let move: @Sendable () throws -> Void = { try DurableFS.move(from, to: to) }
                if onAnotherThread {
                    let done = DispatchSemaphore(value: 0)
                    nonisolated(unsafe) var failure: (any Error)?
                    Thread {
                        do { try move() } catch { failure = error }
                        done.signal()
                    }.start()
                    done.wait()
                    if let failure { throw failure }
                } else {
                    try move()
                }
                #expect(!TrustedFolderCache.shared.isHeld(key))
                #expect(!TrustedFolderCache.shared.isHeld(unit))
                try DurableFS.makeDirectories(key)
                try DurableFS.writeFile(key + "/b.txt", text: "b")
            }
            #expect(Scratch.list(key) == ["b.txt"])
            #expect(Scratch.list(spool + "/office/inbox/U1-moved/k") == ["a.txt"])
            #expect(Self.openDescriptors(on: spool + "/office/inbox/U1-moved/k") == 0)
        }
    }

    /// A file system mounted over a held folder during the batch is what
    /// the rest of the batch writes into, once the loop reads the mount table.
    @Test func aMountOverAHeldFolderIsSeenOnceTheMountTableIsRead() throws {
        guard getuid() == 0 else { return }
        try Self.withInbox("hold-mount") { spool, key, _ in
            let run = TrustedPathTests.succeeds
            var mounted = false
            // Never left mounted under /tmp, whatever fails below (a failed
            // run of this test once left its tmpfs behind).
            defer { if mounted { _ = run(["/bin/umount", "-l", key]) } }
            try TrustedPath.holdingFolders {
                try DurableFS.writeFile(key + "/before.txt", text: "b")
                mounted = run(["/bin/mount", "-t", "tmpfs", "-o", "size=1m", "lienthong-hold-test", key])
                guard mounted else {
                    print("note: no tmpfs could be mounted (a container without CAP_SYS_ADMIN?); the mount-table poll is not tested here")
                    return
                }
                _ = TrustedPath.forgetRememberedFoldersIfMountsChanged()
                #expect(!TrustedFolderCache.shared.isHeld(key))
                try DurableFS.writeFile(key + "/after.txt", text: "a")
                #expect(Scratch.list(key) == ["after.txt"], "written into the mounted file system")
            }
            // Unmounted once the batch has let go of the mount's root.
            if mounted {
                #expect(run(["/bin/umount", key]))
                mounted = false
            }
            #expect(Scratch.list(key) == ["before.txt"])
        }
    }
}
