import Foundation
import Testing
@testable import LienThongCore

@Suite("Document numbers (số, ký hiệu) from file names and text")
struct DocumentNumberTests {
    @Test("4116-UBND-CN is công văn 4116, symbol UBND-CN")
    func congVanFromKey() throws {
        let d = try #require(DocumentNumber.find(in: "4116-UBND-CN"))
        #expect(d.number == "4116")
        #expect(d.year == nil)
        #expect(d.symbol == "UBND-CN")
        #expect(d.display == "4116/UBND-CN")
        #expect(d.firstSymbolGroup == "UBND")
        #expect(DocumentType.from(symbol: d.symbol) == .congVan)
        #expect(DocumentType.from(symbol: d.symbol).code == "CV")
    }

    @Test("45-BC-STTTT is a báo cáo")
    func baoCao() throws {
        let d = try #require(DocumentNumber.find(in: "45-BC-STTTT"))
        #expect(d.number == "45")
        #expect(d.symbol == "BC-STTTT")
        #expect(d.display == "45/BC-STTTT")
        let t = DocumentType.from(symbol: d.symbol)
        #expect(t.code == "BC")
        #expect(t.vietnamese == "Báo cáo")
    }

    @Test("123_QĐ-UBND is a quyết định (underscore for the slash)")
    func quyetDinhUnderscore() throws {
        let d = try #require(DocumentNumber.find(in: "123_QĐ-UBND"))
        #expect(d.number == "123")
        #expect(d.symbol == "QĐ-UBND")
        #expect(d.display == "123/QĐ-UBND")
        #expect(DocumentType.from(symbol: d.symbol).code == "QĐ")
        #expect(DocumentType.from(symbol: d.symbol).vietnamese == "Quyết định")
    }

    @Test("30-2020-NĐ-CP carries the year 2020 and symbol NĐ-CP")
    func decreeWithYear() throws {
        let d = try #require(DocumentNumber.find(in: "30-2020-NĐ-CP"))
        #expect(d.number == "30")
        #expect(d.year == "2020")
        #expect(d.symbol == "NĐ-CP")
        #expect(d.display == "30/2020/NĐ-CP")
        #expect(d.firstSymbolGroup == "NĐ")
    }

    @Test("Slashes as written in text are separators too")
    func slashes() throws {
        let d = try #require(DocumentNumber.find(in: "theo Công văn số 4116/UBND-CN ngày 12/6/2018"))
        #expect(d.display == "4116/UBND-CN")
        let law = try #require(DocumentNumber.find(in: "Nghị định 30/2020/NĐ-CP"))
        #expect(law.year == "2020")
        #expect(law.symbol == "NĐ-CP")
    }

    @Test("Found inside free text of a clerk's file name")
    func insideFreeText() throws {
        let d = try #require(DocumentNumber.find(in: "Công văn số 4116-UBND-CN về chữ ký số"))
        #expect(d.number == "4116")
        #expect(d.symbol == "UBND-CN")
        #expect(DocumentType.from(symbol: d.symbol) == .congVan)
    }

    @Test("Free text and a plain key pair up")
    func freeTextPairsWithKey() throws {
        let a = try #require(DocumentNumber.find(in: SubmissionKey.key(forFileName: Fixture.nfd("Công văn số 4116-UBND-CN về chữ ký số.pdf"))))
        let b = try #require(DocumentNumber.find(in: SubmissionKey.key(forFileName: "4116-UBND-CN_scan.pdf")))
        #expect(a.pairingIdentity == b.pairingIdentity)
    }

    @Test("Symbol stops before lower-case words and scan markers")
    func symbolStops() throws {
        #expect(DocumentNumber.find(in: "4116-UBND-CN_scan")?.symbol == "UBND-CN")
        #expect(DocumentNumber.find(in: "4116-UBND-CN ve chu ky so")?.symbol == "UBND-CN")
        #expect(DocumentNumber.find(in: "4116-UBND-CN.pdf")?.symbol == "UBND-CN")
    }

    @Test("Words after the symbol in a file name are not part of it", arguments: [
        ("4116-UBND-CN_Ve_viec_chu_ky_so", "UBND-CN"),
        ("CV_4116-UBND-CN_Về_việc_chữ_ký_số", "UBND-CN"),
        ("4116-UBND-CN-Ve-viec-trien-khai", "UBND-CN"),
        ("45-BC-STTTT_Bao_cao_thang_6", "BC-STTTT"),
        ("45-BC-STTTT_Baocaothang6nam2024", "BC-STTTT"),
        ("4116-UBND-CN_NGHEANPROVINCEXX", "UBND-CN"),
        ("17_QĐ-TTg_Ve_viec", "QĐ-TTg"),
        ("17-QĐ-TTg", "QĐ-TTg"),
        ("12-CTr-UBND_Chuong_trinh", "CTr-UBND"),
    ])
    func trailingWords(_ text: String, _ symbol: String) throws {
        let d = try #require(DocumentNumber.find(in: Fixture.nfc(text)))
        #expect(d.symbol == symbol)
        let plain = try #require(DocumentNumber.find(in: "\(d.number)-\(symbol)"))
        #expect(d.pairingIdentity == plain.pairingIdentity)
    }

    @Test("A slug-style name pairs with its scan")
    func slugPairsWithScan() throws {
        let electronic = try #require(DocumentNumber.find(in: SubmissionKey.key(forFileName: "4116-UBND-CN_Ve_viec_chu_ky_so.pdf")))
        let scan = try #require(DocumentNumber.find(in: SubmissionKey.key(forFileName: "4116-UBND-CN_scan.pdf")))
        #expect(electronic.pairingIdentity == scan.pairingIdentity)
    }

    @Test("Mixed-case type codes: CTr, TTr")
    func mixedCaseCodes() throws {
        let p = try #require(DocumentNumber.find(in: "12-CTr-UBND"))
        #expect(p.symbol == "CTr-UBND")
        #expect(DocumentType.from(symbol: p.symbol).code == "CTr")
        let t = try #require(DocumentNumber.find(in: "7-TTr-SNV"))
        #expect(DocumentType.from(symbol: t.symbol).code == "TTr")
        // Case is ignored when reading the code.
        #expect(DocumentType.from(symbol: "CTR-UBND").code == "CTr")
        #expect(DocumentType.from(symbol: "bc-STTTT").code == "BC")
    }

    @Test("Đ and D are different letters: ĐA đề án, DA dự án")
    func dStrokeIsNotD() throws {
        #expect(DocumentType.from(symbol: "ĐA-UBND").vietnamese == "Đề án")
        #expect(DocumentType.from(symbol: "DA-UBND").vietnamese == "Dự án")
        #expect(DocumentType.from(symbol: "HĐ-UBND").code == "HĐ")
        #expect(DocumentType.from(symbol: "HD-UBND").code == "HD")
        // A QD (without stroke) is not a quyết định.
        #expect(DocumentType.from(symbol: "QD-UBND") == .congVan)
        let a = try #require(DocumentNumber.find(in: "12-QĐ-UBND"))
        let b = try #require(DocumentNumber.find(in: "12-QD-UBND"))
        #expect(a.pairingIdentity != b.pairingIdentity)
        #expect(a != b)
    }

    @Test("Pairing ignores case and leading zeros, not the year")
    func pairingIdentity() {
        let a = DocumentNumber(number: "05", symbol: "QĐ-UBND")
        let b = DocumentNumber(number: "5", symbol: "qđ-ubnd")
        #expect(a.pairingIdentity == b.pairingIdentity)
        #expect(DocumentNumber(number: "0", symbol: "BC-X").pairingIdentity
            == DocumentNumber(number: "000", symbol: "BC-X").pairingIdentity)
        #expect(DocumentNumber(number: "10", symbol: "BC-X").pairingIdentity
            != DocumentNumber(number: "1", symbol: "BC-X").pairingIdentity)
        #expect(DocumentNumber(number: "30", year: "2020", symbol: "NĐ-CP").pairingIdentity
            != DocumentNumber(number: "30", year: "2021", symbol: "NĐ-CP").pairingIdentity)
        #expect(DocumentNumber(number: "30", year: "2020", symbol: "NĐ-CP").pairingIdentity
            != DocumentNumber(number: "30", symbol: "NĐ-CP").pairingIdentity)
    }

    @Test("Leading zeros are kept as written, and pair with the bare number")
    func leadingZeros() throws {
        let d = try #require(DocumentNumber.find(in: "005-QĐ-UBND"))
        #expect(d.number == "005")
        #expect(d.display == "005/QĐ-UBND")
        let e = try #require(DocumentNumber.find(in: "5_QĐ-UBND"))
        #expect(d.pairingIdentity == e.pairingIdentity)
    }

    @Test("NFD input gives the same identity after NFC")
    func nfdInput() throws {
        for text in ["Công văn số 4116-UBND-CN về chữ ký số", "12-QĐ-UBND", "Quyết định 123_QĐ-UBND thành lập Ban Chỉ đạo",
                     "Báo cáo 45-BC-SỞ-TTTT", "30-2020-NĐ-CP"] {
            let decomposed = Fixture.nfd(text)
            let nfcFromNFD = try #require(DocumentNumber.find(in: Fixture.nfc(decomposed)), "\(text)")
            let direct = try #require(DocumentNumber.find(in: text))
            #expect(nfcFromNFD == direct)
            #expect(nfcFromNFD.pairingIdentity == direct.pairingIdentity)
            #expect(Array(nfcFromNFD.pairingIdentity.utf8) == Array(direct.pairingIdentity.utf8))
        }
    }

    @Test("Pairing identity is the same bytes for an NFD-built and NFC-built number")
    func identityBytesAreNFC() {
        // A number read from a manifest may come decomposed; the identity is a key
        // (ledger rows, dictionaries keyed by bytes) and must be one spelling.
        let nfc = DocumentNumber(number: "45", symbol: "BC-SỞ")
        let nfd = DocumentNumber(number: "45", symbol: Fixture.nfd("BC-SỞ"))
        #expect(Array(nfc.pairingIdentity.utf8) == Array(nfd.pairingIdentity.utf8))
    }

    @Test("No number in plain words", arguments: [
        "bien ban hop", "biên bản họp", "", "scan", "Thumbs", "UBND-CN", "4116", "4116-", "4116-ubnd-cn",
        "CV4116-UBND", "abc123-UBND", "12345678-UBND-CN", "-", "_", "1-2-3-4",
    ])
    func noNumber(_ text: String) {
        #expect(DocumentNumber.find(in: text) == nil)
    }

    @Test("A number glued to a word is not a document number")
    func gluedNumber() {
        #expect(DocumentNumber.find(in: "ver2-UBND") == nil)
        // …but a later standalone one is found.
        #expect(DocumentNumber.find(in: "ver2-UBND 15-TB-UBND")?.display == "15/TB-UBND")
    }

    @Test("Symbol groups may carry digits after the first: QĐ-UBND-2")
    func digitGroups() throws {
        let d = try #require(DocumentNumber.find(in: "12-QĐ-UBND-2"))
        #expect(d.symbol == "QĐ-UBND-2")
    }

    @Test("Garbage does not crash", arguments: [
        "\u{0}\u{1}\u{2}", "////", "1/", "1-Đ", "9-\u{301}", "1-A\u{0}B", "🙂-12-QĐ-🙂", "１２-ＱĐ-ＵＢＮＤ",
        "\u{FEFF}4116-UBND-CN", "4116-\u{200B}UBND", String(repeating: "9", count: 40) + "-A",
        "4116-ÀÁÂÃ-\u{0300}\u{0301}", "12--QĐ", "12-_-QĐ", "1-AAAAAAAAAAAAA",
    ])
    func garbage(_ text: String) {
        let d = DocumentNumber.find(in: text)
        if let d {
            #expect(!d.number.isEmpty)
            #expect(!d.symbol.isEmpty)
        }
    }

    @Test("Long and hostile inputs are fast")
    func longInputs() {
        let inputs = [
            String(repeating: "1-", count: 100_000),
            String(repeating: "9", count: 200_000),
            "1-" + String(repeating: "A", count: 200_000),
            String(repeating: "1-A-", count: 50_000),
            String(repeating: "1-2020-", count: 30_000),
            String(repeating: "Công văn số ", count: 20_000) + "4116-UBND-CN",
            String(repeating: "12-QĐ", count: 40_000),
            String(repeating: "1 ", count: 100_000) + "77-BC-X",
        ]
        let clock = ContinuousClock()
        for text in inputs {
            var result: DocumentNumber?
            let elapsed = clock.measure { result = DocumentNumber.find(in: text) }
            #expect(elapsed < .seconds(2), "took \(elapsed) on \(text.prefix(20))…")
            _ = result
        }
        #expect(DocumentNumber.find(in: String(repeating: "Công văn số ", count: 20_000) + "4116-UBND-CN")?.display == "4116/UBND-CN")
        #expect(DocumentNumber.find(in: String(repeating: "1 ", count: 100_000) + "77-BC-X")?.display == "77/BC-X")
    }

    @Test("Codable round trip")
    func codable() throws {
        let d = DocumentNumber(number: "30", year: "2020", symbol: "NĐ-CP")
        let data = try JSONEncoder().encode(d)
        #expect(try JSONDecoder().decode(DocumentNumber.self, from: data) == d)
    }
}
