import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hidden temporary files a crash left behind: `DurableFS` and `SyncBatch`
/// write `.<name>.<pid>.tmp` (or `.part`) and rename it into place; a process
/// killed in between leaves the temporary name. They hold nothing that is not
/// elsewhere (a receipt is in the ledger, a copy's source is in the archive),
/// and a leftover can mislead (an office folder that looks taken). Only this
/// exact pattern, from another process, and only in folders the gateway
/// writes itself — never in `files/` (a sender's own names) or an outbox.
public enum StaleTemporaries {
    /// `.<something>.<digits>.tmp|part`, written by a process other than this one.
    public static func isStale(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.count > 1 else { return false }
        let parts = name.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, let suffix = parts.last, suffix == "tmp" || suffix == "part" else { return false }
        let pid = parts[parts.count - 2]
        guard !pid.isEmpty, pid.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int32(pid) else { return false }
        return n != DurableFS.processID && !parts[0..<(parts.count - 2)].joined(separator: ".").isEmpty
    }

    /// Removes stale temporaries in `dir` (and, when `recursive`, below it,
    /// never descending into a folder named `files` or through a symlink).
    /// Returns the paths removed.
    @discardableResult
    public static func clean(_ dir: String, recursive: Bool) -> [String] {
        var removed: [String] = []
        guard let names = try? TrustedPath.names(dir) else { return [] }
        for name in names {
            let path = dir + "/" + name
            guard let st = TrustedPath.status(path) else { continue }
            let type = st.st_mode & S_IFMT
            if type == S_IFREG, isStale(name), TrustedPath.unlink(path) {
                removed.append(path)
            } else if type == S_IFDIR, recursive, name != "files" {
                removed += clean(path, recursive: true)
            }
        }
        if !removed.isEmpty { try? DurableFS.syncDirectory(dir) }
        return removed
    }
}
