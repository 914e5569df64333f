import CLinux
import Foundation
import Synchronization
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// A batch's barriers on the disk (issue 15): a large round on one
/// journaling file system is one syncfs, a small round an fsync per item, a
/// file system not known to make everything durable in syncfs always the
/// fsyncs. What is synced is still published, and no descriptor outlives
/// the batch.
@Suite("SyncBatch: one syncfs for a large round, an fsync each for a small one")
struct FileSystemSyncTests {
    static let tmpfsMagic = 0x0102_1994

    /// A batch that may syncfs on any file system, on a machine with
    /// nothing else to write (the real figure varies while tests run).
    static func quietBatch() -> SyncBatch {
        let batch = SyncBatch()
        batch.fileSystems.wholeSyncOnAnyFileSystem = true
        batch.fileSystems.dirtyBytes = { 0 }
        return batch
    }

    static func stageFiles(_ batch: SyncBatch, in dir: String, count: Int) throws {
        for i in 0..<count { try batch.stage(dir + "/f\(i).json", text: "{\"n\":\(i)}") }
    }

    @Test func aLargeRoundOfFilesIsOneSyncOfTheFileSystem() throws {
        try Scratch.withDir("syncfs-files") { root in
            let batch = Self.quietBatch()
            let before = SyncTally.current
            try Self.stageFiles(batch, in: root, count: FileSystemSync.threshold + 12)
            try batch.publishStaged()
            #expect(batch.fileSystems.fileSystemSyncs == 1)
            #expect(batch.fileSystems.itemSyncs == 0)
            // The daemon's tally saw it (other tests may add their own).
            #expect(SyncTally.current.syncfs >= before.syncfs + 1)
            try batch.syncDirectories()
            #expect(SyncTally.current.fsyncs >= before.fsyncs + 1)
            // One folder noted: below the threshold, an fsync of its own.
            #expect(batch.fileSystems.fileSystemSyncs == 1)
            #expect(batch.fileSystems.itemSyncs == 1)
            #expect(try String(contentsOfFile: root + "/f7.json", encoding: .utf8) == "{\"n\":7}")
            #expect(Scratch.list(root).count == FileSystemSync.threshold + 12, "hidden temporaries left: \(Scratch.list(root))")
        }
    }

    @Test func aSmallRoundKeepsAnFsyncPerFile() throws {
        try Scratch.withDir("syncfs-few") { root in
            let batch = Self.quietBatch()
            try Self.stageFiles(batch, in: root, count: FileSystemSync.threshold - 1)
            try batch.syncStaged()
            #expect(batch.fileSystems.fileSystemSyncs == 0)
            #expect(batch.fileSystems.itemSyncs == FileSystemSync.threshold - 1)
            // Already durable: publishing does not sync their data again.
            try batch.publishStaged()
            #expect(batch.fileSystems.itemSyncs == FileSystemSync.threshold - 1)
        }
    }

    @Test func aLargeRoundOfFoldersIsOneSyncWhetherTheirFileSystemIsKnownOrFound() throws {
        try Scratch.withDir("syncfs-folders") { root in
            let batch = Self.quietBatch()
            // Made by the batch: each parent's file system known from its descriptor.
            for i in 0..<FileSystemSync.threshold { try batch.makeDirectories(root + "/made\(i)/inner") }
            try batch.syncDirectories()
            #expect(batch.fileSystems.fileSystemSyncs == 1)
            #expect(batch.fileSystems.itemSyncs == 0)
            // Noted by a caller (a rename it made): found by opening each.
            for i in 0..<FileSystemSync.threshold { batch.note(root + "/made\(i)") }
            try batch.syncDirectories()
            #expect(batch.fileSystems.fileSystemSyncs == 2)
            #expect(batch.fileSystems.itemSyncs == 0)
        }
    }

    /// A backlog of other writers' data waiting (90,000 files just copied
    /// into outboxes): a syncfs would wait for all of it, so even a large
    /// round keeps its fsyncs.
    @Test func veryMuchDirtyDataOnTheMachineKeepsTheFsyncs() throws {
        try Scratch.withDir("syncfs-dirty") { root in
            let batch = Self.quietBatch()
            batch.fileSystems.dirtyBytes = { FileSystemSync.dirtyLimit + 1 }
            try Self.stageFiles(batch, in: root, count: FileSystemSync.threshold * 2)
            try batch.publishStaged()
            #expect(batch.fileSystems.fileSystemSyncs == 0)
            #expect(batch.fileSystems.itemSyncs == FileSystemSync.threshold * 2)
        }
    }

    /// Between the bounds the machine-wide figure cannot say whose data
    /// waits: the syncfs is taken, and one that was slow keeps that file
    /// system on fsyncs while the machine stays busy, for a while.
    @Test func aSlowSyncfsWhileTheMachineIsBusyBacksOffForAWhile() throws {
        try Scratch.withDir("syncfs-slow") { root in
            var clock = 1000.0
            let slow = SlowFileSystems()
            slow.now = { clock }
            var dirty = FileSystemSync.quietDirty + 1
            func round(_ name: String) throws -> SyncBatch {
                let batch = Self.quietBatch()
                batch.fileSystems.dirtyBytes = { dirty }
                batch.fileSystems.slow = slow
                batch.fileSystems.slowSyncfs = 0  // every syncfs here counts as slow
                try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: false)
                try Self.stageFiles(batch, in: root + "/" + name, count: FileSystemSync.threshold)
                try batch.publishStaged()
                return batch
            }
            // Busy, nothing known yet: the syncfs, found slow.
            #expect(try round("a").fileSystems.fileSystemSyncs == 1)
            // Busy and known slow: the fsyncs.
            let backedOff = try round("b")
            #expect(backedOff.fileSystems.fileSystemSyncs == 0)
            #expect(backedOff.fileSystems.itemSyncs == FileSystemSync.threshold)
            // Quiet again: the syncfs can only wait for the batch's own files.
            dirty = 0
            #expect(try round("c").fileSystems.fileSystemSyncs == 1)
            // Busy again, the back-off not over: the fsyncs; once over, the syncfs is tried again.
            dirty = FileSystemSync.dirtyLimit
            #expect(try round("d").fileSystems.fileSystemSyncs == 0)
            clock += SlowFileSystems.backOff + 1
            #expect(try round("e").fileSystems.fileSystemSyncs == 1)
            #expect(Scratch.list(root + "/e").count == FileSystemSync.threshold)
        }
    }

    @Test func dirtyBytesAreReadFromMeminfo() {
        let text = "MemTotal:       24683584 kB\nDirty:              1204 kB\nWriteback:            16 kB\nAnonPages: 1 kB\n"
        #expect(FileSystemSync.dirtyBytes(meminfo: Array(text.utf8)[...]) == (1204 + 16) * 1024)
        #expect(FileSystemSync.dirtyBytes(meminfo: Array("Dirty: x kB\nWriteback: 0 kB\n".utf8)[...]) == nil)
        #expect(FileSystemSync.dirtyBytes(meminfo: Array("MemTotal: 1 kB\n".utf8)[...]) == nil)
        #expect(FileSystemSync.systemDirtyBytes() < Int.max, "this machine's /proc/meminfo did not parse")
    }

    /// The claim's order: copies written, then a round for the renames'
    /// folders. A syncfs there wrote the copies too; publishing them needs
    /// no round of its own.
    @Test func filesStagedBeforeASyncOfTheirFileSystemAreNotSyncedAgain() throws {
        try Scratch.withDir("syncfs-covered") { root in
            let batch = Self.quietBatch()
            try Self.stageFiles(batch, in: root, count: 3)
            for i in 0..<FileSystemSync.threshold { try batch.makeDirectories(root + "/q\(i)/files") }
            try batch.syncDirectories()
            #expect(batch.fileSystems.fileSystemSyncs == 1)
            try batch.publishStaged()
            #expect(batch.fileBarriers == 0, "the copies' data was on disk already")
            #expect(batch.fileSystems.itemSyncs == 0)
            // Staged after the sync: synced as usual.
            try Self.stageFiles(batch, in: root + "/q0", count: 2)
            try batch.publishStaged()
            #expect(batch.fileBarriers == 1)
            #expect(batch.fileSystems.itemSyncs == 2)
        }
    }

    /// Two folders whose names differ only in Unicode form (a Mac client's
    /// NFD beside a Windows client's NFC) are two folders to make durable:
    /// a set of Strings once took them for one, and the second was never
    /// synced.
    @Test func theNFCAndNFDSpellingsOfAFolderAreBothSynced() throws {
        try Scratch.withDir("syncfs-nfd") { root in
            let nfc = root + "/H\u{1ED3} s\u{01A1}", nfd = root + "/Ho\u{0302}\u{0300} so\u{031B}"
            #expect(nfc == nfd, "Swift compares them equal; their bytes differ")
            let batch = SyncBatch()
            try batch.makeDirectories(nfc)
            try batch.makeDirectories(nfd)
            try Self.stageFiles(batch, in: nfc, count: 1)
            try Self.stageFiles(batch, in: nfd, count: 1)
            try batch.publishStaged()
            try batch.syncDirectories()
            // Two files, then three folders: root (both mkdirs), and each spelling.
            #expect(batch.fileSystems.itemSyncs == 5)
            #expect(Scratch.list(root).count == 2)
        }
    }

    @Test func aFileSystemOutsideTheListKeepsAnFsyncPerFile() throws {
        // /dev/shm is a tmpfs on Debian; tmpfs is not in the list (its sync
        // is free either way, but it stands for NFS, CIFS and FUSE here).
        try #require(lt_filesystem_type("/dev/shm") == Self.tmpfsMagic, "this test needs /dev/shm to be a tmpfs")
        let dir = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                              appropriateFor: URL(fileURLWithPath: "/dev/shm"), create: true).path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #require(lt_filesystem_type(dir) == Self.tmpfsMagic, "the scratch folder \(dir) is not on /dev/shm")
        let batch = SyncBatch()
        try Self.stageFiles(batch, in: dir, count: FileSystemSync.threshold * 2)
        try batch.publishStaged()
        #expect(batch.fileSystems.fileSystemSyncs == 0)
        #expect(batch.fileSystems.itemSyncs == FileSystemSync.threshold * 2)
    }

    @Test func theListIsTheLocalJournalingFileSystems() {
        let listed = FileSystemSync.wholeSyncFileSystems
        #expect(listed.contains(0xEF53) && listed.contains(0x5846_5342) && listed.contains(0x9123_683E))  // ext4, XFS, btrfs
        // NFS, CIFS, SMB2, FUSE, overlayfs, tmpfs
        for other in [0x6969, 0xFF53_4D42, 0xFE53_4D42, 0x6573_5546, 0x794C_7630, Self.tmpfsMagic] { #expect(!listed.contains(other)) }
    }

    @Test func theBatchKeepsOneDescriptorPerFileSystemAndClosesIt() throws {
        try Scratch.withDir("syncfs-fds") { root in
            var kept: [(fd: Int32, inode: ino_t)] = []
            do {
                let batch = Self.quietBatch()
                try Self.stageFiles(batch, in: root, count: 40)
                kept = batch.fileSystems.keptDescriptors.map { fd in
                    var st = stat()
                    fstat(fd, &st)
                    return (fd, st.st_ino)
                }
                #expect(kept.count == 1, "one kept for the file system, none per file")
                try batch.publishStaged()
                try batch.syncDirectories()
            }
            // Closed: the number is free, or (tests run in parallel) now another file's.
            for k in kept {
                var st = stat()
                #expect(fstat(k.fd, &st) != 0 || st.st_ino != k.inode, "descriptor \(k.fd) still open after the batch")
            }
        }
    }

    /// The fsyncs of a small round are issued together: every item is
    /// synced even when one fails, and the error thrown is the first
    /// failing item's in the round's order, whichever thread met it first.
    @Test func theFsyncsOfARoundAreAllIssuedAndTheFirstFailureInOrderIsThrown() throws {
        struct Failed: Error, Equatable { let item: Int }
        let seen = Mutex<Set<Int>>([])
        #expect(throws: Failed(item: 1)) {
            try FileSystemSync.fsyncTogether(Array(0..<5)) { item in
                seen.withLock { _ = $0.insert(item) }
                if item == 1 || item == 3 { throw Failed(item: item) }
            }
        }
        #expect(seen.withLock { $0 } == [0, 1, 2, 3, 4])
        // Real folders, each fsynced once.
        try Scratch.withDir("syncfs-together") { root in
            let folders = (0..<3).map { root + "/d\($0)" }
            for f in folders { try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: false) }
            let batch = SyncBatch()
            for f in folders { batch.note(f) }
            try batch.syncDirectories()
            #expect(batch.fileSystems.itemSyncs == 3 && batch.fileSystems.fileSystemSyncs == 0)
        }
    }
}
