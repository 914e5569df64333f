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
        var renamed: [Renamed] = []
        guard let stream = opendir(dir) else { return [] }
        var raw: [[UInt8]] = []
        var subfolders: [String] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { buffer -> [UInt8] in
                Array(buffer.prefix { $0 != 0 })
            }
            if bytes == [46] || bytes == [46, 46] { continue }
            if String(validating: bytes, as: UTF8.self) == nil {
                raw.append(bytes)
            } else if recursive, entry.pointee.d_type == DT_DIR {
                subfolders.append(dir + "/" + String(decoding: bytes, as: UTF8.self))
            }
        }
        closedir(stream)
        for bytes in raw {
            let safe = escaped(bytes)
            var n = 1
            while true {
                let name = n == 1 ? safe : "\(safe) (\(n))"
                let from = Array(dir.utf8) + [47] + bytes + [0]
                let to = Array((dir + "/" + name).utf8) + [0]
                let r = from.withUnsafeBufferPointer { f in
                    to.withUnsafeBufferPointer { t in
                        lt_rename_noreplace(UnsafeRawPointer(f.baseAddress!).assumingMemoryBound(to: CChar.self),
                                            UnsafeRawPointer(t.baseAddress!).assumingMemoryBound(to: CChar.self))
                    }
                }
                if r == 0 {
                    renamed.append(Renamed(from: String(decoding: bytes, as: UTF8.self), to: name))
                    var st = stat()
                    if recursive, lstat(dir + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { subfolders.append(dir + "/" + name) }
                    break
                }
                if errno != EEXIST || n > 1000 { break }
                n += 1
            }
        }
        if !renamed.isEmpty { try? DurableFS.syncDirectory(dir) }
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
