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

    private func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }

    @Test func inflateStoredFixedAndDynamicBlocks() throws {
        let plain = bytes("1 0 2 12 << /Type /Page >> [1 2 3]")
        #expect(Inflate.zlib(hex("7801012200ddff3120302032203132203c3c202f54797065202f50616765203e3e205b31203220335d845707f6"), limit: 1000) == plain)
        #expect(Inflate.zlib(hex("78da335430503052303452b0b151d00fa92c4855d00f484c4f55b0b353883604ca18c70200845707f6"), limit: 1000) == plain)
        let expected = (0..<3000).map { UInt8($0 * 7 % 256) } + Array(String(repeating: "hello world ", count: 200).utf8)
        let dynamic = hex("78da6360e7139551d632b4b077f30d894eca2c28af6bed993c6be18af5dbf61e397de9e683e7efbefe61e612949057d335b176f20c088f4bcd29ae6aece89f3677c9ea4d3b0f1c3f77f5cee3571f7ffc67e3159156d23430b773f5098e4accc82fab6de99e3473c1f2755bf71c3e75f1c6fd676fbffc66e214109753d531b672f4f00f8b4dc92eaa6c68ef9b3a67f1aa8d3bf61f3b7be5f6a3971fbeff63e5119652d4d037b375f10e8a4c48cf2bad69ee9a3863feb2b55b761f3a79e1fabda76f3eff62e4e0179355d136b27470f70b8d49ce2aaca86feb9d327bd1ca0ddbf71d3d73f9d6c317efbffd65e116925450d733b571f60a8c884fcb2da96eea9c307dded2359b771d3c71fedadd27af3ffd6418f5ffa8ff47fd3feaff51ff8ffa7fd4ffa3fe1ff5ffa8ff8780ff33527372f215caf38b72521446d9a3ec51f6287b943dca1e658fb247d994b301d3105744")
        #expect(Inflate.zlib(dynamic, limit: 1 << 20) == expected)
        #expect(Inflate.zlib(dynamic, limit: 100) == nil, "output cap")
        #expect(Inflate.zlib(Array(dynamic.prefix(100)), limit: 1 << 20) == nil, "truncated")
        #expect(Inflate.zlib([0x78, 0x9C, 0xFF, 0xFF], limit: 100) == nil)
    }
}
