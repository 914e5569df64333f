import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Folder listings by the names' exact bytes. Foundation's listing gives
/// Strings, and String equality is canonical equivalence: an NFC and an NFD
/// name would compare equal and hide a second file (DESIGN, evidence rules).
enum RawDirectory {
    struct Entry {
        var name: [UInt8]
        var stat: stat
        var isDirectory: Bool { (stat.st_mode & S_IFMT) == S_IFDIR }
        var display: String { String(decoding: name, as: UTF8.self) }
    }

    /// The entries of `path` with their lstat, sorted by name bytes; nil if
    /// the folder cannot be opened (missing, not a folder, no permission).
    static func list(_ path: String) -> [Entry]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var out: [Entry] = []
        let fd = dirfd(dir)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [46] || name == [46, 46] { continue }
            // fstatat on the raw bytes: a name that is not UTF-8 still stats.
            var st = stat()
            let found = (name + [0]).withUnsafeBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { fstatat(fd, $0.baseAddress!, &st, AT_SYMLINK_NOFOLLOW) == 0 }
            }
            if found { out.append(Entry(name: name, stat: st)) }  // else removed meanwhile
        }
        return out.sorted { $0.name.lexicographicallyPrecedes($1.name) }
    }

    /// Every non-folder entry below `root`, as relative name bytes
    /// (`a/b.pdf`), never through a symlink; depth bounded.
    static func walk(_ root: String, maxDepth: Int = 16) -> [(relative: [UInt8], entry: Entry)]? {
        guard let top = list(root) else { return nil }
        var out: [([UInt8], Entry)] = []
        func visit(_ entries: [Entry], prefix: [UInt8], depth: Int) {
            for e in entries {
                let rel = prefix.isEmpty ? e.name : prefix + [47] + e.name
                if e.isDirectory, depth < maxDepth, let inner = list(root + "/" + String(decoding: rel, as: UTF8.self)) {
                    visit(inner, prefix: rel, depth: depth + 1)
                } else {
                    out.append((rel, e))
                }
            }
        }
        visit(top, prefix: [], depth: 0)
        return out
    }
}
