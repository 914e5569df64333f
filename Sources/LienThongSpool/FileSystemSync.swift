import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a `SyncBatch` barrier reaches the disk on each file system: one
/// syncfs(2) for a round that touches many files or folders there, or an
/// fsync per file and folder for a small round.
///
/// Why: each fsync on ext4 ends in its own cache flush even when the journal
/// commit it needs is already done, so a batch of 40 submissions paid about
/// 350 of them. One syncfs writes out the whole file system and flushes
/// once; measured on a journaled ext4 here, 250 new small files took 17 ms
/// with one syncfs against 60 ms with an fsync each, 64 files 5.4 against
/// 14.5 ms.
///
/// Why not always: syncfs also writes out every other dirty page of that
/// file system, a clerk's upload in progress included, so a quiet gateway
/// (one or two submissions per round) keeps the per-file fsyncs and never
/// waits for someone else's data; only a round of `threshold` or more items
/// on one file system, a burst, takes the whole-file-system sync, where it
/// is the cheaper wait — and only while it does not wait for much of
/// anyone else's data (`dirtyLimit`, `SlowFileSystems`). And only on local
/// journaling file systems known to
/// make everything durable in `sync_fs` (ext4, XFS, btrfs): on NFS, CIFS,
/// FUSE and the rest a barrier stays an fsync per item.
///
/// Errors: syncfs reports a writeback error of the file system that
/// happened since the descriptor it is given was opened. So each file
/// system's descriptor is taken when the batch first writes there — a
/// duplicate of the first staged file's own descriptor, opened before its
/// data was written — and an I/O error on any file of the batch fails the
/// barrier as an fsync would (the batch is abandoned and tried again). An
/// error of an unrelated file on the same file system fails it too: the
/// retry then succeeds, nothing is counted that was not on disk.
final class FileSystemSync {
    /// Items (files or folders) of one round on one file system from which
    /// one syncfs replaces their fsyncs. Measured on the bench's loop ext4
    /// (new 2.5 KB files and their folder, quiet machine): 2 items 0.64 ms
    /// by fsyncs against 0.91 by a syncfs, 3 items 1.22 against 1.14,
    /// 4 items 2.49 against 1.18, 9 items 6.23 against 1.51. At 200
    /// submissions a second a turn's rounds are of a few items each; with
    /// 8 here they took the fsyncs, 3.9 ms of waiting per submission.
    static let threshold = 4

    private struct Volume {
        let fd: Int32
        let path: String
        let syncsWhole: Bool
    }

    private var volumes: [UInt64: Volume] = [:]
    /// Tests: treat every file system as one that syncfs makes durable
    /// (tmpfs then counts its no-op syncfs), to test the mechanism anywhere.
    var wholeSyncOnAnyFileSystem = false
    /// The machine's data waiting to be written (tests give their own).
    var dirtyBytes: () -> Int = FileSystemSync.systemDirtyBytes

    /// A syncfs also writes out everything else dirty on the file system
    /// (clerks' uploads, a backlog just copied in), and the loop waits for
    /// it. The page cache keeps no count per file system that a service can
    /// read (only debugfs has one), so the machine's (Dirty + Writeback,
    /// /proc/meminfo) is read and the syncfs itself measured:
    /// - at most `quietDirty` waiting: a syncfs can wait for little but the
    ///   batch's own files; it is taken.
    /// - above `dirtyLimit`: never; at disk speed that much is a long wait.
    /// - in between, the figure cannot tell whose data it is: a build or a
    ///   backup on another disk does not slow a syncfs of the spool, a
    ///   clerk's upload to the spool's disk does. The syncfs is taken unless
    ///   one on that file system took longer than `slowSyncfs` in the last
    ///   `SlowFileSystems.backOff` seconds while the machine was this busy.
    /// Measured on the bench's loop ext4: a `swift build` on the root disk
    /// kept Dirty above 16 MiB for half a minute; with 16 MiB as the only
    /// bound every round then took the fsyncs. With 40 MiB of another
    /// disk's data waiting: 239 and 277 detached reports a second that way,
    /// 338 and 372 with the syncfs.
    static let quietDirty = 16 << 20
    static let dirtyLimit = 64 << 20
    /// A syncfs of a round of the daemon's own files took 1-20 ms there
    /// (250 new files 5-17 ms); one ten times longer waited for others' data.
    var slowSyncfs = 0.1
    /// Where slow syncfs calls are remembered (tests give their own).
    var slow = SlowFileSystems.shared

    /// Dirty + Writeback of /proc/meminfo in bytes; Int.max when unreadable
    /// (then the fsyncs, which wait for nobody else's data).
    static func systemDirtyBytes() -> Int {
        let fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .max }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return .max }
        return dirtyBytes(meminfo: buffer[..<n]) ?? .max
    }

    /// The "Dirty:" and "Writeback:" lines (kB) of a /proc/meminfo text.
    static func dirtyBytes(meminfo: ArraySlice<UInt8>) -> Int? {
        var found: [Int] = []
        for line in meminfo.split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("Dirty:") || text.hasPrefix("Writeback:") else { continue }
            let fields = text.split(separator: " ")
            guard fields.count >= 2, let kB = Int(fields[1]) else { return nil }
            found.append(kB * 1024)
        }
        return found.count == 2 ? found[0] + found[1] : nil
    }

    /// Calls made, read by tests and the profile: syncfs per file system,
    /// fsync per file or folder.
    private(set) var fileSystemSyncs = 0
    private(set) var itemSyncs = 0

    deinit { release() }

    /// The descriptors kept, one per file system (tests).
    var keptDescriptors: [Int32] { volumes.values.map(\.fd) }

    /// ext2/3/4 (one superblock magic), XFS, btrfs.
    static let wholeSyncFileSystems: Set<Int> = [0xEF53, 0x5846_5342, 0x9123_683E]

    /// The file system of the open `fd` (at `path`, for messages), taken
    /// into the batch with a descriptor of its own the first time.
    func device(of fd: Int32, path: String) throws -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SpoolError("fstat", path) }
        let device = UInt64(st.st_dev)
        if volumes[device] == nil {
            // A duplicate shares the open file, and with it the moment from
            // which syncfs reports errors: before this file's data.
            let kept = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard kept >= 0 else { throw SpoolError("keep a descriptor of the file system of", path) }
            let type = lt_filesystem_type_fd(kept)
            volumes[device] = Volume(fd: kept, path: path,
                                     syncsWhole: wholeSyncOnAnyFileSystem || Self.wholeSyncFileSystems.contains(Int(type)))
        }
        return device
    }

    /// Makes `items` durable: one syncfs for each file system with
    /// `threshold` or more of them where that is allowed, `fsyncOne` for
    /// the rest. `device` (which may open the item to find it) is asked
    /// only in a round large enough to gain from it. Returns the file
    /// systems synced whole: everything written there before is on disk.
    @discardableResult
    func sync<Item>(_ items: [Item], device: (Item) throws -> UInt64, fsyncOne: (Item) throws -> Void) throws -> Set<UInt64> {
        let dirty = items.count >= Self.threshold ? dirtyBytes() : 0
        guard items.count >= Self.threshold, dirty <= Self.dirtyLimit else {
            try Self.fsyncTogether(items, fsyncOne)
            itemSyncs += items.count
            return []
        }
        let busy = dirty > Self.quietDirty
        var whole: Set<UInt64> = []
        var byDevice: [UInt64: [Item]] = [:]
        var order: [UInt64] = []
        for item in items {
            let d = try device(item)
            if byDevice[d] == nil { order.append(d) }
            byDevice[d, default: []].append(item)
        }
        for d in order {
            let group = byDevice[d] ?? []
            if group.count >= Self.threshold, let volume = volumes[d], volume.syncsWhole, !(busy && slow.isSlow(d)) {
                let (result, seconds) = SyncTally.timed(wholeFileSystem: true) { lt_syncfs(volume.fd) }
                guard result == 0 else {
                    throw SpoolError("syncfs (\(group.count) files and folders at once) of the file system holding", volume.path)
                }
                if busy, seconds > slowSyncfs { slow.noteSlow(d) }
                fileSystemSyncs += 1
                whole.insert(d)
            } else {
                try Self.fsyncTogether(group, fsyncOne)
                itemSyncs += group.count
            }
        }
        return whole
    }

    /// The fsyncs of one round, issued at the same time rather than one
    /// after the other. On a journaling file system each waits for the
    /// commit of the transaction holding its item's change; in turn, while
    /// the other thread keeps changing the file system, every fsync found a
    /// new transaction to commit (three folders: three commits), where
    /// issued together they wait for one. Measured on the bench's ext4 with
    /// another thread renaming files meanwhile (scripts/bench/fsync-together.c):
    /// six folders 5.6 ms one after the other, 2.3 ms together; three 2.4
    /// and 1.7. Every item is still fsynced; the first error in the items'
    /// order is thrown once all have returned.
    static func fsyncTogether<Item>(_ items: [Item], _ fsyncOne: (Item) throws -> Void) throws {
        guard items.count > 1 else {
            for item in items { try fsyncOne(item) }
            return
        }
        let failures = FailureList(count: items.count)
        // The callers' closures only read (a path, a staged file's name) and
        // open what they sync through TrustedPath, which is thread-safe.
        nonisolated(unsafe) let each = fsyncOne, list = items
        DispatchQueue.concurrentPerform(iterations: list.count) { i in
            do { try each(list[i]) } catch { failures.set(i, error) }
        }
        if let first = failures.first { throw first }
    }

    /// Errors of `fsyncTogether`, by item.
    private final class FailureList: @unchecked Sendable {
        private let lock = NSLock()
        private var errors: [(any Error)?]
        init(count: Int) { errors = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ error: any Error) { lock.withLock { errors[i] = error } }
        var first: (any Error)? { lock.withLock { errors.lazy.compactMap { $0 }.first } }
    }

    /// Closes the kept descriptors (the batch is done or abandoned).
    func release() {
        for v in volumes.values { close(v.fd) }
        volumes = [:]
    }
}

/// File systems where a syncfs recently waited for others' data
/// (`FileSystemSync.slowSyncfs`): their rounds take the fsyncs for
/// `backOff` seconds while the machine is busy writing, then a syncfs is
/// tried again. Remembered for the process, across batches.
final class SlowFileSystems: @unchecked Sendable {
    static let shared = SlowFileSystems()
    /// Long enough that a slow syncfs costs little of the time, short
    /// enough that an upload that is over stops costing fsyncs soon.
    static let backOff = 60.0

    private let lock = NSLock()
    private var until: [UInt64: Double] = [:]
    /// Seconds on a monotonic clock (tests give their own).
    var now: () -> Double = SyncTally.monotonic

    func isSlow(_ device: UInt64) -> Bool {
        lock.withLock { (until[device] ?? -.infinity) > now() }
    }

    func noteSlow(_ device: UInt64) {
        let t = now() + Self.backOff
        lock.withLock { until[device] = t }
    }
}
