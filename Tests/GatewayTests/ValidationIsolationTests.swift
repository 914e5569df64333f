import Foundation
import Testing

/// A PDF that costs its whole validation budget, dropped by one unit, must
/// not hold up another unit's valid document: validation runs on worker
/// threads, and the loop keeps claiming and deciding meanwhile. The costly
/// file is refused as unreadable, and its receipt names the bound it passed.
@Suite(.serialized)
struct ValidationIsolationTests {
    static let sto = "000.00.21.H41"
    static let vinh = "000.00.41.H41"

    /// A signed-looking revision, then thousands of stream headers with a
    /// /Length past the end and no `endstream`: each sends the object index
    /// searching to the end of the file, so the work grows with the square
    /// of the count (under 1 MiB, it runs into the 20 s deadline).
    static func slowPDF() -> [UInt8] {
        var head = Array("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n3 0 obj\n<< /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 ".utf8)
        let placeholder = Array("0000000000 0000000000 0000000000]".utf8)
        let numbersAt = head.count
        head += placeholder + Array(" /Contents ".utf8)
        let gapStart = head.count
        head += Array(("<" + String(repeating: "00", count: 64) + ">").utf8)
        let gapEnd = head.count
        head += Array(" >>\nendobj\ntrailer\n<< /Size 4 /Root 1 0 R >>\n%%EOF\n".utf8)
        let numbers = String(format: "%010d %010d %010d]", gapStart, gapEnd, head.count - gapEnd)
        head.replaceSubrange(numbersAt..<(numbersAt + placeholder.count), with: Array(numbers.utf8))
        var update: [UInt8] = []
        for n in 0..<24_000 { update += Array("\(n + 10) 0 obj<</Length 99999999>>stream\n".utf8) }
        return head + update
    }

    @Test func aCostlyPDFDoesNotDelayAnotherUnit() throws {
        let pki = try Fixtures.testPKI()
        let d = try DaemonHarness(trust: pki)
        try d.start()
        let slow = d.dir + "/slow.pdf"
        let bytes = Self.slowPDF()
        #expect(bytes.count < 1 << 20, "under the harness's max_file_size")
        try Data(bytes).write(to: URL(fileURLWithPath: slow))

        try d.drop([slow], into: Self.vinh, names: ["7-BC-STTTT.pdf"])
        // Claimed, so its validation is under way.
        try d.waitFor("the costly PDF claimed", timeout: 15) {
            (try? FileManager.default.contentsOfDirectory(atPath: d.outbox(Self.vinh)))?.isEmpty == true
        }
        Thread.sleep(forTimeInterval: 1)

        let dropped = Date()
        try d.drop([pki + "/docs/valid.pdf"], into: Self.sto, names: ["8-BC-STTTT.pdf"])
        let valid = try d.receipt(Self.sto, key: "8-BC-STTTT", verdict: "accepted", timeout: 60)
        let waited = Date().timeIntervalSince(dropped)
        let costlyStillRunning = !FileManager.default.fileExists(atPath: d.receipts(Self.vinh) + "/7-BC-STTTT.rejected.json")
        #expect(valid["verdict"] as? String == "accepted")
        #expect(waited < 8, "the valid document waited \(waited) s behind the costly one")

        let refused = try d.receipt(Self.vinh, key: "7-BC-STTTT", verdict: "rejected", timeout: 60)
        let finished = Date().timeIntervalSince(dropped)
        print("valid document decided after \(String(format: "%.1f", waited)) s; the costly one after \(String(format: "%.1f", finished)) s")
        let reasons = refused["reasons"] as? [[String: Any]] ?? []
        let codes = reasons.compactMap { $0["code"] as? String }
        #expect(!codes.isEmpty, "\(refused)")
        // On a fast machine the file may be judged before the 20 s deadline
        // (it is no valid signature either way); when the deadline stops it,
        // the receipt names the bound. The isolation itself is shown only
        // when the costly file was still being validated meanwhile.
        if costlyStillRunning {
            #expect(finished > waited)
        } else {
            print("the costly PDF was judged before the valid one: this machine is too fast for the isolation check")
        }
        if codes == ["unreadable"] {
            let detail = reasons.first?["detail"] as? String ?? ""
            #expect(detail.hasPrefix("7-BC-STTTT.pdf: dừng kiểm tra PDF vì "), "the receipt names the bound: \(detail)")
            let text = (try? String(contentsOfFile: d.receipts(Self.vinh) + "/7-BC-STTTT.rejected.txt", encoding: .utf8)) ?? ""
            #expect(text.contains(detail), "the text receipt carries the same detail:\n\(text)")
        }
        #expect(d.stop() == 0)
    }
}
