import Foundation
import Testing
@testable import LienThongCore

@Suite("Registry and unit ids (SPEC §2, §8)")
struct RegistryTests {
    @Test("Valid unit ids", arguments: ["000.00.00.H41", "000.31.01.H41", "a", "A-b_c.9", String(repeating: "x", count: 64), "..."])
    func validIDs(_ id: String) {
        #expect(Unit.isValidID(id))
    }

    @Test("Invalid unit ids", arguments: [
        "", ".", "..", "a/b", "../x", "a b", "Sở", "x\u{0}", String(repeating: "x", count: 65), "a\\b", "ｘ", "a\n",
    ])
    func invalidIDs(_ id: String) {
        #expect(!Unit.isValidID(id))
    }

    @Test("Lookup by id keeps file order and the first of a repeated id")
    func lookup() {
        let r = Registry(units: [
            Unit(id: "A", name: "first", level: .department),
            Unit(id: "B", name: "b", level: .district),
            Unit(id: "A", name: "second", level: .commune),
        ])
        #expect(r.ids == ["A", "B", "A"])
        #expect(r["A"]?.name == "first")
        #expect(r["B"]?.level == .district)
        #expect(r["C"] == nil)
        #expect(Registry(units: [])["A"] == nil)
    }

    @Test("Levels are the four of SPEC §8")
    func levels() {
        #expect(UnitLevel.allCases.map(\.rawValue) == ["province", "department", "district", "commune"])
    }
}

@Suite("Configuration defaults are SPEC §8's")
struct ConfigDefaultsTests {
    @Test("Intake, rule, trust and fan-out defaults")
    func defaults() {
        let c = GatewayConfig(sourcePath: "/etc/lienthong/lienthong.toml", office: "000.00.00.H41", spool: "/var/spool/lienthong",
                              unitsPath: "/etc/lienthong/units.csv", registry: Registry(units: []))
        #expect(c.language == .vi)
        #expect(c.intake.settle == 2)
        #expect(c.intake.pairingWindow == 86_400)
        #expect(c.intake.maxFileSize == 200 * 1024 * 1024)
        #expect(c.rule.citation == "Công văn số 4116/UBND-CN ngày 12/6/2018 của UBND tỉnh Nghệ An")
        #expect(c.rule.effective[.province] == CivilDate(year: 2018, month: 7, day: 1))
        #expect(c.rule.effective[.department] == CivilDate(year: 2018, month: 7, day: 1))
        #expect(c.rule.effective[.district] == CivilDate(year: 2018, month: 7, day: 1))
        #expect(c.rule.effective[.commune] == CivilDate(year: 2018, month: 9, day: 1))
        #expect(c.trust.maxClockSkew == 300)
        #expect(c.fanout.deliveryLifetime == 5 * 86_400)
    }

    @Test("Civil dates order by year, month, day and print as ISO dates")
    func civilDate() {
        let a = CivilDate(year: 2018, month: 7, day: 1)
        #expect(a < CivilDate(year: 2018, month: 9, day: 1))
        #expect(CivilDate(year: 2018, month: 12, day: 31) < CivilDate(year: 2019, month: 1, day: 1))
        #expect(!(a < a))
        #expect(a.description == "2018-07-01")
        #expect(CivilDate(year: 5, month: 1, day: 2).description == "0005-01-02")
    }
}

@Suite("Signature facts")
struct SignatureFactsTests {
    @Test("A document is valid only with at least one signature, all valid, and no document problem")
    func validity() {
        let ok = SignatureFinding(file: "x.pdf", valid: true)
        let bad = SignatureFinding(file: "x.pdf", valid: false, problems: [.certificateRevoked])
        #expect(DocumentValidation(file: "x.pdf", signatures: [ok]).isValid)
        #expect(DocumentValidation(file: "x.pdf", signatures: [ok, ok]).isValid)
        #expect(!DocumentValidation(file: "x.pdf", signatures: []).isValid)
        #expect(!DocumentValidation(file: "x.pdf", signatures: [ok, bad]).isValid)
        #expect(!DocumentValidation(file: "x.pdf", signatures: [ok], problems: [.modifiedAfterSigning]).isValid)
    }

    @Test("Reasons merge document and signature problems, once each, in contract order")
    func reasons() {
        let v = DocumentValidation(file: "x.pdf", signatures: [
            SignatureFinding(file: "x.pdf", problems: [.signingTimeInFuture, .certificateUntrusted]),
            SignatureFinding(file: "x.pdf", problems: [.certificateUntrusted]),
        ], problems: [.modifiedAfterSigning])
        #expect(v.reasons == [.modifiedAfterSigning, .certificateUntrusted, .signingTimeInFuture])
    }

    @Test("Reason codes order as SPEC §4 lists them")
    func order() {
        #expect(ReasonCode.allCases.sorted() == ReasonCode.allCases)
        #expect(ReasonCode.missingElectronic < .unreadable)
    }

    @Test("Validation facts round-trip through JSON (the archived validation report)")
    func codable() throws {
        let v = DocumentValidation(file: "x.pdf", signatures: [
            SignatureFinding(file: "x.pdf", signer: "Nguyễn Văn An", organization: "Sở TT&TT", subject: "CN=Nguyễn Văn An",
                             signingTime: Date(timeIntervalSince1970: 1_700_000_000), timeSource: .timestamp, valid: true,
                             chain: ["CN=leaf", "CN=Root"], crlsUsed: ["root.crl"], notes: ["ok"]),
        ], notes: ["n"])
        let back = try JSONDecoder().decode(DocumentValidation.self, from: JSONEncoder().encode(v))
        #expect(back == v)
    }
}

@Suite("JSONValue")
struct JSONValueTests {
    @Test("Objects keep key order and compare in order")
    func order() {
        let a = JSONValue.object([("b", .int(1)), ("a", .int(2))])
        let b = JSONValue.object([("a", .int(2)), ("b", .int(1))])
        #expect(a != b)
        #expect(a.serialized() == "{\n  \"b\": 1,\n  \"a\": 2\n}\n")
        #expect(a["a"] == .int(2))
        #expect(a["c"] == nil)
        #expect(JSONValue.array([.int(1)])["a"] == nil)
    }

    @Test("Empty containers, null, booleans, negative numbers")
    func scalars() throws {
        let v = JSONValue.object([
            ("e", .array([])), ("o", .object([])), ("n", .null), ("t", .bool(true)), ("f", .bool(false)),
            ("i", .int(-42)), ("max", .int(Int64.max)), ("nested", .array([.array([.object([("k", .string(""))])])])),
        ])
        let text = v.serialized()
        #expect(text.contains("\"e\": []"))
        #expect(text.contains("\"o\": {}"))
        let obj = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(obj["n"] is NSNull)
        #expect(obj["i"] as? Int == -42)
        #expect(obj["max"] as? Int64 == Int64.max)
        #expect(obj["t"] as? Bool == true)
        #expect(obj["f"] as? Bool == false)
    }

    @Test("Every control character and the JSON specials are escaped", arguments: Array(0..<0x20) + [0x22, 0x5C, 0x7F, 0x2028, 0x2029])
    func escapes(_ value: Int) throws {
        let scalar = try #require(Unicode.Scalar(UInt32(value)))
        let s = "a" + String(Character(scalar)) + "b"
        let text = JSONValue.array([.string(s)]).serialized()
        let parsed = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String])
        #expect(parsed == [s])
        // Raw control characters never reach the file (only the layout's newlines).
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    /// The byte-wise writer gives exactly the bytes of the definition by
    /// Unicode scalars (the writer receipts were first filed with), on NFD
    /// names, quotes, every control character, DEL, U+2028/U+2029 and their
    /// neighbours, emoji, BOMs and deep nesting.
    @Test("Serialized bytes are the definition by scalars")
    func bytesAreTheDefinitionByScalars() {
        func byScalars(_ v: JSONValue, _ out: inout String, _ indent: Int) {
            func quote(_ s: String, _ out: inout String) {
                out += "\""
                for u in s.unicodeScalars {
                    switch u {
                    case "\"": out += "\\\""
                    case "\\": out += "\\\\"
                    case "\n": out += "\\n"
                    case "\r": out += "\\r"
                    case "\t": out += "\\t"
                    default:
                        if u.value < 0x20 || u.value == 0x7F || (u.value >= 0x2028 && u.value <= 0x2029) {
                            let hex = String(u.value, radix: 16)
                            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                        } else {
                            out.unicodeScalars.append(u)
                        }
                    }
                }
                out += "\""
            }
            let pad = String(repeating: "  ", count: indent + 1), closePad = String(repeating: "  ", count: indent)
            switch v {
            case .null: out += "null"
            case .bool(let b): out += b ? "true" : "false"
            case .int(let i): out += String(i)
            case .string(let s): quote(s, &out)
            case .array(let items):
                if items.isEmpty { out += "[]"; return }
                out += "[\n"
                for (i, item) in items.enumerated() {
                    out += pad
                    byScalars(item, &out, indent + 1)
                    out += i + 1 < items.count ? ",\n" : "\n"
                }
                out += closePad + "]"
            case .object(let fields):
                if fields.isEmpty { out += "{}"; return }
                out += "{\n"
                for (i, (k, v)) in fields.enumerated() {
                    out += pad
                    quote(k, &out)
                    out += ": "
                    byScalars(v, &out, indent + 1)
                    out += i + 1 < fields.count ? ",\n" : "\n"
                }
                out += closePad + "}"
            }
        }
        var tricky = ["", "plain", "Nguye\u{302}\u{303}n Va\u{306}n An.pdf", "Nguyễn Văn An.pdf", "say \"hi\"\\ /x/",
                      "\u{FEFF}bom", "🇻🇳👩‍💼", "\u{2027}\u{2028}\u{2029}\u{202A}\u{20AC}\u{2000}", "\u{E000}\u{10FFFF}",
                      "tail\u{2028}", "\u{2029}", "ends with E2 neighbour \u{2026}", "\u{7F}\u{80}\u{9F}\u{A0}"]
        tricky.append(String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init))))
        let value = JSONValue.object([
            ("strings", .array(tricky.map { .string($0) })),
            ("keys", .object(tricky.map { ($0, .string($0)) })),
            ("scalars", .array([.null, .bool(true), .bool(false), .int(0), .int(-1), .int(Int64.min), .int(Int64.max)])),
            ("empty", .array([.array([]), .object([]), .string("")])),
            ("deep", .array([.object([("a", .array([.object([("b", .array([.int(1), .array([.null])]))])]))])])),
        ])
        var expected = ""
        byScalars(value, &expected, 0)
        expected += "\n"
        #expect(Array(value.serialized().utf8) == Array(expected.utf8))
        for s in tricky {
            var one = ""
            byScalars(.string(s), &one, 0)
            #expect(Array(JSONValue.string(s).serialized().utf8) == Array((one + "\n").utf8), "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test("Keys are escaped too")
    func keyEscape() throws {
        let text = JSONValue.object([("a\"b\n", .int(1))]).serialized()
        let obj = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(obj["a\"b\n"] as? Int == 1)
    }
}
