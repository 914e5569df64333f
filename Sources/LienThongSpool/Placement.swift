import Foundation
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

/// Files a decided submission away: receipt and report into its queue
/// folder, the folder renamed whole into the archive, a copy for the office's
/// clerks, the receipts into the sender's folder. Every step is idempotent,
/// so recovery simply runs `place` again after a crash.
public struct Placement: Sendable {
    public struct Plan: Sendable {
        public var submission: String
        public var unit: String
        public var key: String
        public var verdict: Verdict
        public var archiveDir: String
        public var receiptJSON: String
        public var receiptText: String
        public var report: String
        /// Copy the files into `office/inbox/<unit>/<key>/` (accepted inbound).
        public var officeCopy: Bool

        public init(submission: String, unit: String, key: String, verdict: Verdict, archiveDir: String,
                    receiptJSON: String, receiptText: String, report: String, officeCopy: Bool) {
            self.submission = submission
            self.unit = unit
            self.key = key
            self.verdict = verdict
            self.archiveDir = archiveDir
            self.receiptJSON = receiptJSON
            self.receiptText = receiptText
            self.report = report
            self.officeCopy = officeCopy
        }
    }

    public let layout: SpoolLayout
    /// Told of an office copy not made because a symbolic link stands where
    /// a folder of `office/inbox/` should be (a clerk can plant one there).
    /// The submission is still archived and its receipt written; the link is
    /// left alone for a person to remove.
    public let refusedOfficeCopy: @Sendable (String, SpoolError) -> Void

    public init(layout: SpoolLayout, refusedOfficeCopy: @escaping @Sendable (String, SpoolError) -> Void = { _, _ in }) {
        self.layout = layout
        self.refusedOfficeCopy = refusedOfficeCopy
    }

    /// Returns the receipt file written in the unit's `receipts/`. One plan
    /// is a batch of one (see `placeAll`).
    @discardableResult
    public func place(_ plan: Plan) throws -> String {
        try placeAll([plan])[0]
    }
}

extension Placement {
    /// `key + suffix` as a file or folder name. A key near the 255-byte
    /// limit of a name (long Vietnamese subjects) is cut, between Unicode
    /// scalars and without a trailing space or dot (which Windows clients
    /// cannot open), so that the name plus `reserving` still fits; the
    /// `(2)` logic keeps cut names apart, the receipt keeps the whole key.
    ///
    /// A key that starts with a dot (`..pdf`, `...`) would make a hidden
    /// receipt the clerk never sees, or name `.`/`..` themselves: it gets a
    /// leading `_`.
    static func name(_ key: String, _ suffix: String, reserving: String = "") -> String {
        let key = key.hasPrefix(".") || key.isEmpty ? "_" + key : key
        let budget = 255 - suffix.utf8.count - reserving.utf8.count
        guard key.utf8.count > budget else { return key + suffix }
        var cut = DurableFS.prefix(of: key, utf8Bytes: budget)
        while let last = cut.unicodeScalars.last, last == " " || last == "." {
            cut.unicodeScalars.removeLast()
        }
        return cut + suffix
    }
}

/// Walks a claimed tree without following links.
public enum SpoolTree {
    /// Relative paths of the regular files under `root`, sorted.
    public static func regularFiles(under root: String) throws -> [String] {
        try entries(under: root).filter { $0.isRegular }.map(\.path)
    }

    public struct Entry: Sendable {
        public var path: String
        public var isRegular: Bool
        public var kind: String
        /// What lstat said of it while it was listed (from the folder's
        /// descriptor): who looks again later compares with this.
        public var status: stat
    }

    /// Every non-directory entry under `root`, depth-first, sorted; symlinks
    /// are reported, never followed. Depth is bounded against hostile trees.
    public static func entries(under root: String, maxDepth: Int = 16) throws -> [Entry] {
        var out: [Entry] = []
        func walk(_ rel: String, depth: Int) throws {
            let dir = rel.isEmpty ? root : root + "/" + rel
            // One guarded walk per folder; each entry is looked at from the
            // folder's descriptor (lstat-like, never through a link) instead
            // of a walk to it again. The descriptor may be the folder
            // cache's own (lent): the listing reads a description of its own.
            try TrustedPath.withLentFolder(dir, "list folder") { folder in
                for name in try TrustedPath.entries(inFolder: folder, dir).map(\.name).sorted() {
                    let child = rel.isEmpty ? name : rel + "/" + name
                    var st = stat()
                    guard fstatat(folder, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                    if (st.st_mode & S_IFMT) == S_IFDIR {
                        if depth < maxDepth { try walk(child, depth: depth + 1) }
                        else { out.append(Entry(path: child, isRegular: false, kind: "directory nested too deep", status: st)) }
                    } else {
                        out.append(Entry(path: child, isRegular: (st.st_mode & S_IFMT) == S_IFREG, kind: SafeReader.kindName(st.st_mode),
                                         status: st))
                    }
                }
            }
        }
        try walk("", depth: 0)
        return out
    }
}
