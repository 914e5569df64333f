import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns a path under the spool into a folder descriptor and a name, walking
/// from the spool root one component at a time with
/// `openat(O_NOFOLLOW | O_DIRECTORY)`: a symbolic link a clerk planted where
/// a folder should be (`office/outbox/<group>`, `office/inbox/<unit>`,
/// `units/<id>/outbox`, a subfolder of a dropped folder) stops the walk with
/// an error instead of sending a rename, link, mkdir or create somewhere
/// else. The link is left alone: the daemon never removes or "repairs" it.
///
/// Paths outside every spool root (config, trust, a test's scratch folder)
/// are opened as before, following links: the operator owns those.
public enum TrustedPath {
    /// A path as one walk sees it, split once: its bytes, where its start
    /// (the spool root, or "/" or "." outside the spool) ends and where each
    /// component begins. The cache's keys, `openat`'s names and messages all
    /// read these same bytes, so a name is never compared as a String (which
    /// merges NFC and NFD), never normalised, never joined and split again:
    /// splitting into `[String]` was a tenth of the daemon's instructions.
    struct Walk {
        /// The start, then "/" and each component (no second "/" after a
        /// start of "/"), then a NUL: the last component is a C string in place.
        let bytes: [UInt8]
        let startLength: Int
        /// Where each component begins in `bytes`; it ends at the next "/".
        let begins: [Int]
        /// Under a spool root: no link is followed and `..` is refused.
        let guarded: Bool

        var count: Int { begins.count }

        /// Where component `i` ends (exclusive).
        func end(_ i: Int) -> Int { i + 1 < begins.count ? begins[i + 1] - 1 : bytes.count - 1 }

        func component(_ i: Int) -> ArraySlice<UInt8> { bytes[begins[i]..<end(i)] }

        /// Component `i` is `..` (by bytes).
        func isDotDot(_ i: Int) -> Bool {
            let b = begins[i]
            return end(i) - b == 2 && bytes[b] == UInt8(ascii: ".") && bytes[b + 1] == UInt8(ascii: ".")
        }

        /// The bytes of the start and the first `count` components: the
        /// folder they name, spelled as given.
        func pathBytes(_ count: Int) -> ArraySlice<UInt8> { bytes[..<(count == 0 ? startLength : end(count - 1))] }

        /// The path of the first `count` components, for messages.
        func path(_ count: Int) -> String { String(decoding: pathBytes(count), as: UTF8.self) }

        var start: String { path(0) }

        /// The start is the file system's root ("/"), which has no separator after it.
        var startsAtRoot: Bool { startLength == 1 && bytes[0] == UInt8(ascii: "/") }

        /// `body` gets a copy of the bytes with a NUL after the start and
        /// after each component, so every name is a C string where it lies
        /// (on the stack: no allocation per walk).
        func withCNames<T>(_ body: (CNames) throws -> T) rethrows -> T {
            try withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count) { buffer in
                let base = buffer.baseAddress!
                bytes.withUnsafeBufferPointer { src in
                    UnsafeMutableRawPointer(base).copyMemory(from: src.baseAddress!, byteCount: src.count)
                }
                for b in begins where b - 1 >= startLength { base[b - 1] = 0 }
                return try body(CNames(base: base, walk: self))
            }
        }
    }

    /// The start and the components of a walk as C strings (`withCNames`).
    struct CNames {
        let base: UnsafeMutablePointer<CChar>
        let walk: Walk

        func name(_ i: Int) -> UnsafePointer<CChar> { UnsafePointer(base + walk.begins[i]) }

        /// Opens the start ("/" has no NUL of its own: its first component follows it).
        func openStart() -> Int32 {
            walk.startsAtRoot ? Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : Glibc.open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
    }

    static func walk(_ path: String) -> Walk {
        if let guarded = SpoolRoots.guardedWalk(path) { return guarded }
        // Outside every root: as given, empty and "." components dropped.
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let absolute = path.utf8.first == slash
        var bytes: [UInt8] = [absolute ? slash : dot]
        var begins: [Int] = []
        for part in path.utf8.split(separator: slash) where !(part.count == 1 && part.first == dot) {
            if !(absolute && begins.isEmpty) { bytes.append(slash) }
            begins.append(bytes.count)
            bytes += part
        }
        bytes.append(0)
        return Walk(bytes: bytes, startLength: 1, begins: begins, guarded: false)
    }

    /// Makes missing folders on the way (`makeDirectories`): `mode` for each,
    /// and `created` is told the descriptor and path of each parent whose
    /// entries changed (to fsync it, or note it for a batch's barrier).
    struct Creation {
        var mode: mode_t
        var created: (Int32, String) throws -> Void
    }

    /// Opens the folder named by the first `count` components of `walk`.
    /// The caller closes the descriptor.
    static func openFolder(_ walk: Walk, count: Int, operation: @autoclosure () -> String, target: String,
                           create: Creation? = nil) throws -> Int32 {
        try reachFolder(walk, count: count, operation: operation(), target: target, create: create, borrowing: false).fd
    }

    /// `openFolder`, where with `borrowing` the descriptor may be one the
    /// folder cache lends or the thread's hold keeps (`lent`: give it back
    /// with `TrustedFolderCache.giveBack`, never close or list it).
    static func reachFolder(_ walk: Walk, count: Int, operation: @autoclosure () -> String, target: String,
                            create: Creation? = nil, borrowing: Bool) throws -> (fd: Int32, lent: Bool) {
        try walk.withCNames { names in
            let cache = TrustedFolderCache.shared
            let hold = walk.guarded ? FolderHold.current : nil
            // `chainPrivate`: every folder walked so far is the daemon's
            // alone, so the next one may be remembered (TrustedFolderCache).
            // `kept`: the descriptor in hand is the hold's, never closed here.
            var (fd, first, chainPrivate, isLent, kept) = try begin(walk, count: count, names: names, borrowing: borrowing,
                                                                    hold: hold, operation: operation)
            // The cache's own descriptor while it is the one in hand.
            let lent: Int32 = isLent ? fd : -1
            func release(_ d: Int32) {
                if kept { return }
                if d == lent { cache.giveBack(d) } else { close(d) }
            }
            let noFollow = walk.guarded ? O_NOFOLLOW : 0
            for i in first..<count {
                if walk.guarded, walk.isDotDot(i) {
                    release(fd)
                    throw SpoolError("\(operation()) \(target): refused, a '..' in a spool path (name the folder itself) at", walk.path(i + 1),
                                     errno: EINVAL)
                }
                let name = names.name(i)
                var next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | noFollow)
                if next < 0, errno == ENOENT, let create {
                    // EEXIST: another thread made it just now (the filing
                    // thread and the loop both make archive month folders),
                    // and its entry may not be durable yet: the parent is
                    // synced as if this walk had made it.
                    if mkdirat(fd, name, create.mode) == 0 || errno == EEXIST {
                        do { try create.created(fd, walk.path(i)) } catch { release(fd); throw error }
                    } else {
                        let e = SpoolError("mkdir", walk.path(i + 1))
                        release(fd)
                        throw e
                    }
                    next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | noFollow)
                }
                if next < 0 {
                    let error = refusal(parent: fd, name: name, code: errno, walk: walk, count: i + 1, operation: operation(), target: target,
                                        creating: create != nil)
                    release(fd)
                    throw error
                }
                release(fd)
                fd = next
                kept = false
                if chainPrivate {
                    // A folder others can write in (an outbox, an inbox) is
                    // not remembered even where nobody else can replace it:
                    // such a folder is where a share's own disk or an
                    // automount is mounted, and a walk must see the mount.
                    chainPrivate = cache.isPrivate(fd)
                    if chainPrivate { cache.remember(walk, depth: i + 1, fd: fd) }
                }
                // Not the daemon's alone: kept for the rest of the batch
                // only, by the thread's hold. A folder the caller gets to
                // list or close stays the caller's.
                if !chainPrivate, let hold, borrowing || i + 1 < count {
                    kept = cache.hold(hold, walk, depth: i + 1, fd: fd)
                }
            }
            return (fd, fd == lent || kept)
        }
    }

    /// Where a walk begins: the deepest folder the thread's hold keeps, else
    /// the deepest remembered folder (lent when `borrowing`), else the start
    /// of the path; the components that stands for, whether the folders
    /// down to it are all the daemon's alone, and whose the descriptor is.
    private static func begin(_ walk: Walk, count: Int, names: CNames, borrowing: Bool, hold: FolderHold?,
                              operation: () -> String) throws -> (fd: Int32, depth: Int, chainPrivate: Bool, lent: Bool, kept: Bool) {
        let cache = TrustedFolderCache.shared
        // Only folders others can write in are held: below one, nothing is
        // remembered, so the hold's deepest is the deepest there is.
        if let hold, let known = cache.held(hold, walk, count: count) {
            if borrowing || known.depth < count { return (known.fd, known.depth, false, false, true) }
            // The caller lists or closes what it gets: a description of its own.
            let fd = openat(known.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { return (fd, known.depth, false, false, false) }
        }
        // A remembered folder and every folder above it are the daemon's alone.
        if borrowing, let known = cache.borrow(walk, count: count) { return (known.fd, known.depth, true, true, false) }
        if let known = cache.start(walk, count: count) { return (known.fd, known.depth, true, false, false) }
        let fd = names.openStart()
        guard fd >= 0 else { throw SpoolError(operation(), walk.start) }
        return (fd, 0, TrustedFolderCache.eligible(walk) && cache.isPrivate(fd), false, false)
    }

    /// Why `name` in `parent` could not be opened as a folder, in words an
    /// operator can act on.
    static func refusal(parent: Int32, name: UnsafePointer<CChar>, code: Int32, walk: Walk, count: Int, operation: String, target: String,
                        creating: Bool) -> SpoolError {
        let at = walk.path(count)
        var st = stat()
        if code == ELOOP || code == ENOTDIR, fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK { return SpoolError.symlinkRefused(at, operation: operation, target: target) }
            // A file where a folder should be: mkdir's own answer.
            if creating { return SpoolError("mkdir", at, errno: EEXIST) }
        }
        // Anything else reads as the call on the whole path would have.
        return SpoolError(operation, target, errno: code)
    }

    /// Forgets the folders remembered by descriptor (`TrustedFolderCache`)
    /// when the mount table changed since the last call; true when it did.
    /// The loop asks once per turn.
    public static func forgetRememberedFoldersIfMountsChanged() -> Bool {
        TrustedFolderCache.shared.forgetAllIfMountsChanged()
    }

    /// Runs `body` (one batch of the calling thread's work: a claim turn, a
    /// filing stage) with the folders others can write in that its walks
    /// open kept until it returns (`FolderHold`), instead of opened again
    /// for each path below them.
    public static func holdingFolders<T>(_ body: () throws -> T) rethrows -> T {
        try TrustedFolderCache.shared.holding(body)
    }

    /// Runs `body` with the folder that holds `path`'s last component,
    /// opened by a guarded walk, and that component's name.
    public static func withParent<T>(_ path: String, _ operation: String, _ body: (Int32, String) throws -> T) throws -> T {
        try withParent(walk(path), path, operation) { fd, name in try body(fd, String(cString: name)) }
    }

    /// `withParent` on a walk already made, the name as the C string it is
    /// in the walk's bytes (no String made for it).
    static func withParent<T>(_ w: Walk, _ path: String, _ operation: @autoclosure () -> String,
                              _ body: (Int32, UnsafePointer<CChar>) throws -> T) throws -> T {
        guard w.count > 0 else {
            throw SpoolError("\(operation()): refused, no file or folder named in", path, errno: EINVAL)
        }
        if w.guarded, w.isDotDot(w.count - 1) {
            throw SpoolError("\(operation()) \(path): refused, a '..' in a spool path (name the folder itself) at", path, errno: EINVAL)
        }
        return try withLent(w, count: w.count - 1, operation(), target: path) { fd in
            try w.bytes.withUnsafeBufferPointer { buffer in
                try body(fd, UnsafeRawPointer(buffer.baseAddress! + w.begins[w.count - 1]).assumingMemoryBound(to: CChar.self))
            }
        }
    }

    /// Runs `body` with the folder `path` itself, reached by a guarded walk:
    /// the descriptor may be the folder cache's or the thread's hold's, so
    /// `body` only names things in it (the *at calls, a listing through
    /// `entries(inFolder:)`), never closes it or reads it as a stream.
    static func withLentFolder<T>(_ path: String, _ operation: @autoclosure () -> String, _ body: (Int32) throws -> T) throws -> T {
        let w = walk(path)
        return try withLent(w, count: w.count, operation(), target: path, body)
    }

    /// The folder of the first `count` components of `w`, reached with
    /// `borrowing` (`reachFolder`), given to `body` and then given back (a
    /// descriptor lent by the cache or kept by the hold) or closed.
    private static func withLent<T>(_ w: Walk, count: Int, _ operation: @autoclosure () -> String, target: String,
                                    _ body: (Int32) throws -> T) throws -> T {
        let (fd, lent) = try reachFolder(w, count: count, operation: operation(), target: target, borrowing: true)
        defer { if lent { TrustedFolderCache.shared.giveBack(fd) } else { close(fd) } }
        return try body(fd)
    }

    /// Runs `body` with the folder `path` itself, opened by a guarded walk.
    public static func withFolder<T>(_ path: String, _ operation: String, _ body: (Int32) throws -> T) throws -> T {
        let fd = try openFolder(path, operation)
        defer { close(fd) }
        return try body(fd)
    }

    /// The folder `path`, opened by a guarded walk; the caller closes it.
    public static func openFolder(_ path: String, _ operation: String) throws -> Int32 {
        let w = walk(path)
        return try openFolder(w, count: w.count, operation: operation, target: path)
    }

    /// mkdir -p by a guarded walk; `created` hears of each parent whose
    /// entries changed. A link or a file where a folder should be is refused.
    static func makeDirectories(_ path: String, mode: mode_t, created: @escaping (Int32, String) throws -> Void) throws {
        let w = walk(path)
        if w.guarded, w.withCNames({ names in !w.startsAtRoot && access(names.base, F_OK) != 0 }) {
            // The spool root itself is the operator's path: made as given.
            try makeDirectories(w.start + "/", mode: mode, created: created)
        }
        let fd = try openFolder(w, count: w.count, operation: "make folder", target: path,
                                create: Creation(mode: mode, created: created))
        close(fd)
    }

    /// Refused when `path` names something other than a folder reached
    /// without a link: nil when it is one (or does not exist yet).
    public static func check(_ path: String) -> SpoolError? {
        do {
            close(try openFolder(path, "use folder"))
            return nil
        } catch let e as SpoolError {
            return e.code == ENOENT && e.plantedSymlink == nil ? nil : e
        } catch {
            return nil
        }
    }

    /// The folder part of `path` ("/a/b" for "/a/b/c", "/" for "/c", "" for
    /// "c"), by bytes, trailing slashes dropped first, as
    /// `NSString.deletingLastPathComponent` for the paths the spool makes at
    /// a fraction of its cost (it rebuilt the string through UTF-16).
    public static func parent(of path: String) -> String {
        let slash = UInt8(ascii: "/")
        var utf8 = Substring(path).utf8
        while utf8.count > 1, utf8.last == slash { utf8 = utf8.dropLast() }
        guard let cut = utf8.lastIndex(of: slash) else { return "" }
        var folder = utf8[..<cut]
        while folder.last == slash { folder = folder.dropLast() }
        return folder.isEmpty ? "/" : String(Substring(folder))
    }

    /// The last component of `path` ("c" for "/a/b/c" and "/a/b/c/"), by bytes.
    public static func lastComponent(of path: String) -> String {
        let slash = UInt8(ascii: "/")
        var utf8 = Substring(path).utf8
        while utf8.count > 1, utf8.last == slash { utf8 = utf8.dropLast() }
        guard let cut = utf8.lastIndex(of: slash), utf8.count > 1 else { return String(Substring(utf8)) }
        return String(Substring(utf8[utf8.index(after: cut)...]))
    }
}

/// The spool roots the operator configured. Registered by `SpoolLayout`, so
/// every spool operation below a root walks from it without following links,
/// without each caller having to pass a descriptor along.
public enum SpoolRoots {
    private static let lock = NSLock()
    /// Each root normalised, as bytes: a path is matched against them by bytes.
    nonisolated(unsafe) private static var roots: [[UInt8]] = []

    public static func trust(_ root: String) {
        let r = Array(normalized(root).utf8)
        lock.lock()
        defer { lock.unlock() }
        if !roots.contains(r) { roots.append(r) }
    }

    /// The walk of `path` from the longest registered root it lies strictly
    /// below, or nil when it is below none. Every path the spool makes is
    /// already normalised: it is matched as given and checked below its root
    /// in the same pass that finds its components (one pass over the bytes,
    /// where normalising first read them all once more); anything else takes
    /// `normalizedWalk`, the definition.
    static func guardedWalk(_ path: String) -> TrustedPath.Walk? {
        lock.lock()
        let candidates = roots
        lock.unlock()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count + 1)  // and the walk's NUL
        bytes.append(contentsOf: path.utf8)
        let best = longestRoot(bytes, candidates)
        if best >= 0, let begins = componentsIfNormalized(bytes, below: best) {
            bytes.append(0)
            return TrustedPath.Walk(bytes: bytes, startLength: best, begins: begins, guarded: true)
        }
        return normalizedWalk(path, candidates)
    }

    /// The length of the longest root `bytes` lies strictly below, or -1.
    private static func longestRoot(_ bytes: [UInt8], _ candidates: [[UInt8]]) -> Int {
        let slash = UInt8(ascii: "/")
        return bytes.withUnsafeBufferPointer { p in
            var best = -1
            for r in candidates where r.count > best {
                if r.count == 1 {  // "/"
                    if p.count > 1 { best = 1 }
                    continue
                }
                guard p.count > r.count + 1, p[r.count] == slash,
                      r.withUnsafeBufferPointer({ memcmp(p.baseAddress!, $0.baseAddress!, r.count) == 0 }) else { continue }
                best = r.count
            }
            return best
        }
    }

    /// Where each component below a root of length `root` begins, when every
    /// one of them is non-empty and not `.` (the root itself is normalised):
    /// then the whole path is. nil otherwise.
    private static func componentsIfNormalized(_ bytes: [UInt8], below root: Int) -> [Int]? {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        // The root "/" is its own separator; any other is followed by one.
        guard root == 1 ? bytes[0] == slash : true else { return nil }
        var begins: [Int] = []
        begins.reserveCapacity(8)
        let ok = bytes.withUnsafeBufferPointer { p -> Bool in
            var start = root == 1 ? 1 : root + 1
            var i = start
            while true {
                if i == p.count || p[i] == slash {
                    // The component [start, i): neither empty nor ".".
                    if i == start || (i == start + 1 && p[start] == dot) { return false }
                    begins.append(start)
                    if i == p.count { return true }
                    start = i + 1
                }
                i += 1
            }
        }
        return ok ? begins : nil
    }

    /// `guardedWalk` by its definition: the path normalised first, then the
    /// longest root, then the components (any path; tests hold the one-pass
    /// way above to this).
    static func normalizedWalk(_ path: String, _ candidates: [[UInt8]]? = nil) -> TrustedPath.Walk? {
        let slash = UInt8(ascii: "/")
        var bytes = normalizedBytes(path)
        let candidates = candidates ?? { lock.lock(); defer { lock.unlock() }; return roots }()
        let best = longestRoot(bytes, candidates)
        guard best >= 0 else { return nil }
        var begins: [Int] = []
        begins.reserveCapacity(8)
        begins.append(best == 1 ? 1 : best + 1)
        bytes.withUnsafeBufferPointer { p in
            for i in begins[0]..<p.count where p[i] == slash { begins.append(i + 1) }
        }
        bytes.append(0)
        return TrustedPath.Walk(bytes: bytes, startLength: best, begins: begins, guarded: true)
    }

    /// The longest registered root `path` lies strictly below, and the
    /// components below it (for tests and messages; walks use `guardedWalk`).
    static func split(_ path: String) -> (String, [String])? {
        guard let w = guardedWalk(path) else { return nil }
        return (w.start, (0..<w.count).map { String(decoding: w.component($0), as: UTF8.self) })
    }

    /// Absolute, without repeated or trailing slashes or `.` components.
    /// `..` is kept: the walk refuses it below a root rather than guess what
    /// it meant. A path already in that form (every path the spool makes)
    /// is returned as it is, after one pass over its bytes.
    public static func normalized(_ path: String) -> String {
        if path.utf8.withContiguousStorageIfAvailable(isNormalized) ?? isNormalized(Array(path.utf8)) { return path }
        return slowNormalized(path)
    }

    /// `normalized(path)`'s bytes.
    static func normalizedBytes(_ path: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count + 1)  // and the walk's NUL
        bytes.append(contentsOf: path.utf8)
        return bytes.withUnsafeBufferPointer(isNormalized) ? bytes : Array(slowNormalized(path).utf8)
    }

    private static func slowNormalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let parts = absolute.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
            .filter { !($0.count == 1 && $0.first == UInt8(ascii: ".")) }
        return "/" + parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
    }

    private static func isNormalized<C: Collection>(_ path: C) -> Bool where C.Element == UInt8 {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        var first = true
        for b in path {
            if first {
                guard b == slash else { return false }
                first = false
            } else if b == slash {
                // "//" or "/./" inside the path.
                if previous == slash || (previous == dot && beforePrevious == slash) { return false }
            }
            beforePrevious = previous
            previous = b
        }
        if first { return false }
        // A trailing "/" (other than the root itself) or "/.".
        if previous == slash { return path.count == 1 }
        return !(previous == dot && beforePrevious == slash)
    }
}
