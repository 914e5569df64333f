import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A clerk who drops a scan alone sees within seconds what is missing and
/// until when; the decision's receipt replaces the notice.
@Suite(.serialized)
struct PendingNoticeDaemonTests {
    let sto = "000.00.21.H41"

    func pendingJSON(_ d: DaemonHarness, key: String) throws -> [String: Any] {
        let path = d.receipts(sto) + "/\(key).pending.json"
        try d.waitFor("the pending notice \(path)", timeout: 10) { FileManager.default.fileExists(atPath: path) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func aLoneScanGetsANoticeWithinSecondsThenTheRejectionReplacesIt() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "8s")
        try d.start()
        let dropped = Date()
        try d.drop([pair.scan], into: sto)
        let notice = try pendingJSON(d, key: "4116-UBND-CN")
        #expect(Date().timeIntervalSince(dropped) < 5, "the notice came only after the window")
        #expect(notice["waiting_for"] as? String == "electronic-version")
        #expect(notice["files"] as? [String] == ["4116-UBND-CN_scan.pdf"])
        #expect(notice["decide_by"] is String)
        let text = try [UInt8](Data(contentsOf: URL(fileURLWithPath: d.receipts(sto) + "/4116-UBND-CN.pending.txt")))
        #expect(text.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(String(decoding: text, as: UTF8.self).contains("Hạn chót"))
        #expect(d.receiptNames(sto) == ["4116-UBND-CN.pending.json", "4116-UBND-CN.pending.txt"])

        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "rejected")
        #expect(d.receiptNames(sto) == ["4116-UBND-CN.rejected.json", "4116-UBND-CN.rejected.txt"])
        #expect(d.stop() == 0)
    }

    @Test func theTwinArrivingLaterReplacesTheNoticeWithTheAcceptance() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s")
        try d.start()
        try d.drop([pair.scan], into: sto)
        _ = try pendingJSON(d, key: "4116-UBND-CN")
        // A restart in between: the notice stays, the decision still replaces it.
        #expect(d.stop() == 0)
        try d.start()
        try d.drop([pair.electronic], into: sto)
        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted")
        #expect(d.receiptNames(sto) == ["4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt"])
        #expect(d.stop() == 0)
    }
}
