import Foundation
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

/// Descriptors of spool folders that only the daemon can change, kept so
/// that a guarded walk to a path below one starts there instead of at the
/// spool root. Claiming, sealing and filing one submission walk some fifty
/// paths, six to eight `openat` each: most of the daemon's system calls
/// under load (`make bench`, strace).
///
/// Which folders: any below a spool root, but only when every folder from
/// the spool root down to the folder's parent belongs to the daemon's user
/// and is writable by nobody else. Nobody but the daemon (and root) can then
/// rename, replace or plant a link where such a folder is, so its
/// descriptor names the folder its path names. Clerks write as their own
/// users (Samba's shares force the group, never the user), so a folder
/// they can write in — an outbox, an inbox, anything dropped — is never
/// private and never remembered, nor anything below it: each batch opens
/// it and what is below it again without following links (and sees a
/// file system mounted there since), and keeps it only until the batch
/// ends (`FolderHold`, TrustedFolderCache+Holds.swift). `units/`,
/// `units/<id>/` and `receipts/` are the daemon's alone and remembered like `queue/` and
/// `archive/`: a walk to a unit's outbox or receipts began at the spool
/// root, eight system calls each, some twenty walks a submission (make
/// bench, perf). The daemon's own renames and removals go through
/// `TrustedPath`, which forgets every folder they touch; a folder removed behind its back
/// (no links left) is forgotten when next used. Whether a folder is private
/// is read when it is remembered: an operator who moves spool folders or
/// changes their modes by hand stops the daemon first (README), as for any
/// restore; the daemon itself makes clerks' folders with their mode from
/// the mkdir on (`SpoolLayout.create`), never private for a moment.
final class TrustedFolderCache: @unchecked Sendable {
    static let shared = TrustedFolderCache()
    /// Folders kept at most (the oldest half is closed when full).
    let capacity: Int

    /// A quarter of the descriptors the process may open, from 256 (a
    /// service's default soft limit of 1,024, not raised) to 4,096 (the
    /// daemon raises it at start, `DescriptorLimit`). Enough for the
    /// private folders a busy spool uses again: the two of each of a
    /// thousand units and the queue folders of a turn's claims (512), kept
    /// from claim to filing. At 256 a burst evicted them all before their
    /// next use: every remembered folder was opened, duplicated and closed
    /// again for nothing, 8 % of the loop's CPU (perf, 1,000 reports on tmpfs).
    static func defaultCapacity() -> Int {
        min(4096, max(256, DescriptorLimit.soft / 4))
    }

    init(capacity: Int = TrustedFolderCache.defaultCapacity()) {
        self.capacity = max(2, capacity)
        holdCapacity = Self.holdCapacity(softLimit: DescriptorLimit.soft)
    }

    /// A remembered folder is itself the daemon's alone (`remember`): a
    /// walk that starts there may remember what it opens below it.
    private struct Entry {
        var fd: Int32
        var used: UInt64
    }

    private let lock = NSLock()
    /// By the path's exact bytes: the NFC and NFD spellings of one folder
    /// name are two folders, which String keys would take for one.
    private var entries: [PathKey: Entry] = [:]
    /// The tree of remembered folders: for each path above one, its
    /// children that are remembered or lead to one. Forgetting a folder (on
    /// each of the daemon's renames and removals) walks down from it instead
    /// of comparing against every entry. A remembered folder is linked into
    /// its parent's set, and the parent upward only until a path already
    /// linked: one or two lookups, where indexing every ancestor (those above
    /// the spool root too) cost some 25,000 instructions a folder (make profile).
    private var children: [PathKey: Set<PathKey>] = [:]
    /// Remembered descriptors lent out (`borrow`) and not yet given back:
    /// how many loans, and whether the folder was forgotten or evicted
    /// meanwhile (then it is closed when the last loan comes back, so no
    /// borrower ever holds a closed, or reused, descriptor number).
    private var loans: [Int32: (count: Int, dropped: Bool)] = [:]
    private var tick: UInt64 = 0
    private let uid = geteuid()

    /// Whether folders on this walk may be remembered at all.
    static func eligible(_ walk: TrustedPath.Walk) -> Bool {
        walk.guarded && walk.count > 0
    }

    /// A folder owned by the daemon's user and writable by nobody else.
    func isPrivate(_ fd: Int32) -> Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && st.st_uid == uid && st.st_mode & 0o022 == 0
    }

    /// The deepest remembered folder among the first `count` components of
    /// `walk`: a new descriptor of it (the caller's to close) and how many
    /// components it stands for.
    func start(_ walk: TrustedPath.Walk, count: Int) -> (fd: Int32, depth: Int)? {
        guard let (key, lent, depth) = lend(walk, count: count) else { return nil }
        defer { giveBack(lent) }
        // A new open file description, not a dup: the caller may list
        // the folder (fdopendir), and a shared offset would leave the
        // next listing empty.
        let fd = openat(lent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard Self.isLinked(fd) else {
            close(fd)
            forgetRemoved(key)
            return nil
        }
        return (fd, depth)
    }

    /// `start` without a new descriptor: the remembered one itself, lent
    /// until `giveBack`. For a walk whose caller only names things in the
    /// folder (`openat`, `renameat`, `fsync`...), never lists or closes it:
    /// two system calls fewer (`perf stat`, 1,000 reports on tmpfs: 843-849 K
    /// system calls without loans, 792 K with them).
    func borrow(_ walk: TrustedPath.Walk, count: Int) -> (fd: Int32, depth: Int)? {
        guard let (key, fd, depth) = lend(walk, count: count) else { return nil }
        guard Self.isLinked(fd) else {
            giveBack(fd)
            forgetRemoved(key)
            return nil
        }
        return (fd, depth)
    }

    /// The deepest remembered folder among the first `count` components of
    /// `walk`, marked used and lent (`giveBack`): its key, descriptor and
    /// depth. Whether it is still there is the caller's to check, outside
    /// the lock (`isLinked`).
    private func lend(_ walk: TrustedPath.Walk, count: Int) -> (PathKey, Int32, Int)? {
        guard count > 0, Self.eligible(walk) else { return nil }
        return locked {
            for depth in stride(from: count, to: 0, by: -1) {
                // The key is a slice of the walk's own bytes: nothing built per depth.
                let key = PathKey(walk.pathBytes(depth))
                guard let index = entries.index(forKey: key) else { continue }
                tick += 1
                entries.values[index].used = tick  // by index: no second lookup
                let fd = entries.values[index].fd
                loans[fd, default: (0, false)].count += 1
                return (key, fd, depth)
            }
            return nil
        }
    }

    /// Whether the folder still has a name: one removed behind the
    /// daemon's back (no links left) must not be walked from, or what is
    /// made in it is lost.
    private static func isLinked(_ fd: Int32) -> Bool {
        var st = stat()
        return fstat(fd, &st) == 0 && st.st_nlink > 0
    }

    /// Forgets a remembered folder found removed (and what was below it,
    /// gone too): the walk then starts at the root.
    private func forgetRemoved(_ key: PathKey) {
        locked { forgetLocked(key) }
    }

    /// Ends a loan of `borrow`.
    func giveBack(_ fd: Int32) {
        locked {
            guard var loan = loans[fd] else { return }
            loan.count -= 1
            if loan.count > 0 { loans[fd] = loan; return }
            loans[fd] = nil
            if loan.dropped { released.append(fd) }
        }
    }

    /// Descriptors let go under the lock, closed once it is released.
    private var released: [Int32] = []

    /// The holds open now, one per thread in a batch (`holding`).
    var holds: [FolderHold] = []
    /// Folders one hold keeps at most (`holdCapacity(softLimit:)`).
    let holdCapacity: Int

    /// Runs `body` under the lock, then closes the descriptors it let go.
    /// No system call is made while the lock is held: the loop and the
    /// filing threads all walk the spool, and a fstat, openat or close
    /// under the lock made each wait for the other (futex waits and wakes
    /// were 6 % of the daemon's CPU on tmpfs, perf).
    func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        let result = body()
        let closing = released
        if !closing.isEmpty { released = [] }
        lock.unlock()
        for fd in closing { close(fd) }
        return result
    }

    /// Lets go of a remembered descriptor no longer in `entries` (closed
    /// when the lock is released), or, while it is lent, leaves that to
    /// the last `giveBack`.
    private func closeLocked(_ fd: Int32) {
        if loans[fd] != nil { loans[fd]?.dropped = true } else { released.append(fd) }
    }

    /// /proc/self/mountinfo, polled for changes of the mount table (-1
    /// where there is no /proc: nothing is then known to change).
    private let mountTable = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)

    deinit { if mountTable >= 0 { close(mountTable) } }

    /// Forgets every remembered folder when anything was mounted or
    /// unmounted since the last call: a file system mounted over a
    /// remembered folder (an archive disk, a unit's folder on a share's own
    /// disk) is what its path names from then on, not the folder the
    /// descriptor holds. One poll(2); true when it forgot.
    func forgetAllIfMountsChanged() -> Bool {
        guard mountTable >= 0 else { return false }
        var p = pollfd(fd: mountTable, events: Int16(POLLPRI), revents: 0)
        guard poll(&p, 1, 0) > 0, p.revents & Int16(POLLPRI | POLLERR) != 0 else { return false }
        locked {
            for entry in entries.values { closeLocked(entry.fd) }
            entries = [:]
            children = [:]
            forgetAllHeldLocked()
        }
        return true
    }

    /// Descriptors lent now, and those among them already forgotten (tests).
    var loanCounts: (lent: Int, dropped: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (loans.count, loans.values.filter(\.dropped).count)
    }

    /// Remembers the folder `fd` stands for: the first `depth` components of
    /// `walk`, a folder that is the daemon's alone, reached through folders
    /// that are all the daemon's alone (the caller checked, `isPrivate`).
    func remember(_ walk: TrustedPath.Walk, depth: Int, fd: Int32) {
        let slice = PathKey(walk.pathBytes(depth))
        guard locked({ entries[slice] == nil }) else { return }
        // Its own descriptor, duplicated outside the lock.
        let own = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard own >= 0 else { return }
        locked {
            // The other thread remembered it meanwhile: keep that one.
            guard entries[slice] == nil else { released.append(own); return }
            // Its own bytes: a slice would keep the whole walk's buffer alive.
            let key = PathKey(ArraySlice(Array(slice.bytes)))
            if entries.count >= capacity { evictOldestHalfLocked() }
            tick += 1
            let linked = children[key] != nil  // a folder below it is remembered: linked already
            entries[key] = Entry(fd: own, used: tick)
            if !linked { linkLocked(key) }
        }
    }

    /// Puts `key` into its parent's set, and the parent into its own, up to
    /// the first path that was linked already (a remembered folder, or one
    /// with remembered folders below it).
    private func linkLocked(_ key: PathKey) {
        var key = key
        while let parent = Self.parent(key) {
            let wasLinked = children[parent] != nil || entries[parent] != nil
            children[parent, default: []].insert(key)
            if wasLinked { return }
            key = parent
        }
    }

    /// Takes `key` out of its parent's set once nothing keeps it there (not
    /// remembered, nothing remembered below), and the parent likewise.
    private func unlinkLocked(_ key: PathKey) {
        var key = key
        while entries[key] == nil, children[key] == nil, let parent = Self.parent(key) {
            children[parent]?.remove(key)
            guard children[parent]?.isEmpty == true else { return }
            children[parent] = nil
            key = parent
        }
    }

    /// The folder holding `key` (`/a/b` for `/a/b/c`), by bytes; nil for a
    /// path with no folder above it.
    static func parent(_ key: PathKey) -> PathKey? {
        guard let slash = key.bytes.lastIndex(of: UInt8(ascii: "/")), slash > key.bytes.startIndex else { return nil }
        return PathKey(key.bytes[..<slash])
    }

    /// Forgets `path` and every folder below it (it was renamed or removed).
    func forget(_ path: String) {
        forget(TrustedPath.walk(path))
    }

    /// `forget` for a path already walked.
    func forget(_ w: TrustedPath.Walk) {
        guard Self.eligible(w) else { return }
        locked { forgetLocked(PathKey(w.pathBytes(w.count))) }
    }

    private func forgetLocked(_ key: PathKey) {
        // Anything remembered at or below `key` is linked into the set of
        // `key`'s parent (`linkLocked`): where it is not, there is nothing
        // to close or unlink. Most forgets are of files (every rename
        // forgets both its paths): two lookups instead of some seven.
        if Self.parent(key).map({ children[$0]?.contains(key) == true }) ?? true {
            closeTreeLocked(key)
            unlinkLocked(key)
        }
        forgetHeldLocked(key)
    }

    /// Closes `key` and every remembered folder below it, and drops their links.
    private func closeTreeLocked(_ key: PathKey) {
        if let entry = entries.removeValue(forKey: key) { closeLocked(entry.fd) }
        guard let below = children.removeValue(forKey: key) else { return }
        for k in below { closeTreeLocked(k) }
    }

    /// Closes one remembered folder (evicted); what is below it stays.
    private func removeLocked(_ key: PathKey) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        closeLocked(entry.fd)
        unlinkLocked(key)
    }

    /// Whether the folder `path` is remembered now (for tests).
    func isRemembered(_ path: String) -> Bool {
        let w = TrustedPath.walk(path)
        lock.lock()
        defer { lock.unlock() }
        return entries[PathKey(w.pathBytes(w.count))] != nil
    }

    /// How many paths the tree of remembered folders holds (for tests: it
    /// empties when every folder is forgotten).
    var linkedPaths: Int {
        lock.lock()
        defer { lock.unlock() }
        return children.count
    }

    /// The ticks sorted, not the entries: sorting (key, entry) pairs by a
    /// closure cost more than the rest of a remember.
    private func evictOldestHalfLocked() {
        let cut = entries.values.map(\.used).sorted()[entries.count / 2]
        for (k, e) in entries where e.used < cut { removeLocked(k) }
    }

}

/// A folder's path in `TrustedFolderCache`: its exact bytes, compared and
/// hashed as bytes (never as a String, which merges NFC and NFD). A slice,
/// so a lookup keys on the walk's own bytes without copying them.
struct PathKey: Hashable {
    let bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    static func == (a: PathKey, b: PathKey) -> Bool {
        a.bytes.count == b.bytes.count && a.bytes.withUnsafeBytes { x in
            b.bytes.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
