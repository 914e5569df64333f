import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Puts one outbound document into one recipient's `inbox/` (SPEC §7).
///
/// Each file is hard-linked from the archive when the inbox is on the same
/// filesystem (one inode, no copy, appears whole at once). Otherwise
/// (`EXDEV`) it is copied to a hidden temporary name in the inbox, fsynced
/// and renamed into place with `RENAME_NOREPLACE`. The inbox folder is then
/// fsynced. A name already taken by another file is never overwritten: the
/// document is delivered as `name (2).ext` instead, and the caller records
/// the suffix before anything is linked, so a redo after a crash recognises
/// its own file (same inode, or same bytes for a copy) rather than making a
/// second one.
public struct Delivery: Sendable {
    /// One file to deliver: where it is in the archive and the name it should have.
    public struct Item: Sendable, Equatable {
        public var source: String
        public var name: String
        public init(source: String, name: String) {
            self.source = source
            self.name = name
        }
    }

    public enum Result: Sendable, Equatable {
        /// Every file is in the inbox; `path` is the first item's final path.
        case delivered(path: String, copied: Bool)
        /// A file of the chosen name appeared that is not ours: choose the next suffix.
        case clash
    }

    public let inbox: String
    public let items: [Item]
    /// Tests only: behave as if the inbox were on another filesystem. The
    /// real cross-device path is tested on a tmpfs too.
    public var forceCopy = false

    public init(inbox: String, items: [Item]) {
        self.inbox = inbox
        self.items = items
    }

    /// `name` with the clash suffix: `X.pdf`, `X (2).pdf`; a detached
    /// signature follows its document: `X (2).docx.p7s`.
    public static func name(_ name: String, suffix: Int) -> String {
        guard suffix > 1 else { return name }
        let lower = name.lowercased()
        if lower.hasSuffix(".p7s"), name.count > 4 {
            return Self.name(String(name.dropLast(4)), suffix: suffix) + String(name.suffix(4))
        }
        let ext = (name as NSString).pathExtension
        let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        let s = " (\(suffix))"
        return ext.isEmpty ? stem + s : stem + s + "." + ext
    }

    /// The inbox must be an existing folder. It is never created here: a
    /// missing inbox is an unmounted or removed share, and documents put
    /// under it would be hidden from the unit; it fails and is retried.
    /// A symbolic link in its place is refused too: the inbox is in the
    /// unit's share, and the daemon never follows a link a unit could plant.
    public func checkInbox() throws {
        // Walked from the spool root: a link at the inbox or above it is
        // refused (the deferral's error names it) and left alone.
        try TrustedPath.withParent(inbox, "use recipient inbox") { _, _ in }
        guard let st = TrustedPath.status(inbox) else { throw SpoolError("find recipient inbox", inbox, errno: ENOENT) }
        if (st.st_mode & S_IFMT) == S_IFLNK {
            throw SpoolError.symlinkRefused(inbox, operation: "use recipient inbox", target: inbox)
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { throw SpoolError("use recipient inbox (not a folder)", inbox, errno: ENOTDIR) }
    }

    /// The smallest suffix under which no item's name is taken.
    public func freeSuffix() -> Int {
        var n = 1
        while items.contains(where: { DurableFS.exists(inbox + "/" + Self.name($0.name, suffix: n)) }) { n += 1 }
        return n
    }

    /// Delivers every item under `suffix`. Idempotent: a file already there
    /// that is ours counts as delivered. Throws on an I/O failure (the caller
    /// retries later); returns `.clash` when a foreign file holds a name.
    ///
    /// `syncFolder` false leaves the inbox's fsync to the caller, who links
    /// into many inboxes first and then fsyncs each once (on ext4 the first
    /// fsync commits the journal for all of them, the rest return at once).
    /// The caller must fsync before it records the delivery.
    public func deliver(suffix: Int, syncFolder: Bool = true) throws -> Result {
        try checkInbox()
        var placedNow: [String] = []
        var copied = false
        // Signatures first: when the document appears, its .p7s is already there.
        let ordered = items.enumerated().sorted { a, b in
            let sa = a.element.name.lowercased().hasSuffix(".p7s"), sb = b.element.name.lowercased().hasSuffix(".p7s")
            return sa != sb ? sa : a.offset < b.offset
        }.map(\.element)
        for item in ordered {
            let target = inbox + "/" + Self.name(item.name, suffix: suffix)
            switch try place(item.source, at: target) {
            case .placed(let viaCopy):
                placedNow.append(target)
                copied = copied || viaCopy
            case .alreadyOurs:
                break
            case .foreign:
                // Take back what this try put there, so a clash leaves no half set.
                for p in placedNow { TrustedPath.unlink(p) }
                try DurableFS.syncDirectory(inbox)
                return .clash
            }
        }
        if syncFolder { try DurableFS.syncDirectory(inbox) }
        return .delivered(path: inbox + "/" + Self.name(items[0].name, suffix: suffix), copied: copied)
    }

    enum Placed { case placed(copied: Bool), alreadyOurs, foreign }

    private func place(_ source: String, at target: String) throws -> Placed {
        if !forceCopy {
            let e = try TrustedPath.link(source, to: target)
            if e == 0 { return .placed(copied: false) }
            if e == EEXIST { return Self.sameContent(source, target) ? .alreadyOurs : .foreign }
            guard e == EXDEV || e == EPERM || e == EMLINK else { throw SpoolError("link \(source) to", target, errno: e) }
            // Another filesystem (or one that refuses hard links): copy.
        }
        if DurableFS.exists(target) { return Self.sameContent(source, target) ? .alreadyOurs : .foreign }
        let tmp = Self.temporaryPath(for: target)
        try copy(source, to: tmp)
        let e = try TrustedPath.rename(tmp, to: target, noReplace: true)
        if e != 0 {
            TrustedPath.unlink(tmp)
            if e == EEXIST { return Self.sameContent(source, target) ? .alreadyOurs : .foreign }
            throw SpoolError("rename \(tmp) to", target, errno: e)
        }
        return .placed(copied: true)
    }

    /// `.<name>.lienthong.part` in the inbox: hidden, and the same on every
    /// try, so a copy cut short by a crash is overwritten, not left to pile up.
    static func temporaryPath(for target: String) -> String {
        let dir = (target as NSString).deletingLastPathComponent
        let tail = ".lienthong.part"
        return dir + "/." + DurableFS.prefix(of: (target as NSString).lastPathComponent, utf8Bytes: 255 - 1 - tail.utf8.count) + tail
    }

    /// The copy of `DurableFS`; not its `publish`, whose rename may replace
    /// a name: a delivery renames with RENAME_NOREPLACE (`place`).
    private func copy(_ source: String, to tmp: String) throws {
        let src = try TrustedPath.open(source, O_RDONLY)
        defer { close(src) }
        let dst = try TrustedPath.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644, "create")
        do {
            try DurableFS.copyAll(from: src, source: source, to: dst, target: tmp, limit: .max)
            guard SyncTally.time({ fsync(dst) }) == 0 else { throw SpoolError("fsync", tmp) }
            close(dst)
        } catch {
            close(dst)
            TrustedPath.unlink(tmp)
            throw error
        }
    }

    /// The same inode, or a regular file with the same bytes (a copy).
    static func sameContent(_ a: String, _ b: String) -> Bool {
        guard let sa = TrustedPath.status(a), let sb = TrustedPath.status(b) else { return false }
        if sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino { return true }
        guard (sb.st_mode & S_IFMT) == S_IFREG, sa.st_size == sb.st_size else { return false }
        guard let ha = hash(a) else { return false }
        return ha == hash(b)
    }

    static func hash(_ path: String) -> String? {
        guard let fd = try? TrustedPath.open(path, O_RDONLY) else { return nil }
        defer { close(fd) }
        let h = SHA256Hex()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            h.update(buffer[0..<n])
        }
        return h.finish()
    }
}
