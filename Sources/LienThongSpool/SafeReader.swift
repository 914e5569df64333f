import CLibSSL
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one claimed entry turned out to be once opened safely.
public enum ClaimedEntry: Sendable {
    /// A regular file with one link, read whole (it was within the size limit).
    case file(bytes: [UInt8], sha256: String)
    /// Not something the gateway reads: kept as it is, reported with a reason.
    case refused(kind: String, reason: RefusalReason, size: Int64, sha256: String)

    public enum RefusalReason: Sendable { case notRegular, hardLinked, tooLarge, empty, unreadable }
}

/// Reads dropped files the way Postfix's safe_open does: never follow a
/// symlink, never open a FIFO or device for reading (O_NONBLOCK + fstat
/// before any read), refuse files with other hard links (the sender could
/// still change them), bound the size.
public enum SafeReader {
    public static func read(_ path: String, maxSize: Int64) -> ClaimedEntry {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .refused(kind: "missing", reason: .unreadable, size: 0, sha256: "") }
        let kind = kindName(st.st_mode)
        guard kind == "regular file" else { return .refused(kind: kind, reason: .notRegular, size: 0, sha256: "") }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return .refused(kind: kind, reason: .unreadable, size: Int64(st.st_size), sha256: "") }
        defer { close(fd) }
        // Check what was opened, not what was looked at: it may have been swapped.
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            return .refused(kind: kindName(st.st_mode), reason: .notRegular, size: 0, sha256: "")
        }
        let size = Int64(st.st_size)
        if st.st_nlink > 1 { return .refused(kind: kind, reason: .hardLinked, size: size, sha256: (try? hash(fd)) ?? "") }
        if size > maxSize { return .refused(kind: kind, reason: .tooLarge, size: size, sha256: (try? hash(fd)) ?? "") }
        if size == 0 { return .refused(kind: kind, reason: .empty, size: 0, sha256: SHA256Hex.of([])) }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        guard offset == bytes.count else { return .refused(kind: kind, reason: .unreadable, size: size, sha256: "") }
        return .file(bytes: bytes, sha256: SHA256Hex.of(bytes))
    }

    /// Hash without holding the file in memory (for files we refuse to read whole).
    static func hash(_ fd: Int32) throws -> String {
        let hasher = SHA256Hex()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw SpoolError("read", "fd \(fd)") }
            if n == 0 { break }
            hasher.update(buffer[0..<n])
            offset += off_t(n)
        }
        return hasher.finish()
    }

    public static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: return "regular file"
        case S_IFDIR: return "directory"
        case S_IFLNK: return "symbolic link"
        case S_IFIFO: return "FIFO"
        case S_IFSOCK: return "socket"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        default: return "unknown file type"
        }
    }
}

/// SHA-256 in lower-case hex, through OpenSSL's EVP interface.
public final class SHA256Hex {
    private let ctx: OpaquePointer

    public init() {
        ctx = EVP_MD_CTX_new()
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
    }
    deinit { EVP_MD_CTX_free(ctx) }

    public func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        _ = bytes.withContiguousStorageIfAvailable { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
            ?? Array(bytes).withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
    }

    public func finish() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &digest, &len)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest { out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func of(_ bytes: [UInt8]) -> String {
        let h = SHA256Hex()
        h.update(bytes)
        return h.finish()
    }
}
