#if canImport(Glibc)
import Glibc
#endif

/// A file's identity inside the pipeline: the exact bytes of its name.
///
/// Swift's `String` compares and hashes by canonical equivalence, so the NFC
/// and NFD spellings of one name are equal as Strings: a `[String: X]` keyed
/// by file names merges two different files (a forged unsigned PDF once
/// borrowed the facts of its signed twin this way). Anything that tells files
/// apart uses `FileName`; Unicode normalisation is for pairing keys and
/// display only.
public struct FileName: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let bytes: [UInt8]

    public init(_ name: String) { bytes = Array(name.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(stringLiteral name: String) { self.init(name) }

    /// The name as text, its bytes unchanged (names that are not UTF-8 were
    /// repaired before they reach the pipeline).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { string }

    public static func < (a: FileName, b: FileName) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public static func == (a: FileName, b: FileName) -> Bool { a.bytes == b.bytes }

    /// The bytes in one piece: `[UInt8]`'s own hashing feeds the hasher one
    /// byte at a time, which was the daemon's busiest hashing (make profile).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension String {
    /// Whether the two are the same bytes (not the same text: String's ==
    /// takes NFC and NFD for equal), in one memcmp: `utf8.elementsEqual`
    /// goes byte by byte through the generic iterator, some 3,000
    /// instructions for a path (make profile).
    public func hasSameBytes(as other: String) -> Bool {
        var a = self, b = other  // withUTF8 may make them contiguous; they already are
        return a.withUTF8 { x in
            b.withUTF8 { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
        }
    }
}

/// The names the claim gives a second file of the same name in one queue
/// folder: `X (2).docx`, and `X (2).docx.p7s` for its detached signature —
/// the number goes before the whole compound extension, so a document and
/// its signature still pair (`X (2).docx` + `X.docx (2).p7s` did not).
public enum NumberedName {
    /// `name` with ` (n)` before its extensions, the stem cut (between
    /// Unicode scalars, never normalised) so the result fits `maxBytes`.
    public static func numbered(_ name: String, _ n: Int, maxBytes: Int = 255) -> String {
        let (stem, extensions) = split(name)
        let tail = " (\(n))" + extensions
        // A document keeps room for its `.p7s`: cut at the limit, `X.docx`
        // and `X.docx.p7s` must still lose the same part of their stem.
        let reserve = hasP7sSuffix(extensions) ? 0 : 4
        var cut = String.UnicodeScalarView()
        var used = 0
        for u in stem.unicodeScalars {
            used += UTF8.width(u)
            if used + tail.utf8.count + reserve > maxBytes { break }
            cut.append(u)
        }
        return String(cut) + tail
    }

    /// Stem and compound extension: every known extension at the end
    /// (`.docx.p7s`, `.pdf`), or else the last one (`.abc`); a leading dot
    /// is part of the stem.
    public static func split(_ name: String) -> (stem: String, extensions: String) {
        // A detached signature splits like the document it signs
        // (`a.tar.gz.p7s` → `a.tar` + `.gz.p7s`), so the two stay a pair.
        if name.utf8.count > 4, hasP7sSuffix(name) {
            let signed = String(name.unicodeScalars.dropLast(4))
            let (stem, extensions) = split(signed)
            return (stem, extensions + String(name.unicodeScalars.suffix(4)))
        }
        let scalars = Array(name.unicodeScalars)
        var end = scalars.count
        var stripped = false
        while let dot = scalars[..<end].lastIndex(of: "."), dot > 0 {
            let ext = String(String.UnicodeScalarView(scalars[(dot + 1)..<end])).lowercased()
            if SubmissionKey.knownExtensions.contains(ext) {
                end = dot
                stripped = true
                continue
            }
            if !stripped, dot + 1 < end { end = dot }
            break
        }
        return (String(String.UnicodeScalarView(scalars[..<end])), String(String.UnicodeScalarView(scalars[end...])))
    }

    /// Ends with `.p7s` in any case, compared by scalars: `hasSuffix` compares
    /// Characters, and a prepended mark (U+0605) before the dot hides it.
    static func hasP7sSuffix(_ name: String) -> Bool {
        String(name.unicodeScalars.suffix(4)).lowercased() == ".p7s"
    }
}
