import Foundation
import Testing
@testable import LienThongConfig
import LienThongCore

@Suite("TOML parser")
struct TOMLParserTests {
    private func parseClean(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLDocument {
        let (document, diagnostics) = TOMLParser.parse(text)
        #expect(diagnostics.isEmpty, "\(diagnostics)", sourceLocation: sourceLocation)
        return document
    }

    private func value(_ document: TOMLDocument, _ table: String, _ key: String) -> TOMLValue? {
        document.section(table)?.table[key]?.value.value
    }

    @Test func everyValueKindParses() throws {
        let doc = parseClean("""
            # a comment line
            [t]   # comment after a header
            basic = "Nghệ An \\"tỉnh\\"\\t\\\\ \\u1EC7\\U0001F600"  # trailing comment
            literal = 'C:\\no\\escapes "here"'
            empty = ""
            empty_literal = ''
            int = 42
            negative = -7
            grouped = 1_000_000
            yes = true
            no = false
            date = 2018-09-01
            "quoted key" = 1
            'literal key' = 2
            """)
        #expect(value(doc, "t", "basic") == .string("Nghệ An \"tỉnh\"\t\\ ệ😀"))
        #expect(value(doc, "t", "literal") == .string(#"C:\no\escapes "here""#))
        #expect(value(doc, "t", "empty") == .string(""))
        #expect(value(doc, "t", "empty_literal") == .string(""))
        #expect(value(doc, "t", "int") == .integer(42))
        #expect(value(doc, "t", "negative") == .integer(-7))
        #expect(value(doc, "t", "grouped") == .integer(1_000_000))
        #expect(value(doc, "t", "yes") == .boolean(true))
        #expect(value(doc, "t", "no") == .boolean(false))
        #expect(value(doc, "t", "date") == .date(CivilDate(year: 2018, month: 9, day: 1)))
        #expect(value(doc, "t", "quoted key") == .integer(1))
        #expect(value(doc, "t", "literal key") == .integer(2))
    }

    @Test func multiLineArrayWithCommentsAndTrailingComma() throws {
        let doc = parseClean("""
            [intake]
            ignore = [
                "~$*",      # Office lock files
                # a comment on its own line
                "*.tmp",

                "*.part",   # trailing comma follows
            ]
            after = 1
            """)
        guard case .array(let items)? = value(doc, "intake", "ignore") else {
            Issue.record("not an array"); return
        }
        #expect(items.map(\.value) == [.string("~$*"), .string("*.tmp"), .string("*.part")])
        #expect(items.map(\.line) == [3, 5, 7])
        #expect(doc.section("intake")?.table["after"]?.line == 9)
    }

    @Test func nestedArraysAndEmptyArray() {
        let doc = parseClean("[t]\na = []\nb = [[1, 2], [\"x\"]]\n")
        #expect(value(doc, "t", "a") == .array([]))
        #expect(value(doc, "t", "b") == .array([
            TOMLNode(value: .array([TOMLNode(value: .integer(1), line: 3), TOMLNode(value: .integer(2), line: 3)]), line: 3),
            TOMLNode(value: .array([TOMLNode(value: .string("x"), line: 3)]), line: 3),
        ]))
    }

    @Test func nestingIsBoundedAndParsingGoesOn() throws {
        let deepest = TOMLParser.maximumDepth
        let allowed = parseClean("[t]\na = " + String(repeating: "[", count: deepest) + String(repeating: "]", count: deepest) + "\n")
        #expect(allowed.section("t")?.table["a"] != nil)

        // Far deeper than the stack could take, arrays and inline tables mixed:
        // one diagnostic on the line that opens them, and the next key is read.
        for opener in ["[", "{ x = ", "[{ x = "] {
            let (document, diagnostics) = TOMLParser.parse("[t]\na = " + String(repeating: opener, count: 100_000) + "\n1]\nb = 2\n")
            #expect(diagnostics.count == 1, "\(opener): \(diagnostics)")
            let d = try #require(diagnostics.first)
            #expect(d.line == 2 && d.key == "a" && d.message.contains("nest more than \(deepest) levels"), "\(d)")
            #expect(value(document, "t", "b") == .integer(2))
        }
    }

    @Test func inlineTablesOnOneAndSeveralLines() throws {
        let doc = parseClean("""
            [rule]
            effective = { province = 2018-07-01, commune = 2018-09-01 }
            [fanout]
            groups = {
                economy = ["000.00.22.H41", "000.00.23.H41"],  # comment
                empty = {},
            }
            """)
        guard case .table(let effective)? = value(doc, "rule", "effective") else {
            Issue.record("not a table"); return
        }
        #expect(effective["province"]?.value.value == .date(CivilDate(year: 2018, month: 7, day: 1)))
        #expect(effective["commune"]?.value.value == .date(CivilDate(year: 2018, month: 9, day: 1)))
        guard case .table(let groups)? = value(doc, "fanout", "groups") else {
            Issue.record("not a table"); return
        }
        #expect(groups.entries.map(\.key) == ["economy", "empty"])
        #expect(groups["economy"]?.line == 5)
        #expect(groups["empty"]?.value.value == .table(TOMLTable()))
    }

    @Test func keysRememberTheirLines() {
        let doc = parseClean("\n\n[gateway]\n\noffice = \"x\"\n# c\nspool = \"y\"\n")
        #expect(doc.section("gateway")?.line == 3)
        #expect(doc.section("gateway")?.table["office"]?.line == 5)
        #expect(doc.section("gateway")?.table["spool"]?.line == 7)
    }

    @Test func keysBeforeAnyHeaderGoToTheRoot() {
        let doc = parseClean("office = \"x\"\n[gateway]\n")
        #expect(doc.root["office"]?.value.value == .string("x"))
    }

    // MARK: - Errors: each names its line (and key when there is one).

    private func diagnostic(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> TOMLParser.Diagnostic {
        let (_, diagnostics) = TOMLParser.parse(text)
        #expect(diagnostics.count == 1, "\(diagnostics)", sourceLocation: sourceLocation)
        return try #require(diagnostics.first, sourceLocation: sourceLocation)
    }

    @Test func unterminatedString() throws {
        let d = try diagnostic("[gateway]\noffice = \"000.00.00.H41\nspool = \"x\"\n")
        #expect(d.line == 2)
        #expect(d.table == "gateway")
        #expect(d.key == "office")
        #expect(d.message.contains("not closed"))
    }

    @Test func unquotedStringSuggestsQuotes() throws {
        let d = try diagnostic("[intake]\nsettle = 2s\n")
        #expect(d.line == 2)
        #expect(d.key == "settle")
        #expect(d.message.contains("\"2s\""))
        let word = try diagnostic("[gateway]\nlanguage = vi\n")
        #expect(word.message.contains("strings need quotes: \"vi\""))
    }

    @Test func missingEqualsSign() throws {
        let d = try diagnostic("[intake]\n\nsettle: \"2s\"\n")
        #expect(d.line == 3)
        #expect(d.key == "settle")
        #expect(d.message.contains("expected \"=\""))
    }

    @Test func badEscape() throws {
        let d = try diagnostic("[trust]\nanchors = \"C:\\trust\\anchors\"\n")
        #expect(d.line == 2)
        #expect(d.key == "anchors")
        #expect(d.message.contains("\\a is not an escape"))
    }

    @Test func badUnicodeEscape() throws {
        let short = try diagnostic("[t]\nk = \"\\u12\"\n")
        #expect(short.message.contains("4 hexadecimal digits"))
        let surrogate = try diagnostic("[t]\nk = \"\\uD800\"\n")
        #expect(surrogate.message.contains("not a Unicode scalar"))
    }

    @Test func unclosedArrayNamesTheLineItOpensOn() throws {
        let (_, diagnostics) = TOMLParser.parse("[intake]\nignore = [\n  \"a\",\n  \"b\"\n\n[trust]\nmax_clock_skew = \"5m\"\n")
        let first = try #require(diagnostics.first)
        #expect(first.key == "ignore")
        #expect(first.line == 2)
        #expect(first.message.contains("not closed before line 6"))
        // Parsing resumes at the table after it.
        #expect(diagnostics.count == 1, "\(diagnostics)")
    }

    @Test func recoveryAfterAnErrorInsideAMultiLineArray() throws {
        let (doc, diagnostics) = TOMLParser.parse("""
            [intake]
            ignore = [
                "a",
                b,
                "c",
            ]
            settle = "2s"
            [trust]
            tsa = "t"
            """)
        #expect(diagnostics.count == 1, "\(diagnostics)")
        #expect(diagnostics.first?.line == 4)
        #expect(doc.section("intake")?.table["settle"]?.value.value == .string("2s"))
        #expect(doc.section("intake")?.table.brokenKeys == ["ignore"])
        #expect(doc.section("trust")?.table["tsa"] != nil)
    }

    @Test func severalErrorsAreAllReported() {
        let (_, diagnostics) = TOMLParser.parse("""
            [gateway]
            office = 000.00.00.H41
            spool = "x
            language = "vi" "en"
            """)
        #expect(diagnostics.map(\.line) == [2, 3, 4])
        #expect(diagnostics.map(\.key) == ["office", "spool", "language"])
    }

    @Test func duplicateKeyNamesBothLines() throws {
        let d = try diagnostic("[intake]\nsettle = \"1s\"\nsettle = \"2s\"\n")
        #expect(d.line == 3)
        #expect(d.key == "settle")
        #expect(d.message.contains("first at line 2"))
    }

    @Test func duplicateTableNamesBothLines() throws {
        let d = try diagnostic("[intake]\n[trust]\n[intake]\n")
        #expect(d.line == 3)
        #expect(d.table == "intake")
        #expect(d.message.contains("first at line 1"))
    }

    @Test func duplicateKeyInInlineTable() throws {
        let d = try diagnostic("[rule]\neffective = { commune = 2018-09-01, commune = 2018-10-01 }\n")
        #expect(d.line == 2)
        #expect(d.key == "effective")
        #expect(d.message.contains("twice"))
    }

    @Test func invalidDates() throws {
        #expect(try diagnostic("[r]\nd = 2018-02-29\n").message.contains("has 28 days"))
        #expect(try diagnostic("[r]\nd = 2018-13-01\n").message.contains("no month 13"))
        // 2020 is a leap year.
        #expect(TOMLParser.parse("[r]\nd = 2020-02-29\n").diagnostics.isEmpty)
    }

    @Test func unsupportedConstructsSaySo() throws {
        #expect(try diagnostic("[r]\nd = 2018-07-01T08:00:00\n").message.contains("date-times"))
        #expect(try diagnostic("[r]\nd = 07:30:00\n").message.contains("times"))
        #expect(try diagnostic("[r]\nx = 1.5\n").message.contains("floating-point"))
        #expect(try diagnostic("[r]\nx = 0x1F\n").message.contains("decimal"))
        #expect(try diagnostic("[r]\nx = \"\"\"a\"\"\"\n").message.contains("multi-line"))
        #expect(try diagnostic("[r]\na.b = 1\n").message.contains("dotted keys"))
        #expect(try diagnostic("[a.b]\n").message.contains("nested tables"))
        #expect(try diagnostic("[[a]]\n").message.contains("arrays of tables"))
        #expect(try diagnostic("[r]\nx = 007\n").message.contains("start with 0"))
    }

    @Test func textAfterAValue() throws {
        let d = try diagnostic("[gateway]\nspool = \"/a\" \"/b\"\n")
        #expect(d.line == 2)
        #expect(d.message.contains("found '\"' after the value"))
    }

    @Test func keysAfterABrokenHeaderAreNotPutInThePreviousTable() {
        let (doc, diagnostics) = TOMLParser.parse("[gateway]\n[in take]\nsettle = \"2s\"\n")
        #expect(diagnostics.count == 1)
        #expect(doc.section("gateway")?.table.entries.isEmpty == true)
    }

    @Test func controlCharacterInString() throws {
        let d = try diagnostic("[t]\nk = \"a\u{01}b\"\n")
        #expect(d.message.contains("U+0001"))
    }
}

@Suite("TOML parser robustness")
struct TOMLParserRobustnessTests {
    /// The repository example cut short at every position and with single
    /// characters removed: whatever an editor leaves behind, the parser must finish
    /// and, for a broken file, say where.
    @Test func damagedFilesNeverCrashOrHang() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let text = try String(contentsOfFile: root + "/config/lienthong.toml", encoding: .utf8)
        let scalars = Array(text.unicodeScalars)
        var variants = 0
        var misplaced: [String] = []
        for cut in stride(from: 0, to: scalars.count, by: 1) {
            var truncated = ""
            truncated.unicodeScalars.append(contentsOf: scalars[..<cut])
            var withoutOne = truncated
            withoutOne.unicodeScalars.append(contentsOf: scalars[(cut + 1)...])
            // Every cut, and a deletion at every fourth place (enough to hit every
            // construct of the file; all of them would only make the suite slow).
            for variant in cut % 4 == 0 ? [truncated, withoutOne] : [truncated] {
                let (_, diagnostics) = TOMLParser.parse(variant)
                let lines = variant.split(separator: "\n", omittingEmptySubsequences: false).count
                if !diagnostics.allSatisfy({ (1...lines).contains($0.line) }) { misplaced.append(variant) }
                variants += 1
            }
        }
        #expect(variants == scalars.count + (scalars.count + 3) / 4)
        #expect(misplaced.isEmpty, "diagnostics outside the file in \(misplaced.count) variants")
    }

    @Test func hostileInputs() {
        for text in ["[", "]", "=", "\"", "'", "{", "a = {", "a = [", "a = [[[[", "a = \"\\", "a = \"\\u", "[a", "[\"a", "a = 1 = 2", "\u{0}", "\r", "a = -", "a = +", "a = 9223372036854775808", "a = -9223372036854775808"] {
            let (_, diagnostics) = TOMLParser.parse(text)
            if text == "a = -9223372036854775808" {
                #expect(diagnostics.isEmpty)
            } else {
                #expect(!diagnostics.isEmpty, "\(text.debugDescription)")
            }
        }
    }
}
