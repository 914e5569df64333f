import CLinux
import Foundation
import LienThongCore
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
/// committed); a round of many files or folders on one journaling file
/// system is one syncfs instead (`FileSystemSync`). The guarantees are those
/// of `DurableFS`: a name appears only for a file whose data is on disk, and
/// a step counts only after the barrier (`publishStaged`, `syncDirectories`)
/// that made it durable has returned.
///
/// Files may be staged for several later steps at once, each under a
/// `phase` label: `syncStaged` makes all their data durable in one barrier,
/// and `publishStaged(phase:)` later only renames that step's files, so a
/// step that needs its own barrier for its names no longer needs one for its
/// data (see `Placement.placeAll`).
public final class SyncBatch {
    private struct Staged { var temporary: String, final: String, phase: Int, synced: Bool, device: UInt64 }
    private var staged: [Staged] = []
    /// The temporary names of `staged`: no two staged files may share one.
    /// By bytes, as every set of names here: a String set takes the NFC and
    /// NFD spellings of a name for one.
    private var temporaries: Set<FileName> = []
    private var directories: [String] = []
    private var directorySet: Set<FileName> = []
    /// The file system of noted folders where it is known without opening them.
    private var directoryDevices: [FileName: UInt64] = [:]
    /// Each barrier's way to disk: an fsync per item, or one syncfs per
    /// file system for a large round (`FileSystemSync`).
    let fileSystems = FileSystemSync()
    /// Barriers that waited on the disk: rounds of file fsyncs and rounds of
    /// folder fsyncs (each at least one journal commit on ext4). Read by
    /// tests and benchmarks; a round with nothing to sync is not counted.
    public private(set) var fileBarriers = 0
    public private(set) var directoryBarriers = 0
    /// Fault injection for tests: called after every counted barrier with
    /// its kind; a throw is a crash at that point (the batch is abandoned
    /// as on any failure).
    var afterBarrier: ((Barrier) throws -> Void)?

    public enum Barrier: Sendable, Equatable { case files, directories }

    public init() {}

    deinit { abandon(); fileSystems.release() }

    /// Writes `contents` under a hidden temporary name beside `path`; it gets
    /// its real name in `publishStaged`.
    public func stage(_ path: String, contents: [UInt8], mode: mode_t = 0o644, phase: Int = 0) throws {
        try stage(path, mode: mode, phase: phase) { fd, tmp in try DurableFS.writeAll(fd, contents, path: tmp) }
    }

    public func stage(_ path: String, text: String, phase: Int = 0) throws {
        try stage(path, contents: Array(text.utf8), phase: phase)
    }

    /// Copies a regular file (never through a symlink) to a temporary name
    /// beside `to`; it gets its real name in `publishStaged`.
    public func stageCopy(from: String, to: String, mode: mode_t = 0o644, phase: Int = 0) throws {
        let src = try TrustedPath.open(from, O_RDONLY)
        defer { close(src) }
        try stageCopy(descriptor: src, from: from, to: to, mode: mode, limit: .max, phase: phase)
    }

    /// Copies what `src` reads, at most `limit` bytes (a sender still
    /// appending cannot make the copy grow without end: past the limit the
    /// copy is abandoned with EFBIG), to `temporary` (by default a hidden
    /// name beside `to`; it must be on the same file system).
    public func stageCopy(descriptor src: Int32, from: String, to: String, mode: mode_t, limit: Int64,
                          temporary: String? = nil, phase: Int = 0) throws {
        try stage(to, mode: mode, phase: phase, temporary: temporary) { dst, tmp in
            try DurableFS.copyAll(from: src, source: from, to: dst, target: tmp, limit: limit)
        }
    }

    private func stage(_ path: String, mode: mode_t, phase: Int, temporary: String? = nil, fill: (Int32, String) throws -> Void) throws {
        let tmp = try temporary.map(unused) ?? freeTemporary(for: path)
        let fd = try TrustedPath.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: mode, "create")
        defer { close(fd) }
        let device: UInt64
        do {
            device = try fileSystems.device(of: fd, path: tmp)
            try fill(fd, tmp)
        } catch {
            TrustedPath.unlink(tmp)
            throw error
        }
        staged.append(Staged(temporary: tmp, final: path, phase: phase, synced: false, device: device))
        temporaries.insert(FileName(tmp))
        // Start writing now; the fsync in publishStaged then mostly waits
        // for the one journal commit that covers every staged file.
        _ = lt_start_writeback(fd)
    }

    /// The hidden name beside `path` (`DurableFS.temporaryPath`), or, when a
    /// file staged in this batch already has it (two names near 255 bytes
    /// cut to one prefix, such as a receipt's `.txt` and `.json` staged
    /// together), a numbered one in the same folder: two staged files must
    /// never write to one temporary file.
    private func freeTemporary(for path: String) -> String {
        let plain = DurableFS.temporaryPath(for: path, suffix: "tmp")
        guard temporaries.contains(FileName(plain)) else { return plain }
        let dir = TrustedPath.parent(of: path)
        var n = temporaries.count
        while temporaries.contains(FileName(DurableFS.temporaryPath(for: dir + "/staged-\(n)", suffix: "tmp"))) { n += 1 }
        return DurableFS.temporaryPath(for: dir + "/staged-\(n)", suffix: "tmp")
    }

    /// A temporary name the caller chose, if no staged file has it yet.
    private func unused(_ temporary: String) throws -> String {
        guard !temporaries.contains(FileName(temporary)) else {
            throw SpoolError("stage (this temporary name is already staged in the batch; a bug, please report it)", temporary, errno: EEXIST)
        }
        return temporary
    }

    /// Barrier: makes every staged file not yet synced, of every phase,
    /// durable without renaming any: their data is on disk, their names are
    /// not there yet. One journal commit covers them all.
    public func syncStaged() throws {
        let pending = staged.indices.filter { !staged[$0].synced }
        guard !pending.isEmpty else { return }
        let whole = try fileSystems.sync(pending, device: { staged[$0].device }, fsyncOne: { try Self.fsyncFile(staged[$0].temporary) })
        for i in pending { staged[i].synced = true }
        markSynced(on: whole)
        try counted(.files)
    }

    /// Barrier (unless `syncStaged` has already made their data durable):
    /// fsyncs the staged files of `phase` (of every phase when nil), then
    /// renames each into place. Their folders are noted for
    /// `syncDirectories`. On failure every temporary file not yet renamed
    /// stays staged, for `abandon` to remove: nothing of it is visible.
    public func publishStaged(phase: Int? = nil) throws {
        let files = staged.filter { phase == nil || $0.phase == phase }
        staged.removeAll { phase == nil || $0.phase == phase }
        let unsynced = files.filter { !$0.synced }
        if !unsynced.isEmpty {
            do {
                markSynced(on: try fileSystems.sync(unsynced, device: \.device, fsyncOne: { try Self.fsyncFile($0.temporary) }))
            } catch {
                staged += files
                throw error
            }
            try counted(.files, unpublished: files)
        }
        for (i, file) in files.enumerated() {
            do { try putInPlace(file) } catch {
                staged += files[i...]
                throw error
            }
        }
    }

    private func putInPlace(_ file: Staged) throws {
        let code = try TrustedPath.rename(file.temporary, to: file.final, noReplace: false)
        guard code == 0 else { throw SpoolError("rename into place", file.final, errno: code) }
        temporaries.remove(FileName(file.temporary))
        note(TrustedPath.parent(of: file.final), device: file.device)
    }

    /// A syncfs wrote out everything on those file systems, the data of
    /// files staged there before it included: they need no sync of their
    /// own before their rename (the claim's seal copies, written before the
    /// renames' round, then go without a round of their own).
    private func markSynced(on devices: Set<UInt64>) {
        guard !devices.isEmpty else { return }
        for i in staged.indices where devices.contains(staged[i].device) { staged[i].synced = true }
    }

    /// fsync acts on the file, not the descriptor: reopening is fine, and
    /// keeps hundreds of staged files from holding descriptors.
    private static func fsyncFile(_ path: String) throws {
        let fd = try TrustedPath.open(path, O_RDONLY, "reopen to fsync")
        let ok = SyncTally.time({ fsync(fd) }) == 0
        let code = errno
        close(fd)
        guard ok else { throw SpoolError("fsync", path, errno: code) }
    }

    /// Counts a barrier that has returned and runs the test hook; files
    /// taken out of `staged` for publishing go back if the hook "crashes".
    private func counted(_ barrier: Barrier, unpublished: [Staged] = []) throws {
        switch barrier {
        case .files: fileBarriers += 1
        case .directories: directoryBarriers += 1
        }
        do { try afterBarrier?(barrier) } catch {
            staged += unpublished
            throw error
        }
    }

    /// rename(2) with RENAME_NOREPLACE (a clash never overwrites anything);
    /// both folders are noted for `syncDirectories`.
    public func move(_ from: String, to: String) throws {
        // Walked from the spool root: a link planted where a folder should
        // be is refused, never followed (see `TrustedPath`).
        let code = try TrustedPath.rename(from, to: to, noReplace: true)
        guard code == 0 else { throw SpoolError("rename \(from) to", to, errno: code) }
        note(TrustedPath.parent(of: from))
        note(TrustedPath.parent(of: to))
    }

    /// mkdir -p; the parent of each folder created is noted for
    /// `syncDirectories`. `exact`: the mode as given, whatever the umask
    /// (as `DurableFS.makeDirectories`).
    public func makeDirectories(_ path: String, mode: mode_t = 0o755, exact: Bool = false) throws {
        try DurableFS.withExactMode(exact) {
            try TrustedPath.makeDirectories(path, mode: mode) { [self] fd, parent in
                note(parent, device: try fileSystems.device(of: fd, path: parent))
            }
        }
    }

    /// A folder whose entries changed and must be made durable at the next
    /// barrier; `device`, its file system when the caller knows it.
    public func note(_ directory: String) { note(directory, device: nil) }

    func note(_ directory: String, device: UInt64?) {
        let key = FileName(directory)
        if directorySet.insert(key).inserted { directories.append(directory) }
        if let device { directoryDevices[key] = device }
    }

    /// Barrier: makes every noted folder durable once (an fsync each, or a
    /// syncfs for many). On failure every folder stays noted, so a retry
    /// syncs them again.
    public func syncDirectories() throws {
        guard !directories.isEmpty else { return }
        let whole = try fileSystems.sync(directories, device: { [self] dir in
            if let known = directoryDevices[FileName(dir)] { return known }
            return try TrustedPath.withFolder(dir, "open directory") { fd in try fileSystems.device(of: fd, path: dir) }
        }, fsyncOne: { try DurableFS.syncDirectory($0) })
        markSynced(on: whole)
        directories = []
        directorySet = []
        directoryDevices = [:]
        try counted(.directories)
    }

    /// Removes the staged files whose final path `matches`, unpublished
    /// (a step given up for one submission while the rest goes on).
    public func discardStaged(where matches: (String) -> Bool) {
        for file in staged where matches(file.final) {
            TrustedPath.unlink(file.temporary)
            temporaries.remove(FileName(file.temporary))
        }
        staged.removeAll { matches($0.final) }
    }

    /// Removes the temporary files of staged writes that were not published
    /// (after a failure): the spool is left as before the batch.
    public func abandon() {
        for file in staged { TrustedPath.unlink(file.temporary) }
        staged = []
        temporaries = []
    }
}
