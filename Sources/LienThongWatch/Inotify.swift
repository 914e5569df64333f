import Foundation
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

/// One decoded inotify event, with the watched folder resolved to its path.
public struct WatchEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Something was written, closed, created, moved in or changed.
        case activity
        /// An entry went away (deleted or moved out).
        case removed
        /// The kernel dropped events (IN_Q_OVERFLOW): rescan everything.
        case overflow
        /// A watched folder itself went away.
        case folderGone
    }
    public var kind: Kind
    /// The folder the event happened in (a watched folder's path).
    public var directory: String
    /// The entry's name inside `directory` (empty for folder events).
    public var name: String
    public var isDirectory: Bool
}

/// inotify on folder trees: watches a root and all its subfolders (never
/// through symlinks), adds watches for folders created later, and reports
/// events by path. Watchman's lesson: on overflow or any surprise, rescan.
public final class Inotify {
    public let fd: Int32
    private var paths: [Int32: String] = [:]
    /// By the folder's bytes: a String key takes the NFC and NFD spellings
    /// of one name (a Mac client's folder beside a Windows client's twin)
    /// for one folder, and the second was never watched.
    private var watches: [FileName: Int32] = [:]
    /// Watches we removed ourselves: the kernel may still deliver events
    /// queued for them (IN_MOVE_SELF after a folder moved out, IN_IGNORED
    /// after inotify_rm_watch). Those are expected, not a reason to rescan.
    private var forgotten: Set<Int32> = []
    /// Set when a watch could not be added (ENOSPC: max_user_watches reached):
    /// the folders are still rescanned periodically, so nothing is missed.
    public private(set) var impaired: String?

    static let mask: UInt32 = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_DELETE
        | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF) | UInt32(IN_DONT_FOLLOW) | UInt32(IN_ONLYDIR) | UInt32(IN_EXCL_UNLINK)

    public init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatchError("inotify_init1", "", errno) }
    }

    deinit { close(fd) }

    public var watchCount: Int { watches.count }

    /// Watches `root` and every folder below it. Returns the folders newly
    /// watched (the caller scans them: files may have arrived before the watch).
    /// A symbolic link where a folder should be is neither watched nor
    /// listed (IN_DONT_FOLLOW | IN_ONLYDIR refuse it, and a folder is listed
    /// only when it opens with O_NOFOLLOW). The caller reports such links.
    @discardableResult
    public func watchTree(_ root: String) -> [String] {
        var added: [String] = []
        var stack = [root]
        while let dir = stack.popLast() {
            if watches[FileName(dir)] == nil {
                let wd = inotify_add_watch(fd, dir, Self.mask)
                if wd < 0 {
                    let e = errno
                    if e == ENOSPC || e == ENOMEM {
                        impaired = "cannot watch \(dir): \(String(cString: strerror(e))) (raise fs.inotify.max_user_watches)"
                    } else if e == EACCES || e == EPERM {
                        // A folder the service user may not read (a sender's
                        // own permissions): polled by the 30 s rescans instead.
                        impaired = "cannot watch \(dir): \(String(cString: strerror(e))) (give the service's group read access)"
                    }
                    // Not a folder, or a link planted in its place (ENOTDIR,
                    // ELOOP): never watched, and never listed through.
                    continue
                }
                if let old = paths[wd], !old.hasSameBytes(as: dir) { watches[FileName(old)] = nil }
                forgotten.remove(wd)
                paths[wd] = dir
                watches[FileName(dir)] = wd
                added.append(dir)
            }
            for name in Self.subfolders(of: dir) { stack.append(dir + "/" + name) }
        }
        return added
    }

    /// The names of the real folders in `dir`, which is opened with
    /// O_NOFOLLOW: a link that replaced it since it was watched is not listed.
    static func subfolders(of dir: String) -> [String] {
        let folder = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0, let stream = fdopendir(folder) else {
            if folder >= 0 { close(folder) }
            return []
        }
        defer { closedir(stream) }
        var out: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                guard fstatat(folder, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                type = (st.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : 0
            }
            if type == UInt8(DT_DIR) { out.append(name) }
        }
        return out
    }

    /// Forgets watches on `dir` and below (the kernel drops them by itself
    /// when folders are deleted or moved away).
    public func forgetTree(_ dir: String) {
        let exact = FileName(dir), below = Array((dir + "/").utf8)
        for (path, wd) in watches where path == exact || path.bytes.starts(with: below) {
            inotify_rm_watch(fd, wd)
            watches[path] = nil
            paths[wd] = nil
            forgotten.insert(wd)
        }
    }

    public func clearImpaired() { impaired = nil }

    /// Reads everything pending without blocking. New subfolders are watched
    /// here, before the caller sees their events.
    public func read() -> [WatchEvent] {
        var events: [WatchEvent] = []
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = Glibc.read(fd, buffer, size)
            if n < 0 {
                if errno == EINTR { continue }
                break  // EAGAIN: drained
            }
            if n == 0 { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let ev = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                var name = ""
                if ev.len > 0 {
                    let namePtr = buffer.advanced(by: offset + header).assumingMemoryBound(to: CChar.self)
                    name = String(cString: namePtr)
                }
                offset += header + Int(ev.len)
                decode(ev, name: name, into: &events)
            }
        }
        return events
    }

    private func decode(_ ev: inotify_event, name: String, into events: inout [WatchEvent]) {
        let m = ev.mask
        if m & UInt32(IN_Q_OVERFLOW) != 0 {
            events.append(WatchEvent(kind: .overflow, directory: "", name: "", isDirectory: false))
            return
        }
        guard let dir = paths[ev.wd] else {
            // Left over from a watch we removed ourselves: expected, drop it.
            if forgotten.contains(ev.wd) {
                if m & UInt32(IN_IGNORED) != 0 { forgotten.remove(ev.wd) }
                return
            }
            // An event for a watch we never knew: the safe answer is a rescan.
            if m & UInt32(IN_IGNORED) == 0 { events.append(WatchEvent(kind: .overflow, directory: "", name: "", isDirectory: false)) }
            return
        }
        if m & UInt32(IN_IGNORED) != 0 || m & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            if m & UInt32(IN_IGNORED) != 0 {
                watches[FileName(dir)] = nil
                paths[ev.wd] = nil
            } else if m & UInt32(IN_MOVE_SELF) != 0 {
                // The folder now lives at some other path: its watches (and
                // those below it) no longer describe `dir`. Drop them so that
                // watching `dir` again watches whatever is there now.
                forgetTree(dir)
            }
            events.append(WatchEvent(kind: .folderGone, directory: dir, name: "", isDirectory: true))
            return
        }
        let isDir = m & UInt32(IN_ISDIR) != 0
        if m & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
            if isDir { forgetTree(dir + "/" + name) }
            events.append(WatchEvent(kind: .removed, directory: dir, name: name, isDirectory: isDir))
            return
        }
        if isDir, m & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
            // Watch the new folder and everything already inside it; the
            // caller treats this event as activity on the whole folder.
            watchTree(dir + "/" + name)
        }
        events.append(WatchEvent(kind: .activity, directory: dir, name: name, isDirectory: isDir))
    }
}

public struct WatchError: Error, CustomStringConvertible {
    public let operation: String, path: String, code: Int32
    public init(_ operation: String, _ path: String, _ code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }
    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
