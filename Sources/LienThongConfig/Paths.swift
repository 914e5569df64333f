#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Path arithmetic for the config's file and folder keys. Purely lexical on
/// purpose: folders such as the spool may not exist yet when the config is checked
/// (the daemon creates them), so symlinks cannot be resolved and are not.
enum Paths {
    /// `path` made absolute against `base` (an absolute folder), then normalised.
    static func absolute(_ path: String, base: String) -> String {
        normalize(path.hasPrefix("/") ? path : base + "/" + path)
    }

    /// Removes empty and `.` components and folds `..` into its parent. Above the
    /// root `..` stays at the root, as the kernel does; in a relative path leading
    /// `..` components are kept, since they cannot be folded without knowing the base.
    static func normalize(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".":
                continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !isAbsolute {
                    parts.append(part)
                }
            default:
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if isAbsolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// The folder part of `path` ("" for a bare file name, "/" for a file at the root).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// How to show `path`, given in a file at `referrer` as the operator named it:
    /// relative to the same place the operator's own path is relative to, so that
    /// `lienthongctl check-config --config config/lienthong.toml` reports problems
    /// in `config/units.csv`, not in a long absolute path or a bare `units.csv`.
    static func display(_ path: String, referredFrom referrer: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        let folder = directory(of: referrer)
        return normalize(folder.isEmpty ? path : folder + "/" + path)
    }

    static func currentDirectory() -> String? {
        // glibc allocates a buffer of the right size when given none.
        guard let buffer = getcwd(nil, 0) else { return nil }
        defer { free(buffer) }
        return String(cString: buffer)
    }
}
