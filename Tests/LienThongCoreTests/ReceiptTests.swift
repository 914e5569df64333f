import Foundation
import Testing
@testable import LienThongCore

enum R {
    static let citation = "Công văn số 4116/UBND-CN ngày 12/6/2018 của UBND tỉnh Nghệ An"
    static let received = Fixture.at(2024, 3, 5, 9, 30, 0)
    static let decided = Fixture.at(2024, 3, 5, 9, 30, 2)
    static let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func accepted(arrival: Int? = 17) -> Receipt {
        Receipt(
            submission: "20240305-000123", unit: "000.00.12.H41", unitName: "Sở Thông tin và Truyền thông",
            key: "4116-UBND-CN", document: DocumentNumber(number: "4116", symbol: "UBND-CN"), type: .congVan,
            accepted: true, reasons: [], warnings: [], arrivalNumber: arrival,
            files: [
                .init(name: "4116-UBND-CN.pdf", role: .electronic, size: 123_456, sha256: sha),
                .init(name: "4116-UBND-CN_scan.pdf", role: .scan, size: 654_321, sha256: sha),
            ],
            signatures: [
                SignatureFinding(file: "4116-UBND-CN.pdf", signer: "Nguyễn Văn An", organization: "Sở Thông tin và Truyền thông",
                                 subject: "CN=Nguyễn Văn An", signingTime: Fixture.at(2024, 3, 4, 16, 5, 9), timeSource: .timestamp,
                                 valid: true),
            ],
            receivedAt: received, decidedAt: decided, rule: citation)
    }

    static func rejectedMissingElectronic() -> Receipt {
        Receipt(
            submission: "20240306-000001", unit: "000.00.31.H41", unitName: "UBND huyện Nghi Lộc",
            key: "4116-UBND-CN", document: DocumentNumber(number: "4116", symbol: "UBND-CN"), type: .congVan,
            accepted: false, reasons: [Finding(.missingElectronic, "4116-UBND-CN_scan.pdf")], warnings: [], arrivalNumber: nil,
            files: [.init(name: "4116-UBND-CN_scan.pdf", role: .scan, size: 654_321, sha256: sha)],
            signatures: [], receivedAt: received, decidedAt: received + 24 * 3600, rule: citation)
    }

    static func parse(_ v: JSONValue) throws -> [String: Any] {
        let data = Data(v.serialized().utf8)
        let obj = try JSONSerialization.jsonObject(with: data)
        return try #require(obj as? [String: Any])
    }

    static func keys(_ v: JSONValue) -> [String] {
        if case .object(let f) = v { return f.map(\.0) }
        return []
    }

    static func isRFC3339(_ s: String) -> Bool { s.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/) != nil }
}

@Suite("Receipt JSON (SPEC §6)")
struct ReceiptJSONTests {
    @Test("Accepted receipt: every field, in SPEC order, with the right types")
    func acceptedFields() throws {
        let v = R.accepted().json(language: .vi, timeZone: Fixture.hcm)
        #expect(R.keys(v) == ["submission", "unit", "key", "document", "verdict", "status", "reasons", "arrival_number",
                              "files", "signatures", "received_at", "decided_at", "rule"])
        #expect(v["submission"] == .string("20240305-000123"))
        #expect(v["unit"] == .string("000.00.12.H41"))
        #expect(v["key"] == .string("4116-UBND-CN"))
        #expect(v["document"] == .object([("number", .string("4116")), ("symbol", .string("UBND-CN")), ("type", .string("CV"))]))
        #expect(v["verdict"] == .string("accepted"))
        #expect(v["status"] == .string("03"))
        #expect(v["reasons"] == .array([]))
        #expect(v["arrival_number"] == .int(17))
        #expect(v["received_at"] == .string("2024-03-05T09:30:00+07:00"))
        #expect(v["decided_at"] == .string("2024-03-05T09:30:02+07:00"))
        #expect(v["rule"] == .string(R.citation))

        let j = try R.parse(v)
        #expect(j["submission"] as? String == "20240305-000123")
        #expect(j["arrival_number"] as? Int == 17)
        let doc = try #require(j["document"] as? [String: Any])
        #expect(doc["number"] as? String == "4116")
        #expect(doc["symbol"] as? String == "UBND-CN")
        #expect(doc["type"] as? String == "CV")
        let files = try #require(j["files"] as? [[String: Any]])
        #expect(files.count == 2)
        #expect(files[0]["name"] as? String == "4116-UBND-CN.pdf")
        #expect(files[0]["role"] as? String == "electronic")
        #expect(files[0]["size"] as? Int == 123_456)
        #expect(files[0]["sha256"] as? String == R.sha)
        #expect(files[1]["role"] as? String == "scan")
        for f in files { #expect(Set(f.keys) == ["name", "role", "size", "sha256"]) }
        let sigs = try #require(j["signatures"] as? [[String: Any]])
        #expect(sigs.count == 1)
        #expect(Set(sigs[0].keys) == ["file", "signer", "organization", "signing_time", "time_source", "valid", "problems"])
        #expect(sigs[0]["file"] as? String == "4116-UBND-CN.pdf")
        #expect(sigs[0]["signer"] as? String == "Nguyễn Văn An")
        #expect(sigs[0]["organization"] as? String == "Sở Thông tin và Truyền thông")
        #expect(sigs[0]["signing_time"] as? String == "2024-03-04T16:05:09+07:00")
        #expect(sigs[0]["time_source"] as? String == "timestamp")
        #expect((sigs[0]["problems"] as? [Any])?.isEmpty == true)
        // Booleans and integers are JSON literals, not strings.
        let text = v.serialized()
        #expect(text.contains("\"valid\": true"))
        #expect(text.contains("\"size\": 123456"))
        #expect(text.contains("\"arrival_number\": 17"))
        #expect(text.hasSuffix("}\n"))
    }

    @Test("Rejected receipt: status 02, reasons with code and message, no arrival number")
    func rejectedFields() throws {
        let v = R.rejectedMissingElectronic().json(language: .vi, timeZone: Fixture.hcm)
        #expect(v["verdict"] == .string("rejected"))
        #expect(v["status"] == .string("02"))
        #expect(v["arrival_number"] == nil)
        #expect(!v.serialized().contains("arrival_number"))
        let j = try R.parse(v)
        #expect(j["arrival_number"] == nil)
        let reasons = try #require(j["reasons"] as? [[String: Any]])
        #expect(reasons.count == 1)
        #expect(reasons[0]["code"] as? String == "missing-electronic")
        #expect(reasons[0]["message"] as? String == ReasonText.sentence(.missingElectronic, .vi))
        #expect(j["decided_at"] as? String == "2024-03-06T09:30:00+07:00")
        #expect((j["signatures"] as? [Any])?.isEmpty == true)
    }

    @Test("Accepted without an arrival number (outbound) omits the field")
    func noArrivalNumber() {
        let v = R.accepted(arrival: nil).json(language: .vi, timeZone: Fixture.hcm)
        #expect(v["arrival_number"] == nil)
        #expect(v["status"] == .string("03"))
    }

    @Test("Reason messages follow the receipt language")
    func messagesInLanguage() throws {
        let en = try R.parse(R.rejectedMissingElectronic().json(language: .en, timeZone: Fixture.hcm))
        let reasons = try #require(en["reasons"] as? [[String: Any]])
        #expect(reasons[0]["message"] as? String == ReasonText.sentence(.missingElectronic, .en))
        #expect(reasons[0]["code"] as? String == "missing-electronic", "codes are never translated")
    }

    @Test("Document with a year, unknown document, and type codes with Đ")
    func documentVariants() throws {
        var r = R.accepted()
        r.document = DocumentNumber(number: "12", symbol: "QĐ-UBND")
        r.type = DocumentType.from(symbol: "QĐ-UBND")
        let j = try R.parse(r.json(language: .vi, timeZone: Fixture.hcm))
        let doc = try #require(j["document"] as? [String: Any])
        #expect(doc["type"] as? String == "QĐ")
        #expect(doc["symbol"] as? String == "QĐ-UBND")

        r.document = DocumentNumber(number: "30", year: "2020", symbol: "NĐ-CP")
        let doc2 = try #require(try R.parse(r.json(language: .vi, timeZone: Fixture.hcm))["document"] as? [String: Any])
        #expect(doc2["number"] as? String == "30")
        #expect(doc2["symbol"] as? String == "NĐ-CP")

        r.document = nil
        r.type = .congVan
        let doc3 = try #require(try R.parse(r.json(language: .vi, timeZone: Fixture.hcm))["document"] as? [String: Any])
        #expect(doc3["number"] == nil)
        #expect(doc3["type"] as? String == "CV")
    }

    @Test("Signature without a time: signing_time is null, problems listed")
    func signatureWithoutTime() throws {
        var r = R.rejectedMissingElectronic()
        r.signatures = [SignatureFinding(file: "x.pdf", signer: "", organization: "", timeSource: .arrival, valid: false,
                                         problems: [.certificateUntrusted, .certificateRevoked])]
        let v = r.json(language: .vi, timeZone: Fixture.hcm)
        let text = v.serialized()
        #expect(text.contains("\"signing_time\": null"))
        #expect(text.contains("\"valid\": false"))
        let j = try R.parse(v)
        let s = try #require((j["signatures"] as? [[String: Any]])?.first)
        #expect(s["signing_time"] is NSNull)
        #expect(s["time_source"] as? String == "arrival")
        #expect(s["problems"] as? [String] == ["certificate-untrusted", "certificate-revoked"])
    }

    /// RFC 3339 times are the bytes of the definition they were first
    /// written by (zeros before String(n)): zones east and west of UTC, with
    /// half and three-quarter hours, years below 1000, fractions of a second.
    @Test("RFC 3339 times are the definition's bytes",
          arguments: ["Asia/Ho_Chi_Minh", "UTC", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati", "America/Adak"])
    func rfc3339IsTheDefinition(_ zone: String) throws {
        let timeZone = try #require(TimeZone(identifier: zone))
        func byDefinition(_ date: Date) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let offset = timeZone.secondsFromGMT(for: date)
            let sign = offset < 0 ? "-" : "+"
            let hh = abs(offset) / 3600, mm = abs(offset) % 3600 / 60
            func p(_ n: Int?, _ w: Int = 2) -> String {
                let s = String(n ?? 0)
                return String(repeating: "0", count: max(0, w - s.count)) + s
            }
            return "\(p(c.year, 4))-\(p(c.month))-\(p(c.day))T\(p(c.hour)):\(p(c.minute)):\(p(c.second))\(sign)\(p(hh)):\(p(mm))"
        }
        var dates = [0, -1, 951_782_400, 951_868_799.999, 1_700_000_000.5, -62_135_596_800, -30_000_000_000, 253_402_300_799]
            .map { Date(timeIntervalSince1970: $0) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 { dates.append(Date(timeIntervalSince1970: Double.random(in: -2_300_000_000...4_200_000_000, using: &generator))) }
        for date in dates {
            #expect(Array(RFC3339.format(date, timeZone: timeZone).utf8) == Array(byDefinition(date).utf8), "\(date.timeIntervalSince1970)")
        }
    }

    @Test("Every role and time source is written with its contract name")
    func rawNames() {
        #expect(Set([FileRole.electronic, .scan, .signature, .manifest, .other].map(\.rawValue))
            == ["electronic", "scan", "signature", "manifest", "other"])
        #expect(SigningTimeSource.signingTime.rawValue == "signing-time")
    }

    @Test("Quotes, backslashes, control characters and Vietnamese text survive a round trip")
    func escaping() throws {
        let nasty = "Tờ trình \"gấp\" \\ C:\\x\n\t\r\u{0}\u{1}\u{1F}\u{7F}\u{2028}\u{2029} 🙂 Đ đ " + Fixture.nfd("Nghị định")
        var r = R.rejectedMissingElectronic()
        r.key = nasty
        r.submission = "id\"}, {\"x"
        r.unit = "</script>"
        r.files = [.init(name: nasty + ".pdf", role: .other, size: 0, sha256: "")]
        r.rule = nasty
        r.reasons = [Finding(.unsupportedFile, nasty)]
        r.warnings = [nasty]
        let text = r.json(language: .vi, timeZone: Fixture.hcm).serialized()
        // Only escaped forms of control characters appear in the output.
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        let j = try R.parse(r.json(language: .vi, timeZone: Fixture.hcm))
        #expect(j["key"] as? String == nasty)
        #expect(j["submission"] as? String == "id\"}, {\"x")
        #expect(j["unit"] as? String == "</script>")
        #expect(j["rule"] as? String == nasty)
        #expect((j["files"] as? [[String: Any]])?.first?["name"] as? String == nasty + ".pdf")
        // NFD text stays byte-for-byte as given.
        let key = try #require(j["key"] as? String)
        #expect(Array(key.unicodeScalars) == Array(nasty.unicodeScalars))
    }

    @Test("The same receipt always serialises to the same bytes")
    func deterministic() {
        let a = R.accepted().json(language: .vi, timeZone: Fixture.hcm).serialized()
        let b = R.accepted().json(language: .vi, timeZone: Fixture.hcm).serialized()
        #expect(a == b)
        #expect(Array(a.utf8) == Array(b.utf8))
    }

    @Test("Large sizes and arrival numbers stay integers")
    func largeIntegers() throws {
        var r = R.accepted(arrival: 2_147_483_647)
        r.files = [.init(name: "big.pdf", role: .scan, size: 9_000_000_000, sha256: R.sha)]
        let j = try R.parse(r.json(language: .vi, timeZone: Fixture.hcm))
        #expect((j["files"] as? [[String: Any]])?.first?["size"] as? Int64 == 9_000_000_000)
        #expect(j["arrival_number"] as? Int == 2_147_483_647)
    }

    @Test("Warnings of a paper-only acceptance are carried")
    func warnings() throws {
        var r = R.accepted()
        r.warnings = ["paper-only accepted"]
        let j = try R.parse(r.json(language: .vi, timeZone: Fixture.hcm))
        #expect(j["warnings"] as? [String] == ["paper-only accepted"])
    }
}

@Suite("RFC 3339 times")
struct RFC3339Tests {
    @Test("Asia/Ho_Chi_Minh is +07:00")
    func hcm() {
        let d = Fixture.at(2018, 7, 1, 0, 0, 0)
        #expect(RFC3339.format(d, timeZone: Fixture.hcm) == "2018-07-01T00:00:00+07:00")
        #expect(RFC3339.format(d, timeZone: TimeZone(identifier: "UTC")!) == "2018-06-30T17:00:00+00:00")
        #expect(R.isRFC3339(RFC3339.format(d, timeZone: Fixture.hcm)))
    }

    @Test("Offsets with minutes and negative offsets", arguments: [
        ("Asia/Kolkata", "+05:30"), ("America/St_Johns", "-03:30"), ("America/New_York", "-05:00"), ("Asia/Kathmandu", "+05:45"),
    ])
    func offsets(_ zone: String, _ suffix: String) throws {
        let tz = try #require(TimeZone(identifier: zone))
        let s = RFC3339.format(Fixture.at(2024, 1, 15, 12), timeZone: tz)
        #expect(s.hasSuffix(suffix), "\(s)")
        #expect(R.isRFC3339(s))
    }

    @Test("Formatted times parse back to the same second")
    func roundTrip() throws {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        for d in [Fixture.at(2024, 12, 31, 23, 59, 59), Fixture.at(2000, 2, 29, 0, 0, 1), Date(timeIntervalSince1970: 0)] {
            let s = RFC3339.format(d, timeZone: Fixture.hcm)
            let back = try #require(f.date(from: s), "\(s)")
            #expect(abs(back.timeIntervalSince(d)) < 1)
        }
    }

    @Test("Fractions of a second never round into the next minute")
    func fractions() {
        let d = Fixture.at(2024, 3, 5, 9, 59, 59) + 0.9999
        let s = RFC3339.format(d, timeZone: Fixture.hcm)
        #expect(s == "2024-03-05T09:59:59+07:00")
    }
}

@Suite("Receipt text (vi default, en on request)")
struct ReceiptTextTests {
    @Test("Vietnamese rejection for a missing electronic version cites the rule and says TRẢ LẠI")
    func vietnameseRejection() {
        let text = ReceiptText.render(R.rejectedMissingElectronic(), language: .vi, timeZone: Fixture.hcm)
        #expect(text.contains("Công văn số 4116/UBND-CN"))
        #expect(text.contains(R.citation))
        #expect(text.contains("TRẢ LẠI"))
        #expect(text.contains("missing-electronic"))
        #expect(text.contains(ReasonText.sentence(.missingElectronic, .vi)))
        #expect(text.contains("4116/UBND-CN — Công văn"))
        #expect(text.contains("UBND huyện Nghi Lộc (000.00.31.H41)"))
        #expect(text.contains("09:30:00 ngày 06/03/2024 (UTC+07:00)"), "times as a clerk writes them, in province time")
        #expect(text.contains("4116-UBND-CN_scan.pdf"))
        #expect(!text.contains("REJECTED"))
        #expect(!text.contains("Số đến"), "no arrival number on a rejection")
        #expect(text.hasSuffix("\n"))
    }

    @Test("The citation shown is the one passed in, not a built-in one")
    func citationPassedIn() {
        var r = R.rejectedMissingElectronic()
        r.rule = "Công văn số 99/UBND-VP ngày 1/1/2020 của UBND huyện"
        let text = ReceiptText.render(r, language: .vi, timeZone: Fixture.hcm)
        #expect(text.contains("Công văn số 99/UBND-VP"))
        #expect(!text.contains("4116/UBND-CN ngày"))
    }

    @Test("English text when asked")
    func english() {
        let text = ReceiptText.render(R.rejectedMissingElectronic(), language: .en, timeZone: Fixture.hcm)
        #expect(text.contains("REJECTED"))
        #expect(text.contains(ReasonText.sentence(.missingElectronic, .en)))
        #expect(text.contains("missing-electronic"))
        #expect(text.contains(R.citation), "the citation is quoted as issued")
        #expect(!text.contains("TRẢ LẠI"))
        #expect(!text.contains(ReasonText.sentence(.missingElectronic, .vi)))
        #expect(text.contains("Official letter"))
    }

    @Test("Accepted text shows the arrival number and signatures")
    func acceptedText() {
        let vi = ReceiptText.render(R.accepted(), language: .vi, timeZone: Fixture.hcm)
        #expect(vi.contains("ĐÃ TIẾP NHẬN"))
        #expect(vi.contains("Số đến: 17"))
        #expect(vi.contains("Nguyễn Văn An"))
        #expect(vi.contains("16:05:09 ngày 04/03/2024"))
        #expect(!vi.contains("TRẢ LẠI"))
        let en = ReceiptText.render(R.accepted(), language: .en, timeZone: Fixture.hcm)
        #expect(en.contains("ACCEPTED"))
        #expect(en.contains("Arrival number: 17"))
        #expect(en.contains("2024-03-04 16:05:09 (UTC+07:00)"))
    }

    @Test("Signature problems and a foreign signer are worded in the receipt's language")
    func signatureProblemsInTheReceiptLanguage() {
        var r = R.accepted()
        r.accepted = false
        r.arrivalNumber = nil
        r.signatures[0].valid = false
        r.signatures[0].problems = [.certificateRevoked]
        r.reasons = [SignerBindingDetail(required: "Trần Thị B", signers: ["CN=Nguyễn Văn An, O=Sở X"]).finding]
        let vi = ReceiptText.render(r, language: .vi, timeZone: Fixture.hcm)
        #expect(vi.contains(ReasonText.sentence(.certificateRevoked, .vi) + " [certificate-revoked]"))
        #expect(vi.contains("danh mục đơn vị yêu cầu người ký có tên “Trần Thị B”; người đã ký: CN=Nguyễn Văn An, O=Sở X"))
        #expect(!vi.contains("required:"), "the raw detail is not shown to a Vietnamese clerk")
        let en = ReceiptText.render(r, language: .en, timeZone: Fixture.hcm)
        #expect(en.contains("the registry requires a signer named “Trần Thị B”"))
        #expect(SignerBindingDetail(parsing: r.reasons[0]) == SignerBindingDetail(required: "Trần Thị B", signers: ["CN=Nguyễn Văn An, O=Sở X"]))
        #expect(SignerBindingDetail(parsing: Finding(.signerNotOfUnit, "free text")) == nil)
    }

    @Test("A receipt without a document number names the key")
    func noDocument() {
        var r = R.rejectedMissingElectronic()
        r.document = nil
        r.key = "biên bản họp"
        let text = ReceiptText.render(r, language: .vi, timeZone: Fixture.hcm)
        #expect(text.contains("biên bản họp"))
    }

    @Test("An empty unit name falls back to the id")
    func emptyUnitName() {
        var r = R.accepted()
        r.unitName = ""
        let text = ReceiptText.render(r, language: .vi, timeZone: Fixture.hcm)
        #expect(text.contains(": 000.00.12.H41\n"))
    }
}

@Suite("Reason sentences")
struct ReasonTextTests {
    @Test("Every reason code has a sentence in both languages", arguments: ReasonCode.allCases)
    func everyCode(_ code: ReasonCode) {
        let vi = ReasonText.sentence(code, .vi)
        let en = ReasonText.sentence(code, .en)
        #expect(!vi.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(!en.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(vi != en)
        #expect(vi.unicodeScalars.contains { $0.value > 0x7F }, "Vietnamese sentence has Vietnamese letters")
        #expect(Array(vi.utf8) == Array(Fixture.nfc(vi).utf8), "stored NFC")
    }

    @Test("Sentences are distinct per code")
    func distinct() {
        for lang in [ReceiptLanguage.vi, .en] {
            let all = ReasonCode.allCases.map { ReasonText.sentence($0, lang) }
            #expect(Set(all).count == all.count)
        }
    }

    @Test("The contract's sixteen codes, spelled as in SPEC §4")
    func contractCodes() {
        #expect(ReasonCode.allCases.map(\.rawValue) == [
            "missing-electronic", "missing-scan", "signature-missing", "signature-invalid", "modified-after-signing",
            "certificate-untrusted", "certificate-not-valid-at-signing", "certificate-revoked", "certificate-wrong-usage",
            "signing-time-in-future", "signer-not-of-unit", "unit-not-active", "duplicate", "unsupported-file", "too-large", "unreadable",
        ])
    }
}
