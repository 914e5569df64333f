import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether the spool's file system keeps a journal. Every promise of
/// durability rests on a rename that a crash either did or did not make:
/// ext4 without a journal (`mkfs.ext4 -O ^has_journal`, the root of some VM
/// images) does not give that after a crash without `e2fsck`, and its
/// allocator scans past every recently deleted inode for each new file. The
/// daemon says so at start; it does not refuse to run (the operator may have
/// reasons, and a warning in the journal is enough to act on).
public enum JournalCheck {
    /// ext2, ext3 and ext4 share this superblock magic.
    static let extMagic: Int = 0xEF53

    /// A warning when `path` lies on an ext2/3/4 file system whose device
    /// has no jbd2 journal; nil when it has one, is another file system, or
    /// the kernel does not say (no /proc/fs/jbd2, /sys not mounted).
    public static func warning(for path: String, procJBD2: String = "/proc/fs/jbd2") -> String? {
        guard lt_filesystem_type(path) == extMagic else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, let device = blockDevice(st.st_dev) else { return nil }
        guard let journals = try? FileManager.default.contentsOfDirectory(atPath: procJBD2) else { return nil }
        if journals.contains(where: { $0.hasPrefix(device + "-") }) { return nil }
        return "the spool \(path) is on an ext file system without a journal (\(device)): a crash can undo a rename the gateway "
            + "already counted, and every new file costs more; put the spool on a journaling file system (ext4 with its journal, XFS)"
    }

    /// The kernel's name of the block device `dev` (vda, loop0, dm-0), from /sys.
    static func blockDevice(_ dev: dev_t) -> String? {
        let d = UInt64(dev)
        let major = ((d >> 8) & 0xfff) | ((d >> 32) & ~UInt64(0xfff))
        let minor = (d & 0xff) | ((d >> 12) & ~UInt64(0xff))
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/sys/dev/block/\(major):\(minor)") else { return nil }
        let name = (target as NSString).lastPathComponent
        return name.isEmpty ? nil : name
    }
}
