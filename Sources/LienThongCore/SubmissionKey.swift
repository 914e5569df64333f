import Foundation

/// How a dropped name becomes a submission key (SPEC §3).
public enum SubmissionKey {
    /// Extensions that are stripped, repeatedly, from the end of a name:
    /// `X.docx.p7s` → `X`. Compared without case.
    public static let knownExtensions: Set<String> = [
        "pdf", "p7s", "p7m", "sig", "docx", "doc", "odt", "rtf", "txt", "xlsx", "xls", "ods",
        "pptx", "ppt", "xml", "json", "zip", "jpg", "jpeg", "png", "tif", "tiff", "bmp", "gif",
    ]

    /// The key of a loose file: its NFC name without its known extensions and
    /// without a trailing scan marker (`_scan`, `-scan`, `.scan`, ` scan`).
    ///
    /// Names are taken apart by Unicode scalars, never by Characters: a
    /// prepended mark such as U+0605 joins the `.` after it into one grapheme
    /// cluster, so a Character search misses that dot (fuzzing found
    /// `X\u{605}` and `X\u{605}.p7s` keyed apart, and the pair split).
    public static func key(forFileName name: String) -> String {
        var base = name.nfc.unicodeScalars[...]
        while let (rest, ext) = lastExtension(base) {
            // Stop before a degenerate rest (`..pdf` keeps `.pdf`), so that
            // `..pdf.p7s` still strips to the same key as `..pdf` (fuzzing found
            // the pair split: the fallback below returned each whole name).
            guard knownExtensions.contains(ext), !isDegenerate(rest) else { break }
            base = rest
        }
        // A name that is only a marker (`_scan.pdf`) keeps the marker, so it
        // still shares its key with `_scan.pdf.p7s`.
        if let stripped = strippingScanMarker(base), !Self.isDegenerate(stripped) { base = stripped }
        let key = String(base).trimmingCharacters(in: .whitespaces)
        // A key names folders (office/inbox/<unit>/<key>/): never "." or "..".
        return isDegenerate(key.unicodeScalars[...]) ? name.nfc : key
    }

    /// The name before its last dot and the extension after it, lowercased;
    /// nil without a dot, or with one only at the start (`.hidden`).
    private static func lastExtension(_ name: Substring.UnicodeScalarView) -> (rest: Substring.UnicodeScalarView, ext: String)? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return (name[..<dot], String(name[name.index(after: dot)...]).lowercased())
    }

    /// Empty, blank, `.` or `..` (spaces trimmed): not usable as a key. Reads
    /// only the ends, so testing every step of a long name's stripping stays cheap.
    private static func isDegenerate(_ scalars: Substring.UnicodeScalarView) -> Bool {
        let isSpace = { (u: Unicode.Scalar) in CharacterSet.whitespaces.contains(u) }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return true }
        let core = scalars[first...last]
        return core.prefix(3).count <= 2 && core.allSatisfy { $0 == "." }
    }

    /// The key of a dropped folder is its name, NFC.
    public static func key(forFolderName name: String) -> String {
        name.nfc
    }

    /// True when the name ends with a scan marker, before its extensions.
    public static func hasScanMarker(_ name: String) -> Bool {
        var base = name.nfc.unicodeScalars[...]
        while let (rest, ext) = lastExtension(base), knownExtensions.contains(ext) {
            base = rest
        }
        return strippingScanMarker(base) != nil
    }

    /// The name without a trailing `_scan`, `-scan`, `.scan` or ` scan` (any case).
    private static func strippingScanMarker(_ base: Substring.UnicodeScalarView) -> Substring.UnicodeScalarView? {
        guard base.count > 4 else { return nil }
        let marker = base.index(base.endIndex, offsetBy: -5)
        guard "_-. ".unicodeScalars.contains(base[marker]),
              String(base[base.index(after: marker)...]).lowercased() == "scan" else { return nil }
        return base[..<marker]
    }
}

/// Shell-style name patterns for `intake.ignore`: `*` any run, `?` one
/// character; everything else literal (so `~$*` and `.~lock.*#` work as
/// written).
public struct IgnorePatterns: Sendable, Equatable {
    public let patterns: [String]
    /// Each pattern as it is compared, made once: normalising every pattern
    /// again for every inotify event was a tenth of the event loop's work
    /// (make profile).
    private let folded: [[Character]]
    /// The same as bytes when the folded pattern is plain ASCII (see `asciiFold`).
    private let foldedBytes: [[UInt8]?]

    public init(_ patterns: [String]) {
        self.patterns = patterns
        folded = patterns.map(Self.fold)
        foldedBytes = patterns.map { Self.asciiFold($0.nfc) }
    }

    public static func == (a: IgnorePatterns, b: IgnorePatterns) -> Bool { a.patterns == b.patterns }

    public func matches(_ name: String) -> Bool {
        guard !folded.isEmpty else { return false }
        // An ASCII name against ASCII patterns, byte by byte: the same answer
        // as by Characters (below), without building and comparing
        // Characters, 12,000 instructions a name (make profile).
        let bytes = Self.asciiFold(name)
        var characters: [Character]?
        for (i, p) in folded.enumerated() {
            if let bytes, let pb = foldedBytes[i] {
                if Self.glob(pb, bytes, star: UInt8(ascii: "*"), any: UInt8(ascii: "?")) { return true }
                continue
            }
            if characters == nil { characters = Self.fold(name) }
            if Self.glob(p, characters!) { return true }
        }
        return false
    }

    /// Case-insensitive (Windows clients write THUMBS.DB and Desktop.ini),
    /// NFC and NFD alike.
    static func fold(_ s: String) -> [Character] { Array(s.nfc.lowercased()) }

    /// `fold(s)` as bytes, one per Character, when `s` is ASCII without a
    /// CR (CR LF is one Character): lowercasing is then A-Z to a-z, and two
    /// such Characters are equal exactly when their bytes are. nil otherwise.
    static func asciiFold(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            guard b < 0x80, b != 0x0D else { return nil }
            out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
        }
        return out
    }

    static func glob(_ p: [Character], _ s: [Character]) -> Bool { glob(p, s, star: "*", any: "?") }

    static func glob<E: Equatable>(_ p: [E], _ s: [E], star wildcard: E, any: E) -> Bool {
        // Iterative matcher with one backtrack point: linear in practice and
        // never exponential on hostile names.
        var pi = 0, si = 0
        var star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == wildcard {
                star = pi
                mark = si
                pi += 1
            } else if pi < p.count, p[pi] == any || p[pi] == s[si] {
                pi += 1
                si += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                si = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == wildcard { pi += 1 }
        return pi == p.count
    }
}
