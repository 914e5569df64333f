import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The copies `EvidenceSeal` stages beside each claimed file
/// (`.<name>.<pid>.tmp`, in `queue/<id>/files/`) when a crash comes before
/// they are renamed over it. `StaleTemporaries` never looks into `files/`
/// (those are the sender's files); these are told apart exactly: the copy of
/// a file the ledger lists, itself not listed. Left there, the copy would be
/// archived with the submission as if the sender had sent it.
public enum SealLeftovers {
    /// Removes the leftover copies of `claimed` (relative paths under
    /// `files`, as the ledger lists them); returns the paths removed.
    @discardableResult
    public static func clean(files: String, claimed: [String]) -> [String] {
        let listed = Set(claimed)
        var removed: [String] = []
        var touched: Set<String> = []
        for name in claimed {
            let folder = (name as NSString).deletingLastPathComponent
            let dir = folder.isEmpty ? files : files + "/" + folder
            let base = (name as NSString).lastPathComponent
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where isCopy(entry, of: base) {
                let relative = folder.isEmpty ? entry : folder + "/" + entry
                guard !listed.contains(relative) else { continue }
                var st = stat()
                guard lstat(dir + "/" + entry, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, unlink(dir + "/" + entry) == 0 else { continue }
                removed.append(dir + "/" + entry)
                touched.insert(dir)
            }
        }
        for dir in touched { try? DurableFS.syncDirectory(dir) }
        return removed
    }

    /// `.<base>.<digits>.tmp` from a process other than this one.
    static func isCopy(_ entry: String, of base: String) -> Bool {
        let head = "." + base + "."
        guard entry.hasPrefix(head), entry.hasSuffix(".tmp"), entry.count > head.count + 4 else { return false }
        let pid = entry.dropFirst(head.count).dropLast(4)
        guard pid.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int32(pid) else { return false }
        return n != getpid()
    }
}
