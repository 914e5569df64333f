import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File operations that count as done only once they are on disk: data and
/// the directory entry both fsynced (Postfix fsyncs the file; we also fsync
/// the directory after a rename, which Postfix leaves to the filesystem).
public enum DurableFS {
    /// fsync a directory so a create, rename or unlink inside it survives a crash.
    public static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SpoolError("open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SpoolError("fsync directory", path) }
    }

    /// mkdir -p, fsyncing each parent whose entry was created.
    /// `exact`: the folder gets `mode` whatever the umask (the service runs
    /// with UMask=0027, which would take the group's write bit off a unit's
    /// outbox). Done with the umask rather than a chmod afterwards: chmod
    /// would drop the setgid bit inherited from the spool root, and the
    /// service may not set it back (RestrictSUIDSGID).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755, exact: Bool = false) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectories(parent, mode: mode, exact: exact) }
        // The daemon makes folders from its one main thread only, so a
        // moment without umask affects nothing else.
        let saved = exact ? umask(0) : 0
        let made = mkdir(path, mode)
        if exact { umask(saved) }
        if made != 0 {
            guard errno == EEXIST else { throw SpoolError("mkdir", path) }
            // Made meanwhile by someone else is fine; a file in the way is not.
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw SpoolError("mkdir", path, errno: EEXIST) }
            return
        }
        if !parent.isEmpty { try syncDirectory(parent) }
    }

    /// Writes a whole file under a hidden temporary name, fsyncs it, renames it
    /// into place and fsyncs the folder: readers see the old file or the new
    /// one, never a part.
    public static func writeFile(_ path: String, contents: [UInt8], mode: mode_t = 0o644) throws {
        try publish(path, suffix: "tmp", mode: mode) { fd, tmp in try writeAll(fd, contents, path: tmp) }
    }

    /// The one way a file appears in the spool: created under a hidden
    /// temporary name, filled by `fill`, fsynced, renamed into place, its
    /// folder fsynced. On any failure the temporary file is removed.
    static func publish(_ path: String, suffix: String, mode: mode_t, fill: (Int32, String) throws -> Void) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = temporaryPath(for: path, suffix: suffix)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SpoolError("create", tmp) }
        do {
            try fill(fd, tmp)
            guard fsync(fd) == 0 else { throw SpoolError("fsync", tmp) }
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            let e = SpoolError("rename into place", path)
            unlink(tmp)
            throw e
        }
        try syncDirectory(dir)
    }

    public static func writeFile(_ path: String, text: String, mode: mode_t = 0o644) throws {
        try writeFile(path, contents: Array(text.utf8), mode: mode)
    }

    /// rename(2) then fsync both folders. A SpoolError with `renameDone` set
    /// means the rename happened and only its fsync failed. Fails with EEXIST semantics when
    /// `noReplace` and the target exists (renameat2 RENAME_NOREPLACE), so a
    /// clash never overwrites anything.
    public static func move(_ from: String, to: String, noReplace: Bool = true) throws {
        if noReplace {
            let r = lt_rename_noreplace(from, to)
            guard r == 0 else { throw SpoolError("rename \(from) to", to) }
        } else {
            guard rename(from, to) == 0 else { throw SpoolError("rename \(from) to", to) }
        }
        // From here the entry is at `to`, whatever fails: a failed fsync must
        // never be taken for a failed rename (a caller that undid the "failed"
        // rename would remove what was just moved in).
        let fromDir = (from as NSString).deletingLastPathComponent
        let toDir = (to as NSString).deletingLastPathComponent
        do {
            try syncDirectory(toDir)
            if fromDir != toDir { try syncDirectory(fromDir) }
        } catch var error as SpoolError {
            error.renameDone = true
            throw error
        }
    }

    /// Copies a regular file to `to` through a hidden temporary name, fsynced,
    /// so the target appears whole or not at all. Never follows a symlink.
    public static func copyFile(_ from: String, to: String, mode: mode_t = 0o644) throws {
        let src = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard src >= 0 else { throw SpoolError("open", from) }
        defer { close(src) }
        try publish(to, suffix: "part", mode: mode) { dst, tmp in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(src, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SpoolError("read", from)
                }
                if n == 0 { break }
                try writeAll(dst, Array(buffer[0..<n]), path: tmp)
            }
        }
    }

    /// `.<name>.<pid>.<suffix>` beside `path`, the name cut short (between
    /// characters) so the whole fits a file name's 255 bytes: a final name
    /// that is itself near the limit must still be writable.
    static func temporaryPath(for path: String, suffix: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        let tail = ".\(getpid()).\(suffix)"
        let name = prefix(of: (path as NSString).lastPathComponent, utf8Bytes: 255 - 1 - tail.utf8.count)
        return (dir as NSString).appendingPathComponent("." + name + tail)
    }

    /// The longest prefix of `s`, whole Unicode scalars only, of at most `max` UTF-8 bytes.
    static func prefix(of s: String, utf8Bytes max: Int) -> String {
        guard s.utf8.count > max else { return s }
        var out = String.UnicodeScalarView()
        var used = 0
        for u in s.unicodeScalars {
            used += UTF8.width(u)
            if used > max { break }
            out.append(u)
        }
        return String(out)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SpoolError("write", path)
            }
            offset += n
        }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }
}
