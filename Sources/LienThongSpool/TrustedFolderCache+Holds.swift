import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Folders others can write in (an outbox, the office inbox and the unit
/// and key folders below it), kept open by one thread for one batch of its
/// own work (`TrustedPath.holdingFolders`): a claim turn, a filing stage, a
/// round of deliveries. `TrustedFolderCache` never remembers such a folder
/// between batches — a clerk may put a link where it was, or a share's disk
/// be mounted there — so every walk below it opened it and each folder
/// under it again: filing one office copy walked `office/inbox/<unit>/<key>`
/// some twenty times, seven system calls each, half of the filing threads'
/// calls (strace, 300 reports on tmpfs).
///
/// Within a batch a walk starts at the deepest folder the hold has, after
/// one `fstat` that it still has a name (one removed meanwhile is let go and
/// the walk starts over). What a held descriptor names: the folder the
/// guarded walk reached, never a link's target; if a clerk renames it (or a
/// folder above it, below the private ones) during the batch, what the
/// batch writes there lands in that same folder under its new name — as it
/// would had the clerk moved the folder a moment after the batch, which
/// they may. The daemon's own renames and removals forget what they touch
/// in every hold, as in the cache; a change of the mount table lets go of
/// everything held. The descriptors are closed when the batch ends, on the
/// thread that held them.
final class FolderHold {
    /// Guards the three below. Its own, not the cache's: every walk of a
    /// thread in a batch asks its hold first, and the cache's lock is shared
    /// by the loop, the filing threads and the fsyncs of a round (a lock
    /// they wait on is time they sleep). Taken after the cache's, never
    /// before it (the daemon's forgets hold the cache's lock).
    fileprivate let lock = NSLock()
    /// Held folders by their path's exact bytes.
    fileprivate var entries: [PathKey: Int32] = [:]
    /// Every path down to a held folder: a lookup stops at the first path
    /// not here, and a forget of a path not here has nothing to do.
    fileprivate var reach: Set<PathKey> = []
    /// Let go while the batch runs (forgotten, found removed): closed at its end.
    fileprivate var closing: [Int32] = []

    /// The hold of the calling thread, if it has one.
    static var current: FolderHold? {
        guard let p = pthread_getspecific(threadKey) else { return nil }
        return Unmanaged<FolderHold>.fromOpaque(p).takeUnretainedValue()
    }

    fileprivate static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create")
        return key
    }()
}

extension TrustedFolderCache {
    /// Folders one hold keeps at most (`holdCapacity`): a batch touches a
    /// few hundred (a unit's outbox; the office inbox, unit and key folders
    /// of each office copy), up to 2,048, and a sixteenth of the descriptors
    /// the process may open (three threads hold at once, beside the cache's
    /// quarter): 64 under a service's unraised soft limit of 1,024. A full
    /// hold keeps nothing more; the walks go on as without it.
    static func holdCapacity(softLimit: Int) -> Int {
        min(2048, max(16, softLimit / 16))
    }

    /// Runs `body` with a hold on the calling thread (or within the one it
    /// has already), then closes what was held.
    func holding<T>(_ body: () throws -> T) rethrows -> T {
        if FolderHold.current != nil { return try body() }
        let hold = FolderHold()
        locked { holds.append(hold) }
        pthread_setspecific(FolderHold.threadKey, Unmanaged.passUnretained(hold).toOpaque())
        defer {
            pthread_setspecific(FolderHold.threadKey, nil)
            locked { holds.removeAll { $0 === hold } }
            // No forget reaches it now: its descriptors are closed here.
            let closing = hold.locked { () -> [Int32] in
                let all = Array(hold.entries.values) + hold.closing
                hold.entries = [:]
                hold.reach = []
                hold.closing = []
                return all
            }
            for fd in closing { close(fd) }
        }
        return try body()
    }

    /// The deepest folder `hold` has among the first `count` components of
    /// `walk`, still linked: its descriptor (the hold's, never to be closed
    /// by the caller) and how many components it stands for.
    func held(_ hold: FolderHold, _ walk: TrustedPath.Walk, count: Int) -> (fd: Int32, depth: Int)? {
        guard walk.guarded else { return nil }
        var limit = count
        while limit > 0 {
            let found: (PathKey, Int32, Int)? = hold.locked {
                guard !hold.entries.isEmpty else { return nil }
                var best: (PathKey, Int32, Int)?
                for depth in 1...limit {
                    let key = PathKey(walk.pathBytes(depth))
                    guard hold.reach.contains(key) else { break }
                    if let fd = hold.entries[key] { best = (key, fd, depth) }
                }
                return best
            }
            guard let (key, fd, depth) = found else { return nil }
            var st = stat()
            if fstat(fd, &st) == 0, st.st_nlink > 0 { return (fd, depth) }
            // Removed behind the daemon's back: what is made in it is lost.
            // Let go of it (and what is below), and look above it.
            hold.locked { hold.drop(below: key) }
            limit = depth - 1
        }
        return nil
    }

    /// Takes `fd`, the folder of the first `depth` components of `walk`
    /// just opened by a guarded walk, into `hold`; false when the hold is
    /// full (the caller keeps the descriptor and closes it).
    func hold(_ hold: FolderHold, _ walk: TrustedPath.Walk, depth: Int, fd: Int32) -> Bool {
        guard walk.guarded else { return false }
        let capacity = holdCapacity
        return hold.locked {
            guard hold.entries.count < capacity else { return false }
            // Its own bytes: a slice would keep the whole walk's buffer alive.
            let key = PathKey(ArraySlice(Array(walk.pathBytes(depth))))
            if let old = hold.entries.updateValue(fd, forKey: key) {
                hold.closing.append(old)
            } else {
                for d in 1...depth { hold.reach.insert(PathKey(ArraySlice(Array(walk.pathBytes(d))))) }
            }
            return true
        }
    }

    /// Lets go, in every hold, of `key` and every folder below it (the
    /// daemon renamed or removed it). Under the cache's lock.
    func forgetHeldLocked(_ key: PathKey) {
        for hold in holds { hold.locked { if hold.reach.contains(key) { hold.drop(below: key) } } }
    }

    /// Lets go of everything held (the mount table changed). Under the cache's lock.
    func forgetAllHeldLocked() {
        for hold in holds {
            hold.locked {
                hold.closing += hold.entries.values
                hold.entries = [:]
                hold.reach = []
            }
        }
    }
}

extension FolderHold {
    fileprivate func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Lets go of `key` and what is below it, to be closed when the batch
    /// ends (its thread may be using a descriptor now). Under the hold's
    /// lock. Rare: the reach is rebuilt from what is left.
    fileprivate func drop(below key: PathKey) {
        let slash = UInt8(ascii: "/")
        for (k, fd) in entries {
            let inside = k == key || (k.bytes.count > key.bytes.count && k.bytes[k.bytes.startIndex + key.bytes.count] == slash
                && PathKey(k.bytes.prefix(key.bytes.count)) == key)
            if inside {
                entries[k] = nil
                closing.append(fd)
            }
        }
        reach = []
        for k in entries.keys {
            var path: PathKey? = k
            while let p = path, reach.insert(p).inserted { path = TrustedFolderCache.parent(p) }
        }
    }
}

extension TrustedFolderCache {
    /// Whether the calling thread's hold keeps the folder `path` now (tests).
    func isHeld(_ path: String) -> Bool {
        guard let hold = FolderHold.current else { return false }
        let w = TrustedPath.walk(path)
        return hold.locked { hold.entries[PathKey(w.pathBytes(w.count))] != nil }
    }
}
