import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File names that are not valid UTF-8 (a Linux client, an old Samba
/// charset setting, a hostile sender). Foundation turns their bytes into
/// U+FFFD when it lists a folder, and the mangled name names nothing, so such
/// a file could never be claimed and would sit in the outbox without a
/// receipt. Before anything else looks at a folder, each such entry is
/// renamed in place to a safe name: every byte that is not part of valid
/// UTF-8 written as `%XX`. The sender sees the new name in the receipt.
public enum RawNames {
    public struct Renamed: Sendable { public var from: String, to: String }

    /// Repairs the names in `dir` (and below, when `recursive`, never
    /// through a symlink). Returns what was renamed.
    @discardableResult
    public static func repair(_ dir: String, recursive: Bool) -> [Renamed] {
        // Opened by a guarded walk: a link planted where a folder should be
        // is neither listed nor renamed in.
        guard let folder = try? TrustedPath.openFolder(dir, "repair names in") else { return [] }
        defer { close(folder) }
        guard let entries = try? TrustedPath.entries(dir) else { return [] }
        var renamed: [Renamed] = []
        var subfolders: [String] = []
        for entry in entries where String(validating: entry.bytes, as: UTF8.self) != nil {
            if recursive, entry.isFolder { subfolders.append(dir + "/" + entry.name) }
        }
        for entry in entries where String(validating: entry.bytes, as: UTF8.self) == nil {
            let safe = escaped(entry.bytes)
            var n = 1
            while true {
                let name = n == 1 ? safe : "\(safe) (\(n))"
                let from = entry.bytes + [0]
                let r = from.withUnsafeBufferPointer { f in
                    lt_renameat_noreplace(folder, UnsafeRawPointer(f.baseAddress!).assumingMemoryBound(to: CChar.self), folder, name)
                }
                if r == 0 {
                    renamed.append(Renamed(from: entry.name, to: name))
                    if recursive, let st = TrustedPath.status(dir + "/" + name), (st.st_mode & S_IFMT) == S_IFDIR { subfolders.append(dir + "/" + name) }
                    break
                }
                if errno != EEXIST || n > 1000 { break }
                n += 1
            }
        }
        if !renamed.isEmpty { fsync(folder) }
        for sub in subfolders { renamed += repair(sub, recursive: true) }
        return renamed
    }

    /// Valid UTF-8 sequences kept, every other byte as `%XX`.
    public static func escaped(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            let lead = bytes[i]
            let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 0
            if length > 0, i + length <= bytes.count, let s = String(validating: bytes[i..<(i + length)], as: UTF8.self) {
                out += s
                i += length
            } else {
                out += String(format: "%%%02X", lead)
                i += 1
            }
        }
        return out
    }
}
