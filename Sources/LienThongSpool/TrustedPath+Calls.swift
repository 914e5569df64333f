import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The system calls the spool makes on paths, each done relative to a
/// folder reached by a guarded walk (see `TrustedPath`). Their errors name
/// the path given, so messages read as before.
extension TrustedPath {
    /// openat in the guarded parent; the last component is never followed.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0, _ operation: String = "open") throws -> Int32 {
        try withParent(walk(path), path, operation) { dir, name in
            let fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
            guard fd >= 0 else { throw SpoolError(operation, path) }
            return fd
        }
    }

    /// renameat2 between guarded parents; `noReplace` never overwrites.
    /// Returns the errno of a failed rename (0 on success) so that callers
    /// who expect EEXIST can act on it; a refused walk throws.
    public static func rename(_ from: String, to: String, noReplace: Bool) throws -> Int32 {
        // Each path split once, for its walk and for the cache alike.
        let a = walk(from), b = walk(to)
        // A folder renamed is no longer where its path says (nor is one it replaced).
        defer {
            TrustedFolderCache.shared.forget(a)
            TrustedFolderCache.shared.forget(b)
        }
        return try withParent(a, from, "rename \(from) to \(to)") { fromDir, x in
            try withParent(b, to, "rename \(from) to \(to)") { toDir, y in
                let r = noReplace ? lt_renameat_noreplace(fromDir, x, toDir, y) : renameat(fromDir, x, toDir, y)
                return r == 0 ? 0 : errno
            }
        }
    }

    /// linkat between guarded parents (a link at `from` is linked itself,
    /// never followed). Returns 0 or the errno.
    public static func link(_ from: String, to: String) throws -> Int32 {
        try withParent(walk(from), from, "link \(from) to \(to)") { fromDir, a in
            try withParent(walk(to), to, "link \(from) to \(to)") { toDir, b in
                linkat(fromDir, a, toDir, b, 0) == 0 ? 0 : errno
            }
        }
    }

    /// unlinkat in the guarded parent; false when it could not.
    @discardableResult
    public static func unlink(_ path: String, folder: Bool = false) -> Bool {
        let w = walk(path)
        if folder { TrustedFolderCache.shared.forget(w) }
        return (try? withParent(w, path, "remove") { dir, name in unlinkat(dir, name, folder ? AT_REMOVEDIR : 0) == 0 }) ?? false
    }

    /// unlinkat in the guarded parent; a file already gone is fine, any
    /// other failure (a link on the way included) throws with its errno.
    public static func remove(_ path: String, _ operation: String) throws {
        let code = try withParent(walk(path), path, operation) { dir, name in unlinkat(dir, name, 0) == 0 ? 0 : errno }
        guard code == 0 || code == ENOENT else { throw SpoolError(operation, path, errno: code) }
    }

    /// lstat through a guarded walk: nil when missing or not reachable
    /// without following a link.
    public static func status(_ path: String) -> stat? {
        try? withParent(walk(path), path, "stat") { dir, name -> stat? in
            var st = stat()
            return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st : nil
        } ?? nil
    }

    /// chmod of a regular file through a guarded walk (never a link's target).
    public static func chmod(_ path: String, _ mode: mode_t) throws {
        let fd = try open(path, O_RDONLY, "open to chmod")
        defer { close(fd) }
        guard fchmod(fd, mode) == 0 else { throw SpoolError("chmod", path) }
    }

    /// The whole of a small file (a marker, a receipt) through a guarded walk.
    public static func read(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        guard let fd = try? open(path, O_RDONLY | O_NONBLOCK) else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while out.count <= limit {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
        return nil
    }

    /// One entry of a folder listing: its name's exact bytes and d_type.
    public struct Entry: Sendable {
        public var bytes: [UInt8]
        public var type: UInt8
        public var name: String { String(decoding: bytes, as: UTF8.self) }
        public var isFolder: Bool { type == UInt8(DT_DIR) }
    }

    /// The entries of the folder `path` (without `.` and `..`), opened by a
    /// guarded walk.
    public static func entries(_ path: String) throws -> [Entry] {
        try entries(fd: openFolder(path, "list folder"), path)
    }

    /// The entries of the folder `folder` (a descriptor from a guarded walk
    /// of `path`), read through a new open file description of it.
    static func entries(inFolder folder: Int32, _ path: String) throws -> [Entry] {
        let fd = openat(folder, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SpoolError("list folder", path) }
        return try entries(fd: fd, path)
    }

    /// Lists `fd` and closes it.
    private static func entries(fd: Int32, _ path: String) throws -> [Entry] {
        guard let stream = fdopendir(fd) else {
            let e = SpoolError("list folder", path)
            close(fd)
            throw e
        }
        defer { closedir(stream) }
        var out: [Entry] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if bytes == [46] || bytes == [46, 46] { continue }
            out.append(Entry(bytes: bytes, type: entry.pointee.d_type))
        }
        return out
    }

    /// The names in the folder `path`, as `FileManager` would list them.
    public static func names(_ path: String) throws -> [String] {
        try entries(path).map(\.name)
    }
}
