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

    /// A burst larger than one loop turn's claims (100) splits pairs over two
    /// turns. The first half must not tell its clerk "waiting for the twin"
    /// while the twin has already settled: no notice is ever created.
    @Test func aBurstOfPairsSplitOverTurnsWritesNoNotice() async throws {
        let keys = (1...120).map { "\($0)-UBND-CN" }
        let samples = try Fixtures.batch(keys: keys)
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "300ms", window: "60s")
        try d.start()
        let watch = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        try #require(watch >= 0)
        defer { close(watch) }
        try #require(inotify_add_watch(watch, d.receipts(sto), UInt32(IN_CREATE | IN_MOVED_TO)) >= 0)
        // Staged beside the outbox, then renamed in: 240 entries settle together.
        let staging = d.dir + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for key in keys {
            for name in ["\(key).pdf", "\(key)_scan.pdf"] { try FileManager.default.copyItem(atPath: samples + "/" + name, toPath: staging + "/" + name) }
        }
        for key in keys {
            for name in ["\(key).pdf", "\(key)_scan.pdf"] { #expect(rename(staging + "/" + name, d.outbox(sto) + "/" + name) == 0) }
        }
        try await d.waitUntil("\(keys.count) receipts", timeout: 300) {
            d.receiptNames(sto).filter(DaemonHarness.isDecisionReceipt).count >= keys.count
        }
        let names = Self.createdNames(watch)
        #expect(!names.isEmpty, "the watch on receipts/ saw nothing")
        #expect(names.filter { $0.contains(".pending.") }.isEmpty, "notices written during a burst: \(names.filter { $0.contains(".pending.") }.prefix(6))")
        #expect(d.receiptNames(sto).filter { $0.hasSuffix(".accepted.json") }.count == keys.count)
        #expect(d.stop() == 0)
    }

    /// Names of entries created or moved into the watched folder.
    static func createdNames(_ fd: Int32) -> [String] {
        var names: [String] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { return names }
            var at = 0
            while at + 16 <= n {
                let length = Int(buffer[at + 12]) | Int(buffer[at + 13]) << 8 | Int(buffer[at + 14]) << 16 | Int(buffer[at + 15]) << 24
                let raw = buffer[(at + 16)..<min(n, at + 16 + length)].prefix { $0 != 0 }
                names.append(String(decoding: raw, as: UTF8.self))
                at += 16 + length
            }
        }
    }
}
