import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call on a spool path: says what, where and the errno text,
/// so an operator can act ("No space left on device" → free space).
public struct SpoolError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let path: String
    public let code: Int32
    /// Set by `DurableFS.move` when the rename itself succeeded and only
    /// making it durable (the folder fsync) failed: the entry has moved.
    public var renameDone = false
    /// Set when a symbolic link stood where a folder should be (a clerk may
    /// plant one in any folder of a share): the link's path.
    public private(set) var plantedSymlink: String?

    public init(_ operation: String, _ path: String, errno code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// `operation` on `target` refused because `link` is a symbolic link
    /// where a folder should be. The daemon leaves it alone.
    public static func symlinkRefused(_ link: String, operation: String, target: String) -> SpoolError {
        var e = SpoolError(operation == "" ? target : "\(operation) \(target)", link, errno: ELOOP)
        e.plantedSymlink = link
        return e
    }

    public var description: String {
        if let link = plantedSymlink {
            return "\(operation): a symbolic link where a folder should be: \(link); left alone, remove it and make a folder"
        }
        return "\(operation) \(path): \(String(cString: strerror(code)))"
    }

    /// Worth retrying later (disk full, quota, transient I/O), rather than a
    /// fault of the file itself.
    public var isResourceExhaustion: Bool { code == ENOSPC || code == EDQUOT || code == EIO || code == ENOMEM }
}
