import Foundation
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

/// Decides when a dropped entry (a file or a folder at the top of an outbox)
/// is complete: `settle` seconds with no event and no size change. SMB
/// clients may keep old mtimes and close and reopen while copying, so the
/// test is "quiet and unchanged", never mtime age.
public final class SettleTracker {
    /// Identified by the exact bytes of its path: Swift's String equality is
    /// canonical equivalence, and the NFC and NFD forms of one name (a Mac
    /// client beside a Windows one) are two entries, settled and claimed
    /// each on its own.
    public struct Entry: Hashable, Sendable {
        /// The watched drop folder (an outbox).
        public var root: String
        /// The top-level name inside it.
        public var name: String
        public var path: String { root + "/" + name }
        public init(root: String, name: String) {
            self.root = root
            self.name = name
        }

        /// By bytes, in one memcmp each (`hasSameBytes`).
        public static func == (a: Entry, b: Entry) -> Bool {
            a.name.hasSameBytes(as: b.name) && a.root.hasSameBytes(as: b.root)
        }

        public func hash(into hasher: inout Hasher) {
            var root = root, name = name
            root.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(0 as UInt8)
            name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    private struct Pending {
        var lastActivity: Date
        var fingerprint: Fingerprint?
    }

    /// What settling compares: a file's inode, size and change time, or a
    /// folder tree's entry count, total size and latest change time. Numbers,
    /// not the text they were once joined into (four integers formatted on
    /// every event, make profile).
    public struct Fingerprint: Equatable, Sendable {
        public var isFolder: Bool
        var count: UInt64
        var size: Int64
        var changed: Int
        var changedNanoseconds: Int

        /// When the change it records was made, by the kernel's clock: a
        /// file's change time, a folder tree's latest (nil for an empty one:
        /// nothing in it says when).
        var changedAt: Date? {
            if isFolder { return count == 0 ? nil : Date(timeIntervalSince1970: Double(changed) / 1e9) }
            return Date(timeIntervalSince1970: Double(changed) + Double(changedNanoseconds) / 1e9)
        }
    }

    public var settle: Double
    /// The drop folders, by their paths' exact bytes (like `Entry`: a
    /// folder dropped under the NFD spelling of a group folder's name is not
    /// that group folder).
    private var rootSet: Set<FileName> = []
    private var pending: [Entry: Pending] = [:]
    /// The pending names of each drop folder: the pairing asks for one
    /// folder's names on every decision, and walking every pending entry of
    /// every folder for that is quadratic when 100,000 files wait at start.
    /// By the folder's bytes, as `rootSet`.
    private var namesByRoot: [FileName: Set<Entry>] = [:]

    /// Counts every change of `pending` (an entry added, touched or gone):
    /// what is derived from the pending entries (the pairing's index of
    /// their identities, TwinLookout) is still right while it is unchanged.
    public private(set) var version: UInt64 = 0

    /// The one place `pending` changes, so `namesByRoot` always agrees.
    private func set(_ entry: Entry, _ state: Pending?) {
        version &+= 1
        if let state {
            if pending.updateValue(state, forKey: entry) == nil { namesByRoot[FileName(entry.root), default: []].insert(entry) }
        } else if pending.removeValue(forKey: entry) != nil {
            let root = FileName(entry.root)
            namesByRoot[root]?.remove(entry)
            if namesByRoot[root]?.isEmpty == true { namesByRoot[root] = nil }
        }
    }

    public init(settle: Double) { self.settle = settle }

    public func register(root: String) {
        // Drop folders may nest (the office's group folders are in
        // office/outbox/): `entry` finds the most specific.
        rootSet.insert(FileName(root))
    }

    public func unregister(root: String) {
        rootSet.remove(FileName(root))
        version &+= 1
        pending = pending.filter { !$0.key.root.hasSameBytes(as: root) }
        namesByRoot[FileName(root)] = nil
    }

    /// Maps an event in `directory` on `name` to the top-level entry it
    /// belongs to, or nil when it is outside every drop folder.
    ///
    /// By the folder's parents, deepest first, each looked up in the set of
    /// roots (the most specific root wins: drop folders may nest), not by a
    /// scan of every root: a province has a thousand outboxes and every
    /// inotify event comes here.
    public func entry(forEventIn directory: String, name: String) -> Entry? {
        let bytes = Array(directory.utf8)
        if rootSet.contains(FileName(bytes: bytes)) { return name.isEmpty ? nil : Entry(root: directory, name: name) }
        var end = bytes.count
        while let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")), slash > 0 {
            if rootSet.contains(FileName(bytes: Array(bytes[..<slash]))) {
                let top = bytes[(slash + 1)...].prefix { $0 != UInt8(ascii: "/") }
                return Entry(root: String(decoding: bytes[..<slash], as: UTF8.self), name: String(decoding: top, as: UTF8.self))
            }
            end = slash
        }
        return nil
    }

    /// Records an event on the entry: it must now stay quiet and unchanged
    /// for `settle` from the change (`quietSince`). Its fingerprint is taken
    /// now to compare at the deadline.
    ///
    /// A folder already settling keeps the fingerprint it had: walking the
    /// whole tree on every event of a big copy is quadratic and stalls the
    /// loop. The older fingerprint can only differ more from the one taken at
    /// the deadline, which restarts settling once more: never early, at
    /// worst one more `settle` for a folder.
    public func noteActivity(_ entry: Entry, now: Date) {
        // A drop folder inside another (a group folder in office/outbox/) is
        // watched in its own right, never a submission of the outer one.
        if rootSet.contains(FileName(entry.path)) { return }
        if var known = pending[entry], known.fingerprint?.isFolder == true {
            known.lastActivity = now
            set(entry, known)
            return
        }
        fingerprintsTaken += 1
        let print = Self.fingerprint(entry.path)
        set(entry, Pending(lastActivity: quietSince(print, now: now), fingerprint: print))
    }

    /// Since when an entry seen changed at `now` has been quiet: the time
    /// the kernel stamped on the change itself (plus its clock's tick), when
    /// that is a little earlier. The loop reads events only between turns,
    /// and a turn on a busy disk takes 10-20 ms: counted from when the loop
    /// saw the event, every file settled that much late, and was claimed
    /// after one more turn's wait (make bench: drop -> claim p99 at 200/s
    /// 18 ms past the settle). Never more than `maxCredit` earlier: the
    /// stamp of a file on another machine's clock (a share mounted in an
    /// outbox) must not cut the quiet time it is watched for.
    func quietSince(_ print: Fingerprint?, now: Date) -> Date {
        guard let stamped = print?.changedAt?.addingTimeInterval(Self.stampTick) else { return now }
        return min(now, max(stamped, now.addingTimeInterval(-maxCredit)))
    }

    /// At most this much of the settle is taken as already passed when an
    /// event is read: half the settle, and no more than a tenth of a second.
    var maxCredit: Double { min(settle / 2, 0.1) }

    /// The kernel stamps change times from its coarse clock, up to one tick
    /// behind the clock `Date()` reads: counted from one tick later, the
    /// quiet time is never shorter than `settle`.
    static let stampTick: Double = {
        var res = timespec()
        guard clock_getres(CLOCK_REALTIME_COARSE, &res) == 0 else { return 0.01 }
        return Double(res.tv_sec) + Double(res.tv_nsec) / 1e9
    }()

    /// How many fingerprints events have taken (a folder's walks its whole
    /// tree): the tests count work here instead of timing it.
    private(set) var fingerprintsTaken = 0

    public func forget(_ entry: Entry) { set(entry, nil) }

    public func isPending(_ entry: Entry) -> Bool { pending[entry] != nil }

    public var pendingCount: Int { pending.count }

    /// The pending entries of a drop folder with the time of each one's last
    /// activity: one settled by `now` (`now - lastActivity >= settle`) waits
    /// only for its turn to be claimed (`takeComplete`'s limit).
    public func lastActivities(in root: String) -> [(name: String, lastActivity: Date)] {
        (namesByRoot[FileName(root)] ?? []).compactMap { e in pending[e].map { (e.name, $0.lastActivity) } }
    }

    /// The earliest time an entry may become complete.
    public func nextDeadline() -> Date? {
        pending.values.map { $0.lastActivity.addingTimeInterval(settle) }.min()
    }

    /// Entries that are complete now, at most `limit` of them, whole drop
    /// folders where a folder holds fewer: the rest stay
    /// pending, already due, for the caller's next turn (so that 100,000
    /// files waiting at start do not hold the loop, its SIGTERM and its
    /// watchdog for minutes). One that changed since it was last looked at
    /// starts settling again; one that vanished is dropped.
    public func takeComplete(now: Date, limit: Int = .max) -> [Entry] {
        var done: [Entry] = []
        var due: [(Entry, Pending)] = []
        var rootsTaken: Set<FileName> = []
        let settle = settle
        let isDue = { (state: Pending) in now.timeIntervalSince(state.lastActivity) >= settle }
        for (entry, state) in pending where isDue(state) {
            if due.count >= limit { break }
            // A drop folder's due entries are taken together: the files of
            // one submission are in one folder, and taken one by one (in the
            // table's order) a burst's pairs were split between claim turns,
            // each half waiting for the other (make bench, the ledger's
            // times: of 1,000 reports, 66 claimed whole in the first turn).
            let root = FileName(entry.root)
            let names = namesByRoot[root] ?? [entry]
            if names.count > limit {
                // One folder's backlog larger than a turn: as the table gives it.
                due.append((entry, state))
                continue
            }
            guard rootsTaken.insert(root).inserted else { continue }
            let folder = names.compactMap { e in pending[e].flatMap { isDue($0) ? (e, $0) : nil } }
            // Never past the limit (a claim batch's size): a folder that does
            // not fit is the next turn's.
            if due.count + folder.count > limit { break }
            due += folder
        }
        for (entry, state) in due {
            guard let print = Self.fingerprint(entry.path) else {
                set(entry, nil)
                continue
            }
            if state.fingerprint == print {
                done.append(entry)
                set(entry, nil)
            } else {
                set(entry, Pending(lastActivity: quietSince(print, now: now), fingerprint: print))
            }
        }
        return done.sorted { ($0.root, $0.name) < ($1.root, $1.name) }
    }

    /// Size, inode and change time of a file, or the same summed over a
    /// folder tree (symlinks not followed). nil when the entry is gone.
    public static func fingerprint(_ path: String) -> Fingerprint? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        if (st.st_mode & S_IFMT) != S_IFDIR {
            return Fingerprint(isFolder: false, count: UInt64(st.st_ino), size: Int64(st.st_size), changed: st.st_ctim.tv_sec,
                               changedNanoseconds: st.st_ctim.tv_nsec)
        }
        var count = 0, total: Int64 = 0, latest = 0
        var stack = [path]
        while let dir = stack.popLast(), count < 100_000 {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names {
                var cst = stat()
                let child = dir + "/" + name
                guard lstat(child, &cst) == 0 else { continue }
                count += 1
                total += Int64(cst.st_size)
                latest = max(latest, cst.st_ctim.tv_sec * 1_000_000_000 + cst.st_ctim.tv_nsec)
                if (cst.st_mode & S_IFMT) == S_IFDIR { stack.append(child) }
            }
        }
        return Fingerprint(isFolder: true, count: UInt64(count), size: total, changed: latest, changedNanoseconds: 0)
    }
}
