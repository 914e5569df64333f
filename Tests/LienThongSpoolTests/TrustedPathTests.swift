import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// A clerk can plant a symbolic link in any folder of a share. Every spool
/// operation walks from the spool root and refuses such a link: nothing is
/// written, moved or made through it, and the link itself stays as it was.
@Suite("TrustedPath: spool paths never go through a planted link")
struct TrustedPathTests {
    /// A spool root registered as such, and a folder outside it where links point.
    static func withSpool(_ tag: String, _ body: (_ spool: String, _ outside: String) throws -> Void) throws {
        try Scratch.withDir(tag) { dir in
            let spool = dir + "/spool", outside = dir + "/outside"
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            _ = SpoolLayout(root: spool)
            try body(spool, outside)
        }
    }

    static func isLink(_ path: String, to target: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK else { return false }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == target
    }

    static func plantedLink(_ body: () throws -> Void) -> String? {
        do { try body() } catch let e as SpoolError { return e.plantedSymlink } catch { return nil }
        return nil
    }

    @Test(arguments: ["office", "office/inbox", "office/inbox/U1"])
    func aLinkAtAnyLevelIsRefusedAndLeftAlone(level: String) throws {
        try Self.withSpool("level") { spool, outside in
            // The same tree outside, so that following the link would succeed.
            try FileManager.default.createDirectory(atPath: outside + "/office/inbox/U1/k", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: spool + "/office/inbox/U1/k", withIntermediateDirectories: true)
            try FileManager.default.removeItem(atPath: spool + "/" + level)
            try FileManager.default.createSymbolicLink(atPath: spool + "/" + level, withDestinationPath: outside + "/" + level)
            let link = spool + "/" + level

            #expect(Self.plantedLink { try DurableFS.writeFile(spool + "/office/inbox/U1/k/receipt.txt", text: "x") } == link)
            #expect(Self.plantedLink { try DurableFS.makeDirectories(spool + "/office/inbox/U1/k/sub") } == link)
            try Scratch.write(spool + "/queued.pdf", "evidence")
            #expect(Self.plantedLink { try DurableFS.move(spool + "/queued.pdf", to: spool + "/office/inbox/U1/k/queued.pdf") } == link)
            #expect(Self.plantedLink { try DurableFS.copyFile(spool + "/queued.pdf", to: spool + "/office/inbox/U1/k/c.pdf") } == link)
            let batch = SyncBatch()
            #expect(Self.plantedLink { try batch.stage(spool + "/office/inbox/U1/k/b.txt", text: "x") } == link)
            #expect(Self.plantedLink { try batch.move(spool + "/queued.pdf", to: spool + "/office/inbox/U1/k/q.pdf") } == link)

            // Nothing reached the folder the link points to; the link is intact.
            #expect(Scratch.list(outside + "/office/inbox/U1/k") == [])
            #expect(Scratch.list(outside + "/office/inbox/U1") == ["k"])
            #expect(try Scratch.text(spool + "/queued.pdf") == "evidence")
            #expect(Self.isLink(link, to: outside + "/" + level))
        }
    }

    @Test func aLinkIsNotATakeOutOfTheArchive() throws {
        // office/outbox/<group> replaced by a link into an archive folder: a
        // claim by rename must not take the archived file out.
        try Self.withSpool("claim") { spool, _ in
            let archived = spool + "/archive/accepted/2026/12/S1/files"
            try Scratch.write(archived + "/a.pdf", "signed")
            try FileManager.default.createDirectory(atPath: spool + "/office/outbox", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: spool + "/queue/S2/files", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: spool + "/office/outbox/districts", withDestinationPath: archived)
            let error = #expect(throws: SpoolError.self) {
                try DurableFS.move(spool + "/office/outbox/districts/a.pdf", to: spool + "/queue/S2/files/a.pdf")
            }
            #expect(error?.plantedSymlink == spool + "/office/outbox/districts")
            #expect(error?.description.contains("a symbolic link where a folder should be: \(spool)/office/outbox/districts") == true)
            #expect(error?.description.contains("remove it and make a folder") == true)
            #expect(try Scratch.text(archived + "/a.pdf") == "signed")
            #expect(Scratch.list(spool + "/queue/S2/files") == [])
            #expect(throws: SpoolError.self) { try TrustedPath.names(spool + "/office/outbox/districts") }
        }
    }

    @Test func aDanglingLinkIsRefusedAndItsTargetNotMade() throws {
        try Self.withSpool("dangling") { spool, outside in
            try FileManager.default.createDirectory(atPath: spool + "/units/U1", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: spool + "/units/U1/outbox", withDestinationPath: outside + "/nowhere")
            let refused = try SpoolLayout(root: spool).create(units: ["U1"])
            #expect(refused.map(\.plantedSymlink) == [spool + "/units/U1/outbox"])
            #expect(!FileManager.default.fileExists(atPath: outside + "/nowhere"))
            #expect(Self.isLink(spool + "/units/U1/outbox", to: outside + "/nowhere"))
            // The unit's other folders are made as usual.
            #expect(Scratch.list(spool + "/units/U1") == ["inbox", "outbox", "receipts"])
            #expect(TrustedPath.check(spool + "/units/U1/outbox")?.plantedSymlink == spool + "/units/U1/outbox")
            #expect(TrustedPath.check(spool + "/units/U1/inbox") == nil)
        }
    }

    @Test func aLinkToAFileIsRefused() throws {
        try Self.withSpool("tofile") { spool, outside in
            try Scratch.write(outside + "/secret", "keep")
            try FileManager.default.createDirectory(atPath: spool + "/office/inbox", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: spool + "/office/inbox/U1", withDestinationPath: outside + "/secret")
            #expect(Self.plantedLink { try DurableFS.writeFile(spool + "/office/inbox/U1/x", text: "y") } == spool + "/office/inbox/U1")
            #expect(Self.plantedLink { try DurableFS.makeDirectories(spool + "/office/inbox/U1") } == spool + "/office/inbox/U1")
            #expect(try Scratch.text(outside + "/secret") == "keep")
        }
    }

    @Test func dotDotIsRefused() throws {
        try Self.withSpool("dotdot") { spool, _ in
            try FileManager.default.createDirectory(atPath: spool + "/office", withIntermediateDirectories: true)
            let error = #expect(throws: SpoolError.self) { try DurableFS.writeFile(spool + "/office/../../escaped.txt", text: "x") }
            #expect(error?.code == EINVAL)
            #expect(error?.description.contains("'..'") == true)
            #expect(!FileManager.default.fileExists(atPath: (spool as NSString).deletingLastPathComponent + "/escaped.txt"))
            #expect(throws: SpoolError.self) { try DurableFS.makeDirectories(spool + "/office/..") }
        }
    }

    @Test func realFoldersStillWork() throws {
        try Self.withSpool("plain") { spool, _ in
            try DurableFS.makeDirectories(spool + "//office/inbox/U1/k/")
            try DurableFS.writeFile(spool + "/office/inbox/U1/k/r.txt", text: "ok")
            #expect(try Scratch.text(spool + "/office/inbox/U1/k/r.txt") == "ok")
            try DurableFS.move(spool + "/office/inbox/U1/k/r.txt", to: spool + "/office/r.txt")
            #expect(TrustedPath.status(spool + "/office/r.txt") != nil)
            #expect(try TrustedPath.names(spool + "/office").sorted() == ["inbox", "r.txt"])
        }
    }

    @Test func aRecipientInboxUnderALinkIsRefused() throws {
        try Self.withSpool("inbox") { spool, outside in
            try FileManager.default.createDirectory(atPath: outside + "/inbox", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: spool + "/units", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: spool + "/units/U2", withDestinationPath: outside)
            try Scratch.write(spool + "/archive/a.pdf", "doc")
            let delivery = Delivery(inbox: spool + "/units/U2/inbox", items: [.init(source: spool + "/archive/a.pdf", name: "a.pdf")])
            let error = #expect(throws: SpoolError.self) { try delivery.deliver(suffix: 1) }
            #expect(error?.plantedSymlink == spool + "/units/U2")
            #expect(Scratch.list(outside + "/inbox") == [])
        }
    }

    // MARK: folders remembered by descriptor (TrustedFolderCache)

    /// Sets each folder from the spool root down `relative` to 0755: other
    /// tests in this process may clear the umask for a moment (folders made
    /// with an exact mode), and a folder made then is writable by all, which
    /// rightly keeps it from being remembered.
    /// Runs a command (`mount`, `umount`); whether it exited 0.
    static func succeeds(_ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    static func makePrivate(_ spool: String, _ relative: String) {
        var path = spool
        _ = chmod(path, 0o755)
        for part in relative.split(separator: "/") {
            path += "/" + part
            _ = chmod(path, 0o755)
        }
    }

    @Test func aFolderRenamedThroughTheSpoolIsForgottenNotWrittenIntoUnderItsOldName() throws {
        try Self.withSpool("cache-rename") { spool, _ in
            try DurableFS.makeDirectories(spool + "/queue/a/files")
            try DurableFS.makeDirectories(spool + "/archive/accepted")
            Self.makePrivate(spool, "queue/a/files")
            try DurableFS.writeFile(spool + "/queue/a/files/x", text: "first")
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/queue/a/files"), "a daemon-only folder was not remembered")
            try DurableFS.move(spool + "/queue/a", to: spool + "/archive/accepted/a")
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/queue/a/files"))
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/queue/a"))
            // The same path again is a new folder: nothing lands in the archived one.
            try DurableFS.makeDirectories(spool + "/queue/a/files")
            try DurableFS.writeFile(spool + "/queue/a/files/y", text: "second")
            #expect(Scratch.list(spool + "/queue/a/files") == ["y"])
            #expect(Scratch.list(spool + "/archive/accepted/a/files") == ["x"])
        }
    }

    @Test func aFolderRemovedBehindTheDaemonsBackIsNeverWrittenInto() throws {
        try Self.withSpool("cache-removed") { spool, _ in
            try DurableFS.makeDirectories(spool + "/queue/b/files")
            Self.makePrivate(spool, "queue/b/files")
            try DurableFS.writeFile(spool + "/queue/b/files/x", text: "x")
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/queue/b/files"))
            try FileManager.default.removeItem(atPath: spool + "/queue/b")
            #expect(throws: SpoolError.self) { try DurableFS.writeFile(spool + "/queue/b/files/z", text: "z") }
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/queue/b/files"))
            try DurableFS.makeDirectories(spool + "/queue/b/files")
            try DurableFS.writeFile(spool + "/queue/b/files/z", text: "z")
            #expect(Scratch.list(spool + "/queue/b/files") == ["z"])
        }
    }

    /// A remembered folder listed twice lists whole both times (each walk
    /// gets its own open file description, not a shared offset).
    @Test func aRememberedFolderListsWholeEveryTime() throws {
        try Self.withSpool("cache-list") { spool, _ in
            try DurableFS.makeDirectories(spool + "/archive/accepted/s/files")
            Self.makePrivate(spool, "archive/accepted/s/files")
            for n in ["a", "b", "c"] { try DurableFS.writeFile(spool + "/archive/accepted/s/files/" + n, text: n) }
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/archive/accepted/s/files"))
            for _ in 0..<3 { #expect(try TrustedPath.names(spool + "/archive/accepted/s/files").sorted() == ["a", "b", "c"]) }
        }
    }

    /// The NFC and NFD spellings of one folder name are two folders (a
    /// dropped folder from a Mac and one from Windows): remembering one must
    /// never make a walk to the other land in it. Swift's String equality
    /// would take them for one key.
    @Test func theNFCAndNFDFormsOfOneFolderAreRememberedApart() throws {
        try Self.withSpool("cache-nfd") { spool, _ in
            let nfc = "Hồ sơ".precomposedStringWithCanonicalMapping
            let nfd = nfc.decomposedStringWithCanonicalMapping
            for (form, text) in [(nfc, "from Windows"), (nfd, "from a Mac")] {
                try FileManager.default.createDirectory(atPath: spool + "/queue/d/files/" + form, withIntermediateDirectories: true)
                Self.makePrivate(spool, "queue/d/files/" + form)
                try Scratch.write(spool + "/queue/d/files/" + form + "/a.pdf", text)
            }
            #expect(String(decoding: TrustedPath.read(spool + "/queue/d/files/" + nfc + "/a.pdf") ?? [], as: UTF8.self) == "from Windows")
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/queue/d/files/" + nfc))
            #expect(String(decoding: TrustedPath.read(spool + "/queue/d/files/" + nfd + "/a.pdf") ?? [], as: UTF8.self) == "from a Mac")
            // Forgetting one (a rename) leaves the other remembered.
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/queue/d/files/" + nfd))
            TrustedFolderCache.shared.forget(spool + "/queue/d/files/" + nfc)
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/queue/d/files/" + nfc))
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/queue/d/files/" + nfd))
        }
    }

    /// The cache's tree of folders: forgetting a folder finds everything
    /// remembered below it, at any depth, also below a folder that was never
    /// remembered itself or was evicted since; an NFD twin is not below its
    /// NFC form; once all is forgotten the tree is empty. A cache of its own,
    /// every folder standing on one descriptor (remember takes its own dup).
    @Test func forgettingAFolderForgetsEverythingBelowIt() throws {
        try Self.withSpool("cache-tree") { spool, _ in
            let cache = TrustedFolderCache(capacity: 256)
            let fd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            #expect(fd >= 0)
            defer { close(fd) }
            func remember(_ relative: String) {
                let w = TrustedPath.walk(spool + "/" + relative)
                cache.remember(w, depth: w.count, fd: fd)
            }
            func known(_ relative: String) -> Bool { cache.isRemembered(spool + "/" + relative) }
            let nfc = "Hồ sơ".precomposedStringWithCanonicalMapping, nfd = nfc.decomposedStringWithCanonicalMapping
            // Deep folders whose parents were never remembered, and twins.
            remember("queue/s/files/" + nfc + "/a")
            remember("queue/s/files/" + nfd + "/a")
            remember("queue/s/files/" + nfc)
            remember("queue/t")
            cache.forget(spool + "/queue/s/files/" + nfc)
            #expect(!known("queue/s/files/" + nfc + "/a") && !known("queue/s/files/" + nfc))
            #expect(known("queue/s/files/" + nfd + "/a"))
            cache.forget(spool + "/queue/s")
            #expect(!known("queue/s/files/" + nfd + "/a"))
            #expect(known("queue/t"))
            // A parent evicted (the oldest half goes at capacity) while its
            // newer child stays: forgetting the parent still finds the child.
            remember("queue/k")
            for n in 0..<200 { remember("queue/e/\(n)") }
            remember("queue/k/files/sub")
            for n in 200..<(cache.capacity + 10) { remember("queue/e/\(n)") }
            #expect(!known("queue/k"))
            #expect(known("queue/k/files/sub"))
            cache.forget(spool + "/queue/k")
            #expect(!known("queue/k/files/sub"))
            // A name of 255 bytes is a key like any other.
            let long = String(repeating: "ơ", count: 127) + "x"
            #expect(long.utf8.count == 255)
            remember("archive/accepted/" + long + "/files")
            #expect(known("archive/accepted/" + long + "/files"))
            cache.forget(spool + "/archive/accepted/" + long)
            #expect(!known("archive/accepted/" + long + "/files"))
            cache.forget(spool + "/queue")
            #expect(!known("queue/t") && !known("queue/e/205"))
            #expect(cache.linkedPaths == 0)
        }
    }

    /// A remembered folder lent to a walk (`borrow`) and forgotten or
    /// evicted during the loan stays open for the borrower and is closed
    /// when the last loan comes back; two loans of one folder are two.
    @Test func aLentFolderOutlivesBeingForgottenUntilItsLoansComeBack() throws {
        try Self.withSpool("cache-loan") { spool, _ in
            try FileManager.default.createDirectory(atPath: spool + "/queue/l", withIntermediateDirectories: true)
            let cache = TrustedFolderCache(capacity: 256)
            let opened = open(spool + "/queue/l", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            #expect(opened >= 0)
            let w = TrustedPath.walk(spool + "/queue/l/x")
            cache.remember(w, depth: 2, fd: opened)
            close(opened)
            guard let first = cache.borrow(w, count: 2), let second = cache.borrow(w, count: 2) else {
                Issue.record("a remembered folder was not lent")
                return
            }
            #expect(first.fd == second.fd && first.depth == 2)
            #expect(cache.loanCounts == (1, 0))
            cache.forget(spool + "/queue/l")
            #expect(cache.borrow(w, count: 2) == nil, "a forgotten folder was lent again")
            #expect(cache.loanCounts == (1, 1))
            // Still the folder for the borrowers: a file made through it lands there.
            #expect(openat(first.fd, "made", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644) >= 0)
            #expect(Scratch.list(spool + "/queue/l") == ["made"])
            cache.giveBack(first.fd)
            #expect(cache.loanCounts == (1, 1))
            cache.giveBack(second.fd)
            #expect(cache.loanCounts == (0, 0))
            // Eviction during a loan: the same.
            var lent: Int32 = -1
            for n in 0..<(cache.capacity + 1) {
                let d = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                let e = TrustedPath.walk(spool + "/queue/e\(n)/x")
                cache.remember(e, depth: 2, fd: d)
                close(d)
                if n == 0 { lent = cache.borrow(e, count: 2)?.fd ?? -1 }
            }
            #expect(lent >= 0)
            #expect(cache.loanCounts == (1, 1), "the evicted folder was closed while lent, or never evicted")
            cache.giveBack(lent)
            #expect(cache.loanCounts == (0, 0))
            cache.forget(spool + "/queue")
            #expect(cache.linkedPaths == 0)
        }
    }

    /// The loop and the filing threads share one cache, and its descriptors
    /// are duplicated and closed outside its lock. Three threads remember,
    /// borrow, start from and forget 64 folders through a cache of 16 (so
    /// that evictions happen all the time): every descriptor lent names the
    /// folder asked for (never one closed and reused meanwhile: a number
    /// closed twice would also close another thread's), and once all is
    /// forgotten no loan is left over.
    @Test func threadsSharingTheCacheAreAlwaysLentTheFolderTheyAskedFor() throws {
        try Self.withSpool("cache-threads") { spool, _ in
            let folders = 64
            for k in 0..<folders {
                try FileManager.default.createDirectory(atPath: spool + "/queue/f\(k)", withIntermediateDirectories: true)
                #expect(FileManager.default.createFile(atPath: spool + "/queue/f\(k)/id-\(k)", contents: nil))
            }
            let cache = TrustedFolderCache(capacity: 16)
            let wrong = Counter()
            DispatchQueue.concurrentPerform(iterations: 3) { thread in
                var seed = UInt64(thread + 1) &* 0x9E37_79B9_7F4A_7C15
                for _ in 0..<20_000 {
                    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let k = Int(seed >> 33) % folders
                    let w = TrustedPath.walk(spool + "/queue/f\(k)/x")
                    switch Int(seed >> 20) % 8 {
                    case 0:
                        let fd = open(spool + "/queue/f\(k)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                        cache.remember(w, depth: 2, fd: fd)
                        close(fd)
                    case 1:
                        cache.forget(spool + "/queue/f\(k)")
                    case 2:
                        if let (fd, _) = cache.start(w, count: 2) {
                            if faccessat(fd, "id-\(k)", F_OK, 0) != 0 { wrong.add() }
                            close(fd)
                        }
                    default:
                        if let (fd, _) = cache.borrow(w, count: 2) {
                            if faccessat(fd, "id-\(k)", F_OK, 0) != 0 { wrong.add() }
                            // Now and then a loan held while the others evict.
                            if seed >> 60 == 0 {
                                usleep(100)
                                if faccessat(fd, "id-\(k)", F_OK, 0) != 0 { wrong.add() }
                            }
                            cache.giveBack(fd)
                        }
                    }
                }
            }
            #expect(wrong.value == 0, "a lent descriptor named another folder, or none")
            #expect(cache.loanCounts == (0, 0))
            cache.forget(spool + "/queue")
            #expect(cache.linkedPaths == 0)
        }
    }

    /// A count several threads add to.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func add() { lock.lock(); n += 1; lock.unlock() }
        var value: Int { lock.lock(); defer { lock.unlock() }; return n }
    }

    /// A file system mounted over a remembered folder once the daemon runs
    /// (an archive disk, a unit's folder on its own disk): once the mount
    /// table is read (each loop turn), walks reach the mount, not the
    /// folder under it. Needs root and a tmpfs it may mount; skipped with a
    /// note otherwise, as the fan-out test of an inbox on another disk.
    @Test func aFileSystemMountedOverARememberedFolderIsReachedAfterTheMountTableIsRead() throws {
        guard getuid() == 0 else { return }
        try Self.withSpool("cache-mount") { spool, _ in
            try DurableFS.makeDirectories(spool + "/archive/disk")
            Self.makePrivate(spool, "archive/disk")
            try DurableFS.writeFile(spool + "/archive/disk/before", text: "b")
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/archive/disk"))
            let mount = Self.succeeds
            guard mount(["/bin/mount", "-t", "tmpfs", "-o", "size=1m", "lienthong-test", spool + "/archive/disk"]) else {
                print("note: no tmpfs could be mounted (a container without CAP_SYS_ADMIN?); the mount-table poll is not tested here")
                return
            }
            defer { _ = mount(["/bin/umount", spool + "/archive/disk"]) }
            // Another test's mount may have been read first: either way the cache is flushed.
            _ = TrustedPath.forgetRememberedFoldersIfMountsChanged()
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/archive/disk"))
            try DurableFS.writeFile(spool + "/archive/disk/after", text: "a")
            #expect(Scratch.list(spool + "/archive/disk") == ["after"], "written into the folder under the mount")
        }
    }

    /// Clerks write in outboxes, inboxes and dropped folders: a folder anyone
    /// else can write, and everything below it, is walked every time.
    @Test func foldersOthersCanChangeAreNeverRemembered() throws {
        try Self.withSpool("cache-shared") { spool, outside in
            // A dropped folder as a clerk's share leaves it: writable by others.
            try FileManager.default.createDirectory(atPath: spool + "/queue/c/files/dropped/sub", withIntermediateDirectories: true)
            Self.makePrivate(spool, "queue/c/files/dropped/sub")
            #expect(chmod(spool + "/queue/c/files/dropped", 0o777) == 0)
            try DurableFS.writeFile(spool + "/queue/c/files/dropped/sub/x", text: "x")
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/queue/c/files"))
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/queue/c/files/dropped"))
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/queue/c/files/dropped/sub"))
            // A clerk swaps the subfolder for a link: refused as ever.
            try FileManager.default.moveItem(atPath: spool + "/queue/c/files/dropped/sub", toPath: spool + "/queue/c/files/dropped/old")
            try FileManager.default.createSymbolicLink(atPath: spool + "/queue/c/files/dropped/sub", withDestinationPath: outside)
            #expect(Self.plantedLink { try DurableFS.writeFile(spool + "/queue/c/files/dropped/sub/y", text: "y") } == spool + "/queue/c/files/dropped/sub")
            #expect(Scratch.list(outside) == [])
            // A unit's folders: its receipts (the daemon's alone) are
            // remembered; its outbox (clerks write there) and what is
            // dropped in it never, and a link a clerk plants in a dropped
            // folder's place is refused.
            try DurableFS.makeDirectories(spool + "/units/U1/receipts")
            Self.makePrivate(spool, "units/U1/receipts")
            // The outbox as SpoolLayout makes it (group-writable from its
            // mkdir on), and a clerk's folder dropped into it.
            #expect(mkdir(spool + "/units/U1/outbox", 0o770) == 0 && chmod(spool + "/units/U1/outbox", 0o770) == 0)
            #expect(mkdir(spool + "/units/U1/outbox/dropped", 0o755) == 0)
            try DurableFS.writeFile(spool + "/units/U1/receipts/r.txt", text: "r")
            try DurableFS.writeFile(spool + "/units/U1/outbox/dropped/d.txt", text: "d")
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/units/U1/receipts"))
            #expect(TrustedFolderCache.shared.isRemembered(spool + "/units/U1"))
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/units/U1/outbox"))
            #expect(!TrustedFolderCache.shared.isRemembered(spool + "/units/U1/outbox/dropped"))
            try FileManager.default.moveItem(atPath: spool + "/units/U1/outbox/dropped", toPath: spool + "/units/U1/outbox/old")
            try FileManager.default.createSymbolicLink(atPath: spool + "/units/U1/outbox/dropped", withDestinationPath: outside)
            #expect(Self.plantedLink { try DurableFS.writeFile(spool + "/units/U1/outbox/dropped/e.txt", text: "e") }
                    == spool + "/units/U1/outbox/dropped")
            #expect(Scratch.list(outside) == [])
        }
    }

    /// The byte-level fast path of `SpoolRoots.normalized` agrees with the
    /// plain definition (split on "/", drop "." and empty parts, join).
    @Test(arguments: ["/a/b", "/a//b", "/a/./b", "/a/b/", "/a/b/.", "/", "//", "/a/..", "/a/.b", "/a/b.", "/./a", "/.",
                      "/a/b/..", "/a/.../b", "/đơn vị/Hồ sơ (2).pdf", "/a/b//", "/a/b/./", "///a"])
    func normalizedMatchesItsDefinition(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        #expect(SpoolRoots.normalized(path) == "/" + parts.joined(separator: "/"))
    }

    /// The one-pass walk (a path matched as given, checked below its root)
    /// is the walk of the normalised path, for paths the spool makes and for
    /// every kind it does not: doubled and trailing slashes, `.` and `..`,
    /// NFC and NFD names, names of 255 bytes, nested roots, relative paths.
    @Test func theOnePassWalkIsTheNormalisedOne() throws {
        try Self.withSpool("onepass") { spool, _ in
            SpoolRoots.trust(spool + "/queue/inner")
            let nfc = "Hồ sơ".precomposedStringWithCanonicalMapping, nfd = nfc.decomposedStringWithCanonicalMapping
            let long = String(repeating: "ơ", count: 127) + "x"
            let tails = ["/queue/a/files/x.pdf", "//queue/a", "/./queue", "/queue/", "/queue/.", "/queue/..", "/..", "/.",
                         "/.hidden/a", "/a/.b/c.", "/queue/inner", "/queue/inner/", "/queue/inner/x", "/queue//inner/x",
                         "/queue/./inner/x", "/queue/innerfolder/x", "/" + nfc + "/" + nfd, "/" + long, "/" + long + "/" + long,
                         "", "/", "//", "/a//", "/a/./", "/a/..b/...", "/..a"]
            var paths = tails.map { spool + $0 } + ["relative/queue", ".", "/", "//x", String(spool.dropLast()), spool + "x/queue"]
            paths += ["queue/a", "./" + spool.dropFirst()]
            for path in paths {
                let fast = SpoolRoots.guardedWalk(path), slow = SpoolRoots.normalizedWalk(path)
                #expect(fast?.bytes == slow?.bytes, "\(path)")
                #expect(fast?.startLength == slow?.startLength, "\(path)")
                #expect(fast?.begins == slow?.begins, "\(path)")
                #expect(fast?.guarded == slow?.guarded, "\(path)")
            }
            #expect(SpoolRoots.guardedWalk(spool + "/queue/inner/x")?.startLength == (spool + "/queue/inner").utf8.count)
        }
    }

    @Test func splitFindsTheLongestRootByBytes() throws {
        try Self.withSpool("split") { spool, _ in
            SpoolRoots.trust(spool + "/inner")
            #expect(SpoolRoots.split(spool + "/inner/queue/x")?.0 == spool + "/inner")
            #expect(SpoolRoots.split(spool + "/inner/queue/x")?.1 == ["queue", "x"])
            #expect(SpoolRoots.split(spool + "/innerfolder/x")?.0 == spool)
            #expect(SpoolRoots.split(spool + "/innerfolder/x")?.1 == ["innerfolder", "x"])
            #expect(SpoolRoots.split(spool)?.0 != spool)
            #expect(SpoolRoots.split(spool + "//queue/./đơn/")?.1 == ["queue", "đơn"])
        }
    }
}

/// The walk splits a path once, into byte ranges: every call must still see
/// each name as exactly its bytes, refuse `..` wherever it stands, and pass
/// names at the 255-byte limit through unchanged.
@Suite("TrustedPath: names by their bytes")
struct TrustedPathBytesTests {
    static let nfc = "Hồ sơ".precomposedStringWithCanonicalMapping
    static let nfd = nfc.decomposedStringWithCanonicalMapping

    static func text(_ path: String) -> String? { TrustedPath.read(path).map { String(decoding: $0, as: UTF8.self) } }

    @Test func theNFCAndNFDFormsOfOneNameAreTwoFilesToEveryCall() throws {
        try TrustedPathTests.withSpool("bytes-nfd") { spool, _ in
            #expect(!Self.nfc.utf8.elementsEqual(Self.nfd.utf8) && Self.nfc == Self.nfd, "the test needs two spellings Swift calls equal")
            let dir = spool + "/queue/s/files"
            try DurableFS.makeDirectories(dir)
            try DurableFS.writeFile(dir + "/" + Self.nfc + ".pdf", text: "from Windows")
            try DurableFS.writeFile(dir + "/" + Self.nfd + ".pdf", text: "from a Mac")
            #expect(Set(try TrustedPath.entries(dir).map(\.bytes)) == [Array((Self.nfc + ".pdf").utf8), Array((Self.nfd + ".pdf").utf8)])
            #expect(Self.text(dir + "/" + Self.nfc + ".pdf") == "from Windows")
            #expect(Self.text(dir + "/" + Self.nfd + ".pdf") == "from a Mac")
            // A rename, a status and an unlink of one leave the other alone.
            #expect(try TrustedPath.rename(dir + "/" + Self.nfd + ".pdf", to: dir + "/mac.pdf", noReplace: true) == 0)
            #expect(TrustedPath.status(dir + "/" + Self.nfd + ".pdf") == nil)
            #expect(Self.text(dir + "/" + Self.nfc + ".pdf") == "from Windows")
            #expect(TrustedPath.unlink(dir + "/" + Self.nfc + ".pdf"))
            #expect(Self.text(dir + "/mac.pdf") == "from a Mac")
            // Folders too: the NFD folder is made beside the NFC one, not taken for it.
            try DurableFS.makeDirectories(dir + "/" + Self.nfc)
            try DurableFS.makeDirectories(dir + "/" + Self.nfd)
            try DurableFS.writeFile(dir + "/" + Self.nfd + "/x", text: "nfd")
            #expect(TrustedPath.status(dir + "/" + Self.nfc + "/x") == nil)
            #expect(Self.text(dir + "/" + Self.nfd + "/x") == "nfd")
        }
    }

    @Test func theComponentsAreThePathsOwnBytes() throws {
        try TrustedPathTests.withSpool("bytes-split") { spool, _ in
            let parts = try #require(SpoolRoots.split(spool + "/queue/" + Self.nfd + "/" + Self.nfc)?.1)
            #expect(parts.map { Array($0.utf8) } == [Array("queue".utf8), Array(Self.nfd.utf8), Array(Self.nfc.utf8)])
            let w = TrustedPath.walk(spool + "//queue/./" + Self.nfd + "/")
            #expect(w.guarded && w.start == spool && w.count == 2)
            #expect(Array(w.pathBytes(2)) == Array((spool + "/queue/" + Self.nfd).utf8))
            #expect(w.path(0) == spool && w.path(1) == spool + "/queue")
        }
        // Outside the spool: as given, empty and "." parts dropped.
        let relative = TrustedPath.walk("a//./b/")
        #expect(!relative.guarded && relative.start == "." && relative.path(2) == "./a/b")
        let absolute = TrustedPath.walk("/x/./y")
        #expect(!absolute.guarded && absolute.start == "/" && absolute.path(1) == "/x" && absolute.path(2) == "/x/y")
        #expect(TrustedPath.walk("/").count == 0 && TrustedPath.walk("/").start == "/")
    }

    @Test func dotDotIsRefusedWhereverItStands() throws {
        try TrustedPathTests.withSpool("bytes-dotdot") { spool, _ in
            try DurableFS.makeDirectories(spool + "/queue/a")
            try Scratch.write(spool + "/queue/a/f", "f")
            func refused(_ body: () throws -> Any) -> Bool {
                do { _ = try body(); return false } catch let e as SpoolError { return e.code == EINVAL && e.description.contains("'..'") } catch {
                    return false
                }
            }
            #expect(refused { try TrustedPath.open(spool + "/queue/a/..", O_RDONLY) })
            #expect(refused { try TrustedPath.open(spool + "/queue/../queue/a/f", O_RDONLY) })
            #expect(refused { try TrustedPath.rename(spool + "/queue/a/f", to: spool + "/queue/a/..", noReplace: false) })
            #expect(refused { try TrustedPath.rename(spool + "/queue/a/../a/f", to: spool + "/queue/g", noReplace: true) })
            #expect(refused { try TrustedPath.openFolder(spool + "/queue/a/..", "list") })
            #expect(!TrustedPath.unlink(spool + "/queue/a/../a/f"))
            #expect(TrustedPath.status(spool + "/queue/a/..") == nil)
            // A name that only starts with two dots is a name.
            try DurableFS.writeFile(spool + "/queue/a/..f", text: "dots")
            #expect(TrustedPathBytesTests.text(spool + "/queue/a/..f") == "dots")
            #expect(try Scratch.text(spool + "/queue/a/f") == "f")
        }
    }

    @Test func aFileWhereAFolderShouldBeIsRefused() throws {
        try TrustedPathTests.withSpool("bytes-file") { spool, _ in
            try Scratch.write(spool + "/queue/x", "a file")
            let made = #expect(throws: SpoolError.self) { try DurableFS.makeDirectories(spool + "/queue/x/y") }
            #expect(made?.code == EEXIST)
            let opened = #expect(throws: SpoolError.self) { try TrustedPath.open(spool + "/queue/x/y", O_RDONLY) }
            #expect(opened?.code == ENOTDIR)
            #expect(try Scratch.text(spool + "/queue/x") == "a file")
        }
    }

    /// Folder and file names of exactly 255 bytes of three-byte characters
    /// go through as they are; one byte more is the kernel's refusal.
    @Test func namesAtTheByteLimitWalkAsTheyAre() throws {
        try TrustedPathTests.withSpool("bytes-255") { spool, _ in
            let long = String(repeating: "ệ", count: 85)
            #expect(long.utf8.count == 255)
            let folder = spool + "/queue/" + long
            try DurableFS.makeDirectories(folder + "/" + long)
            try DurableFS.writeFile(folder + "/" + long + "/" + long, text: "deep")
            #expect(TrustedPathBytesTests.text(folder + "/" + long + "/" + long) == "deep")
            #expect(try TrustedPath.names(folder + "/" + long) == [long])
            let error = #expect(throws: SpoolError.self) { try DurableFS.makeDirectories(folder + "/" + long + "x") }
            #expect(error?.code == ENAMETOOLONG)
        }
    }

    /// The byte helpers agree with NSString on the paths the spool makes.
    /// (Not on "c": this Foundation's `deletingLastPathComponent` traps on a
    /// single relative component; ours says "" as NSString documents.)
    @Test(arguments: ["/a/b/c", "/a/b/c/", "/c", "/", "a/b", "/a//b", "/đơn vị/Hồ sơ (2).pdf", "/a/b//", "/x/" + "Hồ sơ".decomposedStringWithCanonicalMapping])
    func parentAndLastComponentAgreeWithNSString(path: String) {
        #expect(Array(TrustedPath.parent(of: path).utf8) == Array((path as NSString).deletingLastPathComponent.utf8))
        #expect(Array(TrustedPath.lastComponent(of: path).utf8) == Array((path as NSString).lastPathComponent.utf8))
        #expect(TrustedPath.parent(of: "c") == "" && TrustedPath.lastComponent(of: "c") == "c")
    }
}

/// The daemon warns at start when the spool's ext4 has no journal. Checked on
/// two real ext4 file systems in loop images, one made without a journal
/// (root only: mkfs and mount; skipped otherwise).
@Suite("JournalCheck: a spool on ext4 without a journal is named", .serialized)
struct JournalCheckTests {
    static func mounted(_ options: [String], _ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.path + "/lienthong-jc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir + "/mnt", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let image = dir + "/fs.img"
        func sh(_ args: [String]) -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return -1 }
            p.waitUntilExit()
            return p.terminationStatus
        }
        guard geteuid() == 0 else {
            print("JournalCheckTests: mounting an ext4 image needs root; skipped")
            return
        }
        try #require(sh(["truncate", "-s", "64M", image]) == 0)
        try #require(sh(["mkfs.ext4", "-q", "-F"] + options + [image]) == 0, "mkfs.ext4 (e2fsprogs) failed")
        guard sh(["mount", "-o", "loop", image, dir + "/mnt"]) == 0 else {
            print("JournalCheckTests: no loop device to mount an image on here; skipped")
            return
        }
        defer { _ = sh(["umount", dir + "/mnt"]) }
        try body(dir + "/mnt")
    }

    @Test func withoutAJournalTheSpoolIsNamed() throws {
        try Self.mounted(["-O", "^has_journal"]) { mnt in
            let warning = JournalCheck.warning(for: mnt)
            #expect(warning?.contains("without a journal") == true, "\(String(describing: warning))")
            #expect(warning?.contains(mnt) == true)
        }
    }

    @Test func withItsJournalNothingIsSaid() throws {
        try Self.mounted([]) { mnt in
            #expect(JournalCheck.warning(for: mnt) == nil)
        }
        #expect(JournalCheck.warning(for: "/proc") == nil, "not an ext file system")
    }
}

@Suite("DescriptorLimit: the daemon's soft limit and the folder cache's size")
struct DescriptorLimitTests {
    @Test func theSoftLimitIsRaisedNeverLoweredAndSizesTheCache() {
        var r = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &r) == 0)
        let hard = r.rlim_max == rlim_t.max ? Int.max : Int(r.rlim_max)
        let before = DescriptorLimit.soft
        let after = DescriptorLimit.raise(to: 8192)
        #expect(after == max(before, min(8192, hard)))
        #expect(DescriptorLimit.raise(to: 16) == after, "raise lowered the limit")
        #expect(TrustedFolderCache.defaultCapacity() == min(4096, max(256, after / 4)))
        #expect(TrustedFolderCache(capacity: 300).capacity == 300)
    }
}
