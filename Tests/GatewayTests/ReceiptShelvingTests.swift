import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `[receipts] shelve_after`: old receipts move into receipts/YYYY/MM/ by
/// the month they were written; young ones and pending notices stay.
@Suite(.serialized)
struct ReceiptShelvingTests {
    let sto = "000.00.21.H41"

    func age(_ path: String, to date: Date) {
        var times = [timespec(tv_sec: Int(date.timeIntervalSince1970), tv_nsec: 0),
                     timespec(tv_sec: Int(date.timeIntervalSince1970), tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, 0)
    }

    @Test func oldReceiptsMoveIntoYearAndMonthFolders() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s", extra: "\n[receipts]\nshelve_after = \"1h\"\n")
        let receipts = d.receipts(sto)
        try FileManager.default.createDirectory(atPath: receipts, withIntermediateDirectories: true)
        // Written in March 2025 (Vietnam time): an old pair and an old pending notice.
        let march = ISO8601DateFormatter().date(from: "2025-03-15T10:00:00+07:00")!
        for name in ["12-UBND-VP.accepted.json", "12-UBND-VP.accepted.txt", "99-UBND-VP.pending.json", "99-UBND-VP.pending.txt"] {
            #expect(FileManager.default.createFile(atPath: receipts + "/" + name, contents: Data("{}".utf8)))
            age(receipts + "/" + name, to: march)
        }
        // A name already shelved in that month is never overwritten.
        try FileManager.default.createDirectory(atPath: receipts + "/2025/03", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: receipts + "/2025/03/13-UBND-VP.rejected.json", contents: Data("first".utf8)))
        #expect(FileManager.default.createFile(atPath: receipts + "/13-UBND-VP.rejected.json", contents: Data("second".utf8)))
        age(receipts + "/13-UBND-VP.rejected.json", to: march)

        try d.start()
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        try d.drop([pair.electronic, pair.scan], into: sto)
        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted")
        try d.waitFor("the old receipts to be shelved", timeout: 15) {
            FileManager.default.fileExists(atPath: receipts + "/2025/03/12-UBND-VP.accepted.txt")
        }
        #expect(Set(Scan.list(receipts + "/2025/03")) == ["12-UBND-VP.accepted.json", "12-UBND-VP.accepted.txt", "13-UBND-VP.rejected.json"])
        #expect(try String(contentsOfFile: receipts + "/2025/03/13-UBND-VP.rejected.json", encoding: .utf8) == "first")
        #expect(Set(d.receiptNames(sto)) == [
            "2025", "4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt", "13-UBND-VP.rejected.json",
            "99-UBND-VP.pending.json", "99-UBND-VP.pending.txt",
        ])
        #expect(d.stop() == 0)
    }
}

enum Scan {
    static func list(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }
}
