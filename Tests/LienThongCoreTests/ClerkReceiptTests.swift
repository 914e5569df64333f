import Foundation
import Testing
@testable import LienThongCore

/// Receipts as a clerk on Windows opens them (issue 16): Notepad encoding,
/// sizes people read, the receiving office, and a next step for every reason.
@Suite("Receipts clerks can open")
struct ClerkReceiptTests {
    @Test func notepadTextHasOneBOMAndOnlyCRLFEndings() {
        let encoded = NotepadText.encode("một\nhai\r\nba\rbốn\n")
        #expect(Array(encoded.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(encoded == "\u{FEFF}một\r\nhai\r\nba\r\nbốn\r\n")
        #expect(NotepadText.encode(encoded) == encoded, "encoding twice must not add a second BOM or CR")
        #expect(NotepadText.decode(encoded) == "một\nhai\nba\nbốn\n")
    }

    /// The byte-wise encoding gives exactly the bytes of the definition by
    /// characters (each line ending seen once, "\r\n" being one character),
    /// NFD text and marks after a line end included.
    @Test(arguments: ["", "a\r\n\r\nb", "\r\r\n\n\r", "\n\u{301}x", "x\r", "\u{FEFF}\u{FEFF}y\n", "Hồ sơ\r\n",
                      "Ho\u{302}\u{300} so\u{31B}\u{309}\n", "🇻🇳\r\n👩‍💼\r", "\u{FEFF}", "a\u{FEFF}b\r\n"])
    func notepadTextByBytesIsTheDefinitionByCharacters(_ text: String) {
        func byCharacters(_ text: String) -> String {
            var body = Substring(text)
            while body.hasPrefix(NotepadText.byteOrderMark) { body = body.dropFirst() }
            var out = NotepadText.byteOrderMark
            for c in body { if c == "\r\n" || c == "\n" || c == "\r" { out += "\r\n" } else { out.append(c) } }
            return out
        }
        func decodedByCharacters(_ text: String) -> String {
            var body = Substring(text)
            while body.hasPrefix(NotepadText.byteOrderMark) { body = body.dropFirst() }
            var out = ""
            for c in body { if c == "\r\n" || c == "\r" { out += "\n" } else { out.append(c) } }
            return out
        }
        #expect(Array(NotepadText.encode(text).utf8) == Array(byCharacters(text).utf8))
        #expect(Array(NotepadText.decode(text).utf8) == Array(decodedByCharacters(text).utf8))
    }

    @Test(arguments: [
        (Int64(26_048), "25,4 KB", "25.4 KB"),
        (Int64(512), "512 byte", "512 bytes"),
        (Int64(1024), "1,0 KB", "1.0 KB"),
        (Int64(654_321), "639,0 KB", "639.0 KB"),
        (Int64(1_048_575), "1,0 MB", "1.0 MB"),
        (Int64(209_715_200), "200,0 MB", "200.0 MB"),
        (Int64(3_221_225_472), "3,0 GB", "3.0 GB"),
    ])
    func sizesReadAsPeopleReadThem(bytes: Int64, vi: String, en: String) {
        #expect(ByteSize.text(bytes, .vi) == vi)
        #expect(ByteSize.text(bytes, .en) == en)
    }

    @Test(arguments: ReasonCode.allCases)
    func everyReasonSaysWhatToDoNext(code: ReasonCode) {
        for language in [ReceiptLanguage.vi, .en] {
            let step = ReasonAction.nextStep(code, language)
            #expect(step.count > 20, "\(code) has no next step in \(language)")
            #expect(!ReasonText.sentence(code, language).contains(step))
            var r = R.rejectedMissingElectronic()
            r.reasons = [Finding(code, "")]
            let text = ReceiptText.render(r, language: language, timeZone: Fixture.hcm)
            #expect(text.contains(step), "\(code): the receipt text lacks the next step")
            let json = r.json(language: language, timeZone: Fixture.hcm)
            guard case .array(let reasons)? = json["reasons"], let first = reasons.first else {
                Issue.record("no reasons in the JSON receipt"); continue
            }
            #expect(first["next_step"] == .string(step))
        }
        let vi = Set(ReasonCode.allCases.map { ReasonAction.nextStep($0, .vi) })
        #expect(vi.count >= ReasonCode.allCases.count - 1, "next steps are copied between codes")
    }

    @Test func theReceiptFileIsNotepadTextNamingTheOfficeAndSizes() {
        var r = R.accepted()
        r.officeName = "UBND tỉnh Nghệ An"
        let file = ReceiptText.file(r, language: .vi, timeZone: Fixture.hcm)
        #expect(file.hasPrefix("\u{FEFF}PHIẾU TIẾP NHẬN"))
        let bytes = Array(file.utf8)
        for (i, b) in bytes.enumerated() where b == 0x0A {
            #expect(i > 0 && bytes[i - 1] == 0x0D, "a line ends in LF alone at byte \(i)")
        }
        #expect(file.contains("Nơi nhận: UBND tỉnh Nghệ An\r\n"))
        #expect(file.contains("(văn bản điện tử, 120,6 KB)"))
        #expect(!file.contains("bytes"))
        let en = ReceiptText.file(r, language: .en, timeZone: Fixture.hcm)
        #expect(en.contains("Received by: UBND tỉnh Nghệ An\r\n"))
        #expect(en.contains("(electronic, 120.6 KB)"))
        // The JSON stays plain UTF-8 for programs.
        #expect(!r.json(language: .vi, timeZone: Fixture.hcm).serialized().hasPrefix("\u{FEFF}"))
    }

    /// Clerk times are the bytes String(format:) gave them (the receipts
    /// filed before it was dropped): both languages, zones east and west of
    /// UTC and with half and three-quarter hours, midnight, leap days, years
    /// below 1000 and fractions of a second.
    @Test(arguments: ["Asia/Ho_Chi_Minh", "UTC", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati", "America/Adak"])
    func clerkTimeIsTheFormattedDefinition(_ zone: String) throws {
        let timeZone = try #require(TimeZone(identifier: zone))
        func byFormat(_ date: Date, _ language: ReceiptLanguage) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let clock = String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
            let offset = timeZone.secondsFromGMT(for: date)
            let zone = String(format: "UTC%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 3600, abs(offset) % 3600 / 60)
            switch language {
            case .vi: return String(format: "%@ ngày %02d/%02d/%04d (%@)", clock, c.day ?? 0, c.month ?? 0, c.year ?? 0, zone)
            case .en: return String(format: "%04d-%02d-%02d %@ (%@)", c.year ?? 0, c.month ?? 0, c.day ?? 0, clock, zone)
            }
        }
        var dates = [0, -1, 951_782_400, 951_868_799.999, 1_700_000_000.5, -62_135_596_800, -30_000_000_000, 253_402_300_799]
            .map { Date(timeIntervalSince1970: $0) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 { dates.append(Date(timeIntervalSince1970: Double.random(in: -2_300_000_000...4_200_000_000, using: &generator))) }
        for date in dates {
            for language in ReceiptLanguage.allCases {
                #expect(Array(ClerkTime.text(date, language, timeZone).utf8) == Array(byFormat(date, language).utf8), "\(date.timeIntervalSince1970)")
            }
        }
    }

    @Test func zeroPaddedIsPrintfsZeroPaddedDecimal() {
        for n in [0, 1, 9, 10, 99, 100, 999, 1000, 2026, 12345, 999_999, 1_000_000, -1, -9, -10, -99, -100, -2026, Int(Int32.max), Int(Int32.min) + 1] {
            for width in [1, 2, 4, 6] {
                #expect(ZeroPadded.decimal(n, width: width) == String(format: "%0\(width)d", n), "\(n) width \(width)")
            }
        }
    }
}
