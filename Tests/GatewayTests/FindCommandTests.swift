import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `lienthongctl find`, `hold|release --unit`, and the queue's unfiled
/// decisions, against the real daemon and its ledger.
@Suite(.serialized)
struct FindCommandTests {
    let sto = "000.00.21.H41"
    let vinh = "000.00.41.H41"

    func ids(_ d: DaemonHarness, _ args: [String]) throws -> [String] {
        let r = try Ctl.run(d, ["find"] + args + ["--json"])
        let items = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]]) ?? []
        return items.compactMap { $0["id"] as? String }
    }

    @Test func findsByNumberSymbolKeyIdAndHashWithFilters() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let other = try Fixtures.samplePair(key: "77-UBND-VX")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s")
        try d.start()
        try d.drop([pair.electronic, pair.scan], into: sto)
        let id = try #require(try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted")["submission"] as? String)
        try d.drop([other.scan], into: vinh)
        try d.waitFor("the pending 77-UBND-VX", timeout: 15) { (try? self.ids(d, ["77-UBND"]))?.count == 1 }

        #expect(try ids(d, ["4116"]) == [id])
        #expect(try ids(d, ["4116/UBND-CN"]) == [id], "written as on paper")
        #expect(try ids(d, ["UBND-CN"]) == [id])
        #expect(try ids(d, [String(id.prefix(12))]).contains(id))
        let hash = try String(sha256(pair.electronic).prefix(10))
        #expect(try ids(d, [hash]) == [id])
        #expect(try ids(d, ["4116", "--verdict", "accepted", "--unit", sto]) == [id])
        #expect(try ids(d, ["77", "--verdict", "pending"]).count == 1)
        let today = CtlEndToEndTests.today
        #expect(try ids(d, ["4116", "--from", today, "--to", today]) == [id])
        let none = try Ctl.run(d, ["find", "4116", "--verdict", "rejected"])
        #expect(none.status == 1 && none.err.contains("nothing matches"))
        #expect(try Ctl.run(d, ["find", "4116", "--unit", vinh]).status == 1)
        #expect(try Ctl.run(d, ["find", "4116", "--from", "2999-01-01"]).status == 1)
        #expect(try Ctl.run(d, ["find", "4116", "--verdict", "maybe"]).status == 64, "a usage error (ArgumentParser's EX_USAGE)")
        let table = try Ctl.run(d, ["find", "4116"])
        #expect(table.out.contains(id) && table.out.contains("accepted"))

        // hold --unit: every pending submission of that unit, and only those.
        let held = try Ctl.run(d, ["hold", "--unit", vinh])
        #expect(held.status == 0 && held.out.contains("held 1 pending submission of \(vinh)"), "\(held.out)\(held.err)")
        let queued = (try Ctl.json(d, ["queue"])["submissions"] as? [[String: Any]]) ?? []
        #expect(queued.count == 1 && queued.first?["held"] as? Bool == true)
        #expect(try Ctl.run(d, ["hold", "--unit", sto]).out.contains("held 0"))
        let released = try Ctl.run(d, ["release", "--unit", vinh])
        #expect(released.status == 0 && released.out.contains("released 1"), "\(released.out)\(released.err)")
        #expect(try Ctl.run(d, ["hold"]).status == 64, "neither an id nor --unit")
        #expect(d.stop() == 0)
    }

    /// Filing that fails (the receipts folder replaced by a file) leaves the
    /// submission decided in the ledger; `queue` lists it as not filed yet.
    @Test func queueListsDecisionsNotFiledYet() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s")
        try d.start()
        let receipts = d.receipts(sto)
        try FileManager.default.removeItem(atPath: receipts)
        #expect(FileManager.default.createFile(atPath: receipts, contents: Data()))
        try d.drop([pair.electronic, pair.scan], into: sto)
        var unfiled: [[String: Any]] = []
        try d.waitFor("a decided, unfiled submission in lienthongctl queue", timeout: 20) {
            unfiled = ((try? Ctl.json(d, ["queue"]))?["decidedUnfiled"] as? [[String: Any]]) ?? []
            return !unfiled.isEmpty
        }
        #expect(unfiled.first?["key"] as? String == "4116-UBND-CN")
        #expect(unfiled.first?["verdict"] as? String == "accepted")
        #expect(try Ctl.run(d, ["queue"]).out.contains("Decided, not filed yet"))
        // The folder comes back; the retry files it and the queue is empty.
        try FileManager.default.removeItem(atPath: receipts)
        try FileManager.default.createDirectory(atPath: receipts, withIntermediateDirectories: false)
        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted", timeout: 60)
        #expect(((try Ctl.json(d, ["queue"]))["decidedUnfiled"] as? [Any])?.isEmpty == true)
        #expect(d.stop() == 0)
    }
}
