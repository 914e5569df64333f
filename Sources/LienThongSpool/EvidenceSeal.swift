import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes each claimed file the daemon's own evidence (SPEC §10): its bytes
/// are copied into a new inode that the daemon owns, mode 0440, which then
/// replaces the claimed name; the sender's inode is unlinked.
///
/// Why a copy and not a chmod: Samba writes a clerk's file under the
/// clerk's uid, so the daemon cannot chmod it, and every later hard link to
/// that inode (an inbox delivery) would stay writable by every clerk of the
/// group. And a rename does not cut off a sender that still holds the file
/// open: after the copy, what it writes goes to an inode nobody reads.
///
/// Files the gateway refuses to read (not regular, other hard links, over
/// `max_file_size`) are left as they are: their finding is made from the
/// original, and they are never delivered.
public enum EvidenceSeal {
    /// Permission bits of sealed evidence: readable by the daemon and its
    /// group (the clerks' shares), writable by nobody.
    public static let mode: mode_t = 0o440

    /// Copies every eligible claimed file into a sealed inode, in one batch
    /// (write all, fsync all, rename all, fsync each folder once). Each copy
    /// is written under a temporary name in `staging` — the submission's own
    /// queue folder, never `files/`, where a sender's hidden names live and
    /// nothing may be removed: a temporary a crash leaves there is cleaned
    /// at start (`StaleTemporaries`). Returns the paths that were sealed.
    /// Throws when the batch could not be made durable; the claimed originals
    /// are then untouched and sealing may simply be tried again (it is
    /// idempotent: a second copy of a sealed file is the same bytes).
    @discardableResult
    public static func seal(_ files: [(path: String, staging: String)], maxSize: Int64) throws -> [String] {
        let batch = SyncBatch()
        let sealed = try stage(files, maxSize: maxSize, in: batch)
        try batch.publishStaged()
        try batch.syncDirectories()
        return sealed
    }

    /// The first half of `seal`: each eligible file's copy written to its
    /// temporary name in `batch` (writeback started), to be published by
    /// the batch's next `publishStaged`. A claim stages its copies before
    /// its own folder barrier, so that one journal commit makes both the
    /// renames and the copies' data durable. Returns the paths staged.
    @discardableResult
    public static func stage(_ files: [(path: String, staging: String)], maxSize: Int64, in batch: SyncBatch) throws -> [String] {
        var sealed: [String] = []
        for (n, file) in files.enumerated() {
            let path = file.path
            let src: Int32
            do {
                src = try TrustedPath.open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY, "open to seal")
            } catch let error as SpoolError where [ENOENT, ELOOP, ENXIO, EACCES].contains(error.code) {
                // Gone or not openable (a FIFO opens fine with O_NONBLOCK; a
                // symlink fails here): nothing to seal, the reader reports it.
                continue
            }
            defer { close(src) }
            var st = stat()
            guard fstat(src, &st) == 0 else { throw SpoolError("fstat to seal", path) }
            guard (st.st_mode & S_IFMT) == S_IFREG, st.st_nlink == 1, Int64(st.st_size) <= maxSize else { continue }
            let temporary = file.staging + "/.seal-\(n).\(DurableFS.processID).tmp"
            try batch.stageCopy(descriptor: src, from: path, to: path, mode: mode, limit: maxSize, temporary: temporary)
            sealed.append(path)
        }
        return sealed
    }
}
