import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One daemon per spool: an exclusive flock(2) on `state/lienthongd.lock`,
/// held for the daemon's whole life through an open descriptor. Two daemons
/// on one spool split pairs between them and write the same receipt names;
/// the kernel drops the lock when the holder dies, even by SIGKILL, so a
/// crash never leaves the spool locked.
public final class SpoolLock {
    public let path: String
    /// Open for as long as this object lives; closing it unlocks.
    private let fd: Int32

    public static func path(in layout: SpoolLayout) -> String { layout.state + "/lienthongd.lock" }

    /// Another process holds the lock.
    public struct Held: Error, CustomStringConvertible {
        public let path: String
        public let spool: String
        /// The holder's PID, when it could be learnt.
        public let holder: Int32?

        public var description: String {
            let who = holder.map { "lienthongd (PID \($0))" } ?? "another lienthongd (PID unknown)"
            return "\(who) already runs on the spool \(spool): it holds the lock \(path). "
                + "One daemon per spool: stop the running one first (systemctl stop lienthongd), "
                + "or give this one a config with another spool."
        }
    }

    /// Takes the lock or throws `Held` at once (never waits). Makes
    /// `state/` if needed.
    public static func acquire(_ layout: SpoolLayout) throws -> SpoolLock {
        try DurableFS.makeDirectories(layout.state, mode: 0o700)
        let path = path(in: layout)
        // O_NOFOLLOW: state/ is the daemon's own, but a symlink planted
        // there must not redirect the PID write elsewhere.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw SpoolError("open the spool lock", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let err = errno
            defer { close(fd) }
            guard err == EWOULDBLOCK else { throw SpoolError("lock", path, errno: err) }
            throw Held(path: path, spool: layout.root, holder: holder(fd: fd))
        }
        // The PID is for the operator and for a second daemon's message; the
        // lock itself is what excludes, so no fsync.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return SpoolLock(path: path, fd: fd)
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// The holder's PID: written into the file right after it locked; if
    /// the file is still empty (it has just locked), /proc/locks names it.
    static func holder(fd: Int32) -> Int32? {
        for _ in 0..<10 {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            if n > 0, let pid = Int32(String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            usleep(20_000)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return ProcLocks.flockHolder(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

/// Reads /proc/locks (proc(5)): `1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF`.
enum ProcLocks {

    static func flockHolder(device: UInt64, inode: UInt64, text: String? = nil) -> Int32? {
        // Read to its end (TrustedPath.read): Foundation's
        // String(contentsOfFile:) stops after one page of a /proc file, whose
        // size reads as 0, and a server running Samba holds many locks.
        guard let text = text ?? TrustedPath.read("/proc/locks", limit: 16 << 20).map({ String(decoding: $0, as: UTF8.self) })
        else { return nil }
        // The kernel prints the device as major:minor in hex (two digits at least).
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        let want = String(format: "%02llx:%02llx:%llu", major, minor, inode)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "->" marks a waiter, not a holder: its fields are shifted by one.
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "WRITE", fields[5] == want else { continue }
            return Int32(fields[4])
        }
        return nil
    }
}
