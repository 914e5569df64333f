import Foundation
import Testing
@testable import LienThongSignature

/// Seeded mutations of signed PDFs and CMS files: whatever the bytes, the
/// validator returns a report (no trap, no hang). Seeds are fixed so a failure
/// reproduces; the time budget keeps the suite fast on slow machines.
@Suite struct FuzzTests {
    /// SplitMix64: tiny, seedable, no global state.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    static let tokens = ["/ByteRange", "/Contents", "<<", ">>", "[0 99999999999999999999 -1 7]", "endstream", "obj",
                         "stream\n", "(", ")", "<", ">", "%%EOF", "/Type /ObjStm", "0 0 obj", "9999999999 0 R", "\u{0}"]

    static func mutate(_ input: [UInt8], _ rng: inout Random) -> [UInt8] {
        var data = input
        for _ in 0...rng.below(4) {
            guard !data.isEmpty else { return data }
            let at = rng.below(data.count)
            switch rng.below(7) {
            case 0: data[at] ^= UInt8(1 << rng.below(8))
            case 1: data[at] = UInt8(truncatingIfNeeded: rng.next())
            case 2: data.removeSubrange(at..<min(data.count, at + 1 + rng.below(64)))
            case 3: data.insert(contentsOf: Array(tokens[rng.below(tokens.count)].utf8), at: at)
            case 4: data = Array(data.prefix(at))  // truncation
            case 5:
                let length = min(data.count - at, 1 + rng.below(512))
                data.insert(contentsOf: data[at..<(at + length)], at: rng.below(data.count))
            default:
                // Rewrite a digit inside a ByteRange or a number.
                if let i = data[at...].firstIndex(where: { $0 >= 48 && $0 <= 57 }) { data[i] = UInt8(48 + rng.below(10)) }
            }
        }
        return data
    }

    @Test func mutatedPDFsNeverCrash() throws {
        let f = try Fixtures.get()
        let seeds = try ["valid.pdf", "two-signatures.pdf", "doc-timestamp.pdf", "timestamped.pdf", "pkcs7-sha1.pdf"].map { try f.bytes($0) }
            + RealDataTests.allPDFs.prefix(3).compactMap { RealDataTests.read("pdf/" + $0) }
        var rng = Random(state: 0x4116_2018)
        let deadline = Date().addingTimeInterval(25)
        var runs = 0
        let memory = FuzzRegressions(kind: "pdf", ext: "pdf")
        while runs < 2500, Date() < deadline {
            let input = Self.mutate(seeds[runs % seeds.count], &rng)
            memory.run(input) {
                let r = f.validator.validatePDF(input, name: "fuzz.pdf", arrival: Fixtures.arrival)
                _ = SignatureValidator.pdfHasSignature(input)
                #expect(!r.reasons.isEmpty || r.isValid)
            }
            runs += 1
        }
        #expect(runs >= 200, "too slow: \(runs) runs")
    }

    @Test func mutatedCMSNeverCrash() throws {
        let f = try Fixtures.get()
        let content = try f.bytes("letter.docx")
        let seeds = [try f.bytes("letter.docx.p7s"), try f.bytes("letter-pem.docx.p7s")]
        var rng = Random(state: 0x0012_0618)
        let deadline = Date().addingTimeInterval(20)
        var runs = 0
        let memory = FuzzRegressions(kind: "cms", ext: "p7s")
        while runs < 2500, Date() < deadline {
            let signature = Self.mutate(seeds[runs % 2], &rng)
            memory.run(signature) {
                let r = f.validator.validateDetached(content: content, signature: signature, name: "x.docx", arrival: Fixtures.arrival)
                #expect(!r.signatures.isEmpty)
            }
            runs += 1
        }
        #expect(runs >= 200)
    }

    @Test func hostileStructures() throws {
        let f = try Fixtures.get()
        let cases: [String] = [
            "%PDF-1.7\n" + String(repeating: "<<", count: 200_000) + "/ByteRange [0 1 2 3] /Contents <00> >>",
            "%PDF-1.7\n<< /ByteRange [0 9223372036854775807 9223372036854775807 9223372036854775807] /Contents <00> >>",
            "%PDF-1.7\n<< /ByteRange [0 10 " + String(repeating: "9", count: 5000) + " 1] /Contents <00> >>",
            "%PDF-1.7\n<< /ByteRange [0 9 60 0] /Contents <" + String(repeating: "30", count: 20) + "> >>",
            "%PDF-1.7\n1 0 obj << /Type /ObjStm /N 999999999 /First 5 /Length 4 /Filter /FlateDecode >> stream\nxxxx\nendstream endobj",
            "%PDF-1.7\n" + String(repeating: "1 0 obj ", count: 50_000),
            "%PDF-1.7\n" + String(repeating: "<< /ByteRange [0 1 2 3] /Contents <00> >>\n", count: 5_000),
        ]
        for text in cases {
            let r = f.validator.validatePDF(Array(text.utf8), name: "hostile.pdf", arrival: Fixtures.arrival)
            #expect(!r.isValid)
        }
    }

    @Test func concurrentValidationsAgree() async throws {
        let f = try Fixtures.get()
        let names = ["valid.pdf", "revoked-before-signing.pdf", "modified-between-signatures.pdf", "timestamped.pdf"]
        let expected = try names.map { try f.pdf($0).reasons }
        let validator = f.validator
        let inputs = try names.map { try f.bytes($0) }
        try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for round in 0..<40 {
                let i = round % names.count
                let data = inputs[i]
                group.addTask { (i, validator.validatePDF(data, name: "c.pdf", arrival: Fixtures.arrival).reasons.map(\.rawValue)) }
            }
            for try await (i, reasons) in group {
                #expect(reasons == expected[i].map(\.rawValue))
            }
        }
    }
}
