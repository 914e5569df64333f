import Foundation
import Testing
@testable import LienThongCore

/// `String.nfc` and the ignore patterns' byte path skip Foundation for ASCII;
/// these hold them to the definitions they replace.
@Suite("NFC and ignore patterns without Foundation for ASCII")
struct NFCFastPathTests {
    /// Every ASCII byte alone and in pairs (CR LF among them), then names
    /// with NFD, NFC, Kelvin and Ångström signs (whose NFC is another letter).
    static let samples: [String] = {
        var out = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        out += (0..<128).flatMap { a in [10, 13, 32, 46, 65, 122].map { String(UnicodeScalar(UInt8(a))) + String(UnicodeScalar(UInt8($0))) } }
        out += ["", "Thumbs.db", "THUMBS.DB", "~$Báo cáo.docx", "Ba\u{301}o ca\u{301}o.pdf", "Báo cáo.pdf", "\u{212A}elvin.txt",
                "\u{212B}.pdf", "a\r\nb", "x\r", "Hồ sơ dự án", "Ho\u{302}\u{300} so\u{31B} du\u{31B}\u{323} a\u{301}n", "e\u{301}\u{301}", "\u{FFFD}"]
        return out
    }()

    @Test func nfcIsFoundationsNFCByteForByte() {
        for s in Self.samples {
            #expect(Array(s.nfc.utf8) == Array(s.precomposedStringWithCanonicalMapping.utf8), "\(Array(s.unicodeScalars))")
        }
    }

    /// The definition the byte path replaced: both sides folded to
    /// Characters (NFC, lowercased) and globbed by Characters.
    static func byCharacters(_ patterns: [String], _ name: String) -> Bool {
        let n = Array(name.precomposedStringWithCanonicalMapping.lowercased())
        return patterns.contains { IgnorePatterns.glob(Array($0.precomposedStringWithCanonicalMapping.lowercased()), n) }
    }

    @Test func matchesAgreesWithTheCharacterDefinition() {
        let patternSets: [[String]] = [
            ["~$*", ".~lock.*#", "Thumbs.db", "desktop.ini", "*.tmp", ".DS_Store", "?"],
            ["a?b", "a??b", "*\r\n*", "x*\r", "\u{212A}*", "k*", "ba\u{301}o*", "*cáo.pdf", "\u{212B}.pdf", "*"],
            ["??", "?\n", "*.PDF", "e\u{301}*"],
        ]
        for patterns in patternSets {
            let ignore = IgnorePatterns(patterns)
            for s in Self.samples + patterns {
                #expect(ignore.matches(s) == Self.byCharacters(patterns, s), "\(patterns) on \(Array(s.unicodeScalars))")
            }
        }
    }

    @Test func crLfIsOneCharacterForQuestionMark() {
        // One "?" takes CR LF whole, as the Character matcher always did.
        #expect(IgnorePatterns(["a?b"]).matches("a\r\nb"))
        #expect(!IgnorePatterns(["a??b"]).matches("a\r\nb"))
        #expect(IgnorePatterns(["a??b"]).matches("a\rxb"))
    }

    @Test func sameBytesIsByteEquality() {
        for a in Self.samples {
            for b in ["", "a", "Báo cáo.pdf", "Ba\u{301}o ca\u{301}o.pdf", "a\r\nb", "\u{212A}elvin.txt", "Kelvin.txt"] {
                #expect(a.hasSameBytes(as: b) == (Array(a.utf8) == Array(b.utf8)), "\(Array(a.unicodeScalars)) \(Array(b.unicodeScalars))")
            }
        }
        let long = String(repeating: "ơ", count: 127) + "x"
        #expect(long.hasSameBytes(as: String(long.unicodeScalars)))
        #expect(!long.hasSameBytes(as: String(long.dropLast()) + "y"))
    }
}
