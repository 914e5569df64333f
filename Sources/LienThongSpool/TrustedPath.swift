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
    /// Where a walk starts and which components it goes through.
    struct Walk {
        var start: String
        var components: [String]
        /// Under a spool root: no link is followed and `..` is refused.
        var guarded: Bool

        /// The path of the first `count` components, for messages.
        func path(_ count: Int) -> String {
            let tail = components.prefix(count).joined(separator: "/")
            if tail.isEmpty { return start }
            return start == "/" ? "/" + tail : start + "/" + tail
        }
    }

    static func walk(_ path: String) -> Walk {
        if let (root, below) = SpoolRoots.split(path) { return Walk(start: root, components: below, guarded: true) }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        return Walk(start: path.hasPrefix("/") ? "/" : ".", components: parts, guarded: false)
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
    static func openFolder(_ walk: Walk, count: Int, operation: String, target: String, create: Creation? = nil) throws -> Int32 {
        let cache = TrustedFolderCache.shared
        var fd: Int32
        var first = 0
        // Whether every folder walked so far is the daemon's alone: then the
        // next one may be remembered (TrustedFolderCache).
        var chainPrivate: Bool
        if let known = cache.start(walk, count: count) {
            (fd, first, chainPrivate) = known
        } else {
            fd = Glibc.open(walk.start, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw SpoolError(operation, walk.start) }
            chainPrivate = TrustedFolderCache.eligible(walk) && cache.isPrivate(fd)
        }
        let noFollow = walk.guarded ? O_NOFOLLOW : 0
        for i in first..<count {
            let name = walk.components[i]
            if walk.guarded, name == ".." {
                close(fd)
                throw SpoolError("\(operation) \(target): refused, a '..' in a spool path (name the folder itself) at", walk.path(i + 1), errno: EINVAL)
            }
            var next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | noFollow)
            if next < 0, errno == ENOENT, let create {
                if mkdirat(fd, name, create.mode) == 0 {
                    do { try create.created(fd, walk.path(i)) } catch { close(fd); throw error }
                } else if errno != EEXIST {
                    let e = SpoolError("mkdir", walk.path(i + 1))
                    close(fd)
                    throw e
                }
                next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | noFollow)
            }
            if next < 0 {
                let error = refusal(parent: fd, name: name, code: errno, walk: walk, count: i + 1, operation: operation, target: target,
                                    creating: create != nil)
                close(fd)
                throw error
            }
            close(fd)
            fd = next
            if chainPrivate {
                let isPrivate = cache.isPrivate(fd)
                cache.remember(walk, depth: i + 1, fd: fd, isPrivate: isPrivate)
                chainPrivate = isPrivate
            }
        }
        return fd
    }

    /// Why `name` in `parent` could not be opened as a folder, in words an
    /// operator can act on.
    static func refusal(parent: Int32, name: String, code: Int32, walk: Walk, count: Int, operation: String, target: String,
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

    /// Runs `body` with the folder that holds `path`'s last component,
    /// opened by a guarded walk, and that component's name.
    public static func withParent<T>(_ path: String, _ operation: String, _ body: (Int32, String) throws -> T) throws -> T {
        var w = walk(path)
        guard let name = w.components.popLast() else {
            throw SpoolError("\(operation): refused, no file or folder named in", path, errno: EINVAL)
        }
        if w.guarded, name == ".." {
            throw SpoolError("\(operation) \(path): refused, a '..' in a spool path (name the folder itself) at", path, errno: EINVAL)
        }
        let fd = try openFolder(w, count: w.components.count, operation: operation, target: path)
        defer { close(fd) }
        return try body(fd, name)
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
        return try openFolder(w, count: w.components.count, operation: operation, target: path)
    }

    /// mkdir -p by a guarded walk; `created` hears of each parent whose
    /// entries changed. A link or a file where a folder should be is refused.
    static func makeDirectories(_ path: String, mode: mode_t, created: @escaping (Int32, String) throws -> Void) throws {
        let w = walk(path)
        if w.guarded, access(w.start, F_OK) != 0 {
            // The spool root itself is the operator's path: made as given.
            try makeDirectories(w.start + "/", mode: mode, created: created)
        }
        let fd = try openFolder(w, count: w.components.count, operation: "make folder", target: path,
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
}

/// The spool roots the operator configured. Registered by `SpoolLayout`, so
/// every spool operation below a root walks from it without following links,
/// without each caller having to pass a descriptor along.
public enum SpoolRoots {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var roots: [String] = []

    public static func trust(_ root: String) {
        let r = normalized(root)
        lock.lock()
        defer { lock.unlock() }
        if !roots.contains(r) { roots.append(r) }
    }

    /// The longest registered root `path` lies strictly below, and the
    /// components below it. Compares bytes, not Unicode characters: this
    /// runs for every spool path (a quarter of filing's CPU when it split
    /// and joined Strings).
    static func split(_ path: String) -> (String, [String])? {
        let p = normalized(path)
        lock.lock()
        let candidates = roots
        lock.unlock()
        var best: String?
        var bestCount = -1
        let bytes = p.utf8
        for r in candidates {
            let rootBytes = r.utf8
            let count = rootBytes.count
            guard count > bestCount else { continue }
            if r == "/" {
                if bytes.count > 1 { best = r; bestCount = count }
                continue
            }
            guard bytes.count > count + 1, bytes.starts(with: rootBytes),
                  bytes[bytes.index(bytes.startIndex, offsetBy: count)] == UInt8(ascii: "/") else { continue }
            best = r
            bestCount = count
        }
        guard let root = best else { return nil }
        let rest = bytes.dropFirst(root == "/" ? 1 : bestCount + 1)
        let components = rest.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
            .map { String(Substring($0)) }
        return (root, components)
    }

    /// Absolute, without repeated or trailing slashes or `.` components.
    /// `..` is kept: the walk refuses it below a root rather than guess what
    /// it meant. A path already in that form (every path the spool makes)
    /// is returned as it is, after one pass over its bytes.
    public static func normalized(_ path: String) -> String {
        if isNormalized(path) { return path }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let parts = absolute.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    private static func isNormalized(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        var first = true
        for b in path.utf8 {
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
        if previous == slash { return path.utf8.count == 1 }
        return !(previous == dot && beforePrevious == slash)
    }
}
