import Foundation
import Testing
@testable import LienThongSignature

/// The PDF reading pieces on their own: lexer, ByteRange rules, dates, inflate.
@Suite struct PDFParsingTests {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func parsesDictionariesWithSpans() throws {
        let text = "<< /Type /Sig /ByteRange[0 10 20 5]/Contents <0A0b 1> /Name (a\\(b\\)c) /N#20x 1 0 R /R -1.5 >>"
        var p = PDFParser(bytes(text), at: 0)
        let parsed = p.parseObject()
        let (object, span) = try #require(parsed)
        let d = try #require(object.dictionary)
        #expect(span == 0..<text.utf8.count)
        #expect(d["Type"] == .name("Sig"))
        #expect(d["ByteRange"] == .array([.integer(0), .integer(10), .integer(20), .integer(5)]))
        #expect(d["Contents"] == .string([0x0A, 0x0B, 0x10], hex: true))
        #expect(d["Name"] == .string(Array("a(b)c".utf8), hex: false))
        #expect(d["N x"] == .reference(1, 0))
        #expect(d["R"] == .real(-1.5))
        let contents = try #require(d.spans["Contents"])
        #expect(Array(bytes(text)[contents]) == bytes("<0A0b 1>"))
    }

    @Test func rejectsMalformedAndHostileObjects() {
        for text in ["<< /A (unterminated >>", "<< /A <12G4> >>", "[1 2", "<< 1 2 >>", "<< /A >>",
                     String(repeating: "[", count: 100_000), "<<" + String(repeating: "<<", count: 10_000)] {
            var p = PDFParser(bytes(text), at: 0)
            #expect(p.parseObject() == nil, "\(text.prefix(20))")
        }
        // Integers too large for Int are not integers (never used as offsets).
        var p = PDFParser(bytes("99999999999999999999999"), at: 0)
        if case .integer? = p.parseObject()?.0 { Issue.record("overflowed into an integer") }
    }

    @Test func parsesIndirectObjectsAndStreams() throws {
        let text = "12 0 obj\n<< /Length 5 >>\nstream\nabcde\nendstream\nendobj\n13 0 obj << /Length 99 >> stream\nxy\nendstream endobj"
        let data = bytes(text)
        var p = PDFParser(data, at: 0)
        let first = p.parseIndirectObject()
        let a = try #require(first)
        #expect(a.number == 12 && a.stream.map { Array(data[$0]) } == bytes("abcde"))
        let second = p.parseIndirectObject()
        let b = try #require(second)
        #expect(b.number == 13 && b.stream.map { Array(data[$0]) } == bytes("xy"), "wrong /Length falls back to endstream")
    }

    private func signatureDictionary(_ text: String, fileLength: Int? = nil) -> ByteRangeCheck.Outcome? {
        let data = bytes(text)
        guard let dict = PDFSignatureScanner.scan(data).first else { return nil }
        return ByteRangeCheck.check(dict, fileLength: fileLength ?? data.count)
    }

    @Test func byteRangeMustBeExactlyTheContentsGap() throws {
        // "<< /ByteRange [0 36 42 3] /Contents <00AB> >>" : the hex string spans 36..<42.
        let good = "<< /ByteRange [0 36 42 3] /Contents <00AB> >>"
        #expect(good.utf8.count == 45)
        guard case .ok(let layout)? = signatureDictionary(good) else { Issue.record("good layout refused"); return }
        #expect(layout.ranges == [0..<36, 42..<45])
        let bad = [
            "<< /ByteRange [0 35 42 3] /Contents <00AB> >>",  // gap starts early
            "<< /ByteRange [1 35 42 3] /Contents <00AB> >>",  // a != 0
            "<< /ByteRange [0 36 42 9999] /Contents <00AB> >>",  // beyond the file
            "<< /ByteRange [0 36 42] /Contents <00AB> >>",  // three numbers
            "<< /ByteRange [0 36 42 -3] /Contents <00AB> >>",
            "<< /ByteRange [0 36 42 3.0] /Contents <00AB> >>",
            "<< /ByteRange [0 36 42 99999999999999999999] /Contents <00AB> >>",
            "<< /ByteRange [0 36 42 3] /Contents (00AB) >>",  // not hex
            "<< /ByteRange [0 36 42 3] /Contents <00AB> /Contents <00> >>",  // repeated key
        ]
        for text in bad {
            guard case .invalid? = signatureDictionary(text) else { Issue.record("accepted: \(text)"); continue }
        }
    }

    @Test func scannerFindsDictionaryAcrossNestedDictionariesAndComments() {
        let text = "1 0 obj << /Prop_Build << /App << /Name /X >> >> % comment\n /ByteRange [0 1 2 3] /Contents <00> >> endobj"
        #expect(PDFSignatureScanner.scan(bytes(text)).count == 1)
        #expect(PDFSignatureScanner.scan(bytes("/ByteRange [0 1 2 3] no dictionary")).isEmpty)
        #expect(PDFSignatureScanner.scan(bytes("<< /ByteRangeX [0 1 2 3] /Contents <00> >>")).isEmpty)
    }

    @Test func pdfDates() {
        #expect(PDFDate.parse(bytes("D:20240502100000+07'00'")) == date("2024-05-02T03:00:00Z"))
        #expect(PDFDate.parse(bytes("D:20240502030000Z")) == date("2024-05-02T03:00:00Z"))
        #expect(PDFDate.parse(bytes("D:2024")) == date("2024-01-01T00:00:00Z"))
        #expect(PDFDate.parse(bytes("D:20241340")) == nil)
        #expect(PDFDate.parse(bytes("garbage")) == nil)
    }
}
