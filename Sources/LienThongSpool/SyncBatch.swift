import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Group commit for the file system. `DurableFS` makes each step durable on
/// its own: a file's fsync and its folder's fsync per write. For a burst of
/// submissions that is dozens of journal commits each. A batch does the same
/// steps for many files in phases instead — write every file (writeback
/// started at once), fsync them all, rename them all into place, fsync each
/// touched folder once — so one journal commit covers the whole phase (ext4
/// completes an fsync at once when the inode's transaction is already
/// committed). The guarantees are those of `DurableFS`: a name appears only
/// for a file whose data is on disk, and a step counts only after the barrier
/// (`publishStaged`, `syncDirectories`) that made it durable has returned.
public final class SyncBatch {
    private struct Staged { var temporary: String, final: String }
    private var staged: [Staged] = []
    private var directories: [String] = []
    private var directorySet: Set<String> = []

    public init() {}

    deinit { abandon() }

    /// Writes `contents` under a hidden temporary name beside `path`; it gets
    /// its real name in `publishStaged`.
    public func stage(_ path: String, contents: [UInt8], mode: mode_t = 0o644) throws {
        try stage(path, mode: mode) { fd, tmp in try DurableFS.writeAll(fd, contents, path: tmp) }
    }

    public func stage(_ path: String, text: String) throws {
        try stage(path, contents: Array(text.utf8))
    }

    /// Copies a regular file (never through a symlink) to a temporary name
    /// beside `to`; it gets its real name in `publishStaged`.
    public func stageCopy(from: String, to: String, mode: mode_t = 0o644) throws {
        let src = try TrustedPath.open(from, O_RDONLY)
        defer { close(src) }
        try stageCopy(descriptor: src, from: from, to: to, mode: mode, limit: .max)
    }

    /// Copies what `src` reads, at most `limit` bytes (a sender still
    /// appending cannot make the copy grow without end: past the limit the
    /// copy is abandoned with EFBIG), to `temporary` (by default a hidden
    /// name beside `to`; it must be on the same file system).
    public func stageCopy(descriptor src: Int32, from: String, to: String, mode: mode_t, limit: Int64, temporary: String? = nil) throws {
        try stage(to, mode: mode, temporary: temporary) { dst, tmp in
            try DurableFS.copyAll(from: src, source: from, to: dst, target: tmp, limit: limit)
        }
    }

    private func stage(_ path: String, mode: mode_t, temporary: String? = nil, fill: (Int32, String) throws -> Void) throws {
        let tmp = temporary ?? DurableFS.temporaryPath(for: path, suffix: "tmp")
        let fd = try TrustedPath.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: mode, "create")
        defer { close(fd) }
        do {
            try fill(fd, tmp)
        } catch {
            TrustedPath.unlink(tmp)
            throw error
        }
        staged.append(Staged(temporary: tmp, final: path))
        // Start writing now; the fsync in publishStaged then mostly waits
        // for the one journal commit that covers every staged file.
        _ = lt_start_writeback(fd)
    }

    /// Barrier: fsyncs every staged file, then renames each into place. Their
    /// folders are noted for `syncDirectories`. On failure every temporary
    /// file not yet renamed is removed and nothing of it is visible.
    public func publishStaged() throws {
        let files = staged
        for file in files {
            // fsync acts on the file, not the descriptor: reopening is fine,
            // and keeps hundreds of staged files from holding descriptors.
            let fd = try TrustedPath.open(file.temporary, O_RDONLY, "reopen to fsync")
            let ok = fsync(fd) == 0
            let code = errno
            close(fd)
            guard ok else { throw SpoolError("fsync", file.temporary, errno: code) }
        }
        for (i, file) in files.enumerated() {
            let code: Int32
            do { code = try TrustedPath.rename(file.temporary, to: file.final, noReplace: false) } catch {
                staged = Array(files[i...])
                throw error
            }
            guard code == 0 else {
                staged = Array(files[i...])
                throw SpoolError("rename into place", file.final, errno: code)
            }
            note((file.final as NSString).deletingLastPathComponent)
        }
        staged = []
    }

    /// rename(2) with RENAME_NOREPLACE (a clash never overwrites anything);
    /// both folders are noted for `syncDirectories`.
    public func move(_ from: String, to: String) throws {
        // Walked from the spool root: a link planted where a folder should
        // be is refused, never followed (see `TrustedPath`).
        let code = try TrustedPath.rename(from, to: to, noReplace: true)
        guard code == 0 else { throw SpoolError("rename \(from) to", to, errno: code) }
        note((from as NSString).deletingLastPathComponent)
        note((to as NSString).deletingLastPathComponent)
    }

    /// mkdir -p; the parent of each folder created is noted for
    /// `syncDirectories`. `exact`: the mode as given, whatever the umask
    /// (as `DurableFS.makeDirectories`).
    public func makeDirectories(_ path: String, mode: mode_t = 0o755, exact: Bool = false) throws {
        try DurableFS.withExactMode(exact) {
            try TrustedPath.makeDirectories(path, mode: mode) { [self] _, parent in note(parent) }
        }
    }

    /// A folder whose entries changed and must be fsynced at the next barrier.
    public func note(_ directory: String) {
        if directorySet.insert(directory).inserted { directories.append(directory) }
    }

    /// Barrier: fsyncs every noted folder once. A folder that failed stays
    /// noted, so a retry syncs it again.
    public func syncDirectories() throws {
        while let dir = directories.first {
            try DurableFS.syncDirectory(dir)
            directories.removeFirst()
            directorySet.remove(dir)
        }
    }

    /// Removes the temporary files of staged writes that were not published
    /// (after a failure): the spool is left as before the batch.
    public func abandon() {
        for file in staged { TrustedPath.unlink(file.temporary) }
        staged = []
    }
}
