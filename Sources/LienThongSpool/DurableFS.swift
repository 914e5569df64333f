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
        try TrustedPath.withFolder(path, "open directory") { fd in
            guard SyncTally.time({ fsync(fd) }) == 0 else { throw SpoolError("fsync directory", path) }
        }
    }

    /// mkdir -p, fsyncing each parent whose entry was created.
    /// `exact`: the folder gets `mode` whatever the umask (the service runs
    /// with UMask=0027, which would take the group's write bit off a unit's
    /// outbox). Done with the umask rather than a chmod afterwards: chmod
    /// would drop the setgid bit inherited from the spool root, and the
    /// service may not set it back (RestrictSUIDSGID).
    /// Walked from the spool root without following links: a symbolic link
    /// on the way is refused (`SpoolError.plantedSymlink`), never replaced.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755, exact: Bool = false) throws {
        try withExactMode(exact) {
            try TrustedPath.makeDirectories(path, mode: mode) { parent, parentPath in
                guard SyncTally.time({ fsync(parent) }) == 0 else { throw SpoolError("fsync directory", parentPath) }
            }
        }
    }

    /// Runs `body` with the umask cleared when `exact`, so folders get the
    /// mode asked for. The umask is the process's: the moment without it
    /// waits for every other thread's `withSteadyUmask` to end, and they for
    /// it, so no file or folder made elsewhere meanwhile loses the umask's
    /// restrictions.
    static func withExactMode<T>(_ exact: Bool, _ body: () throws -> T) rethrows -> T {
        guard exact else { return try body() }
        return try UmaskGate.shared.alone {
            let saved = umask(0)
            defer { umask(saved) }
            return try body()
        }
    }

    /// Runs `body`, which makes files or folders on a thread other than the
    /// one that makes exact folders (the filing threads), with the umask
    /// as configured throughout. `body` must make no exact folder itself:
    /// that would wait for its own end.
    public static func withSteadyUmask<T>(_ body: () throws -> T) rethrows -> T {
        try UmaskGate.shared.shared(body)
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
        let tmp = temporaryPath(for: path, suffix: suffix)
        let tmpName = TrustedPath.lastComponent(of: tmp)
        try TrustedPath.withParent(TrustedPath.walk(path), path, "create") { dir, name in
            let fd = openat(dir, tmpName, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
            guard fd >= 0 else { throw SpoolError("create", tmp) }
            do {
                try fill(fd, tmp)
                guard SyncTally.time({ fsync(fd) }) == 0 else { throw SpoolError("fsync", tmp) }
                close(fd)
            } catch {
                close(fd)
                unlinkat(dir, tmpName, 0)
                throw error
            }
            guard renameat(dir, tmpName, dir, name) == 0 else {
                let e = SpoolError("rename into place", path)
                unlinkat(dir, tmpName, 0)
                throw e
            }
            guard SyncTally.time({ fsync(dir) }) == 0 else { throw SpoolError("fsync directory", TrustedPath.parent(of: path)) }
        }
    }

    public static func writeFile(_ path: String, text: String, mode: mode_t = 0o644) throws {
        try writeFile(path, contents: Array(text.utf8), mode: mode)
    }

    /// rename(2) then fsync both folders. A SpoolError with `renameDone` set
    /// means the rename happened and only its fsync failed. Fails with EEXIST semantics when
    /// `noReplace` and the target exists (renameat2 RENAME_NOREPLACE), so a
    /// clash never overwrites anything.
    public static func move(_ from: String, to: String, noReplace: Bool = true) throws {
        // Both folders are reached from the spool root without following a
        // link: a planted `office/outbox/<group>` link into the archive
        // cannot make a claim take evidence out of the archive.
        let code = try TrustedPath.rename(from, to: to, noReplace: noReplace)
        guard code == 0 else { throw SpoolError("rename \(from) to", to, errno: code) }
        // From here the entry is at `to`, whatever fails: a failed fsync must
        // never be taken for a failed rename (a caller that undid the "failed"
        // rename would remove what was just moved in).
        let fromDir = TrustedPath.parent(of: from)
        let toDir = TrustedPath.parent(of: to)
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
        let src = try TrustedPath.open(from, O_RDONLY)
        defer { close(src) }
        try publish(to, suffix: "part", mode: mode) { dst, tmp in
            try copyAll(from: src, source: from, to: dst, target: tmp, limit: .max)
        }
    }

    /// Copies everything `src` reads (by offset, from its start) to `dst`,
    /// at most `limit` bytes: past it the copy fails with EFBIG, so a sender
    /// still appending cannot make a copy grow without end.
    static func copyAll(from src: Int32, source: String, to dst: Int32, target: String, limit: Int64) throws {
        // Not zero-filled: only what pread returns is ever read from it, and
        // zeroing 1 MiB for every copy (two or more per submission, most
        // files a few kB) was a fifth of the daemon's instructions
        // (scripts/bench/profile.sh).
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let n = pread(src, buffer.baseAddress, buffer.count, off_t(total))
            if n < 0 {
                if errno == EINTR { continue }
                throw SpoolError("read", source)
            }
            if n == 0 { break }
            total += Int64(n)
            if total > limit { throw SpoolError("copy (it grew past max_file_size while being copied)", source, errno: EFBIG) }
            try writeAll(dst, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), path: target)
        }
    }

    /// This process's ID, read once: glibc asks the kernel at every
    /// getpid(), and every staged file's temporary name holds it (nine
    /// system calls a submission). The daemon never forks.
    static let processID = getpid()

    /// `.<name>.<pid>.<suffix>` beside `path`, the name cut short (between
    /// characters) so the whole fits a file name's 255 bytes: a final name
    /// that is itself near the limit must still be writable.
    /// Built from the path's bytes: through NSString it cost a hundred
    /// thousand instructions a file (make profile).
    static func temporaryPath(for path: String, suffix: String) -> String {
        let dir = TrustedPath.parent(of: path)
        let tail = ".\(processID).\(suffix)"
        let name = "." + prefix(of: TrustedPath.lastComponent(of: path), utf8Bytes: 255 - 1 - tail.utf8.count) + tail
        if dir.isEmpty { return name }
        return dir == "/" ? "/" + name : dir + "/" + name
    }

    /// The longest prefix of `s`, whole Unicode scalars only, of at most `max`
    /// UTF-8 bytes: cut before a byte that starts a scalar (never before a
    /// continuation byte, 10xxxxxx), the bytes otherwise as they are.
    static func prefix(of s: String, utf8Bytes max: Int) -> String {
        let utf8 = s.utf8
        guard utf8.count > max else { return s }
        var cut = utf8.index(utf8.startIndex, offsetBy: Swift.max(max, 0))
        while cut > utf8.startIndex, utf8[cut] & 0xC0 == 0x80 { cut = utf8.index(before: cut) }
        return String(Substring(utf8[..<cut]))
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
        TrustedPath.status(path) != nil
    }
}

/// A readers-writer lock around the process's umask: many threads may
/// create with it in place, one may clear it for a moment alone. Writers
/// go first (glibc's default lets readers that keep coming hold a writer
/// off for as long as they come: busy filing threads would keep a
/// recreated outbox waiting).
final class UmaskGate: @unchecked Sendable {
    static let shared = UmaskGate()
    private let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)

    private init() {
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    func shared<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func alone<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
