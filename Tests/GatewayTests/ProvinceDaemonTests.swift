import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 13 with the daemon as a process: a registry of 2026 that keeps the
/// units of before (a dissolved district and its commune, a merged
/// department), a ward directly under the province, and an electronic-only
/// list in the config that a reload changes.
@Suite(.serialized)
struct ProvinceDaemonTests {
    static let office = "000.00.00.H41"
    static let khcn = "000.00.15.H41", tttt = "000.00.21.H41"
    static let vinh = "000.00.41.H41", hungBinh = "000.01.41.H41", thanhVinh = "000.30.01.H41"

    /// Written over the harness's five-column file: the eight columns of SPEC §8.
    static let registry = """
        id,name,level,parent,signer,active_from,active_to,successor
        \(office),UBND tỉnh Nghệ An,province,,,,,
        \(khcn),Sở Khoa học và Công nghệ,department,,,,,
        \(tttt),Sở Thông tin và Truyền thông,department,,,,2025-02-28,\(khcn)
        \(vinh),UBND thành phố Vinh,district,,,,2025-06-30,\(thanhVinh)
        \(hungBinh),UBND phường Hưng Bình,commune,\(vinh),,,2025-06-30,\(thanhVinh)
        \(thanhVinh),UBND phường Thành Vinh,commune,,,2025-07-01,,

        """

    static func harness(window: String = "3s", extra: String = "") throws -> DaemonHarness {
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: window, extra: extra)
        try registry.write(toFile: d.dir + "/units.csv", atomically: true, encoding: .utf8)
        return d
    }

    /// Each reason's code and its detail (the receipt's sentence for the code is in "message").
    static func reasons(_ receipt: [String: Any]) -> [(code: String, detail: String)] {
        ((receipt["reasons"] as? [[String: Any]]) ?? []).map { ($0["code"] as? String ?? "", $0["detail"] as? String ?? "") }
    }

    @Test func mergedDepartmentAndDissolvedDistrictAreToldWhereToSendAndAWardWithoutDistrictIsAccepted() throws {
        let pair = try Fixtures.samplePair(key: "77-UBND-VX")
        let d = try Self.harness()
        try d.start()
        for unit in [Self.tttt, Self.vinh, Self.thanhVinh] { try d.drop([pair.electronic, pair.scan], into: unit) }

        let merged = try d.receipt(Self.tttt, key: "77-UBND-VX", verdict: "rejected", timeout: 30)
        #expect(Self.reasons(merged).map(\.code) == ["unit-not-active"])
        let text = try String(contentsOfFile: d.receipts(Self.tttt) + "/77-UBND-VX.rejected.txt", encoding: .utf8)
        #expect(text.contains("\(Self.khcn) Sở Khoa học và Công nghệ"), "\(text)")
        #expect(text.contains("units/\(Self.khcn)/outbox/"))
        #expect(text.contains("đơn vị kế thừa"))

        let dissolved = try d.receipt(Self.vinh, key: "77-UBND-VX", verdict: "rejected", timeout: 30)
        #expect(Self.reasons(dissolved).first?.detail.contains("\(Self.thanhVinh) UBND phường Thành Vinh") == true)

        // Directly under the province, no district: accepted like anyone.
        let ward = try d.receipt(Self.thanhVinh, key: "77-UBND-VX", verdict: "accepted", timeout: 30)
        #expect(ward["arrival_number"] as? Int != nil)
        // The ended units keep their folders, for history.
        for unit in [Self.tttt, Self.vinh, Self.hungBinh] {
            #expect(FileManager.default.fileExists(atPath: d.inbox(unit)), "\(unit)")
        }
        // Logged once the decision is filed, so a moment after its receipt appears.
        try d.waitFor("unit-not-active in the log", timeout: 15) { d.log.contains("unit-not-active") }
        #expect(d.stop() == 0)
    }

    @Test func fanOutReachesTheUnitsActiveTodayAndNamesTheGroupThatReachesNobody() throws {
        let pdf = try Fixtures.samplePair(key: "25-GM-UBND").electronic
        let d = try Self.harness()
        try d.start()
        try d.dropOutbound(manifest: #"{"subject": "Mời họp", "recipients": ["departments", "districts", "communes"]}"#, key: "25-GM-UBND")
        try d.dropOutbound(file: pdf)
        let r = try d.officeReceipt("25-GM-UBND", verdict: "accepted") { $0.deliveryStates == ["delivered", "delivered"] }
        #expect(r.recipients == [Self.khcn, Self.thanhVinh])
        #expect(r["recipients_empty_groups"] as? [String] == ["districts"])
        for ended in [Self.tttt, Self.vinh, Self.hungBinh] { #expect(d.inboxNames(ended).isEmpty, "\(ended)") }
        let text = try String(contentsOfFile: d.officeReceipts + "/25-GM-UBND.accepted.txt", encoding: .utf8)
        #expect(text.contains("KHÔNG CÒN ĐƠN VỊ NÀO hoạt động vào ngày xử lý (không chuyển): districts"), "\(text)")
        #expect(d.log.contains("groups with no active unit today: districts"))

        // The dissolved district's own group folder: nobody left, so nothing is sent and the receipt says why.
        let notice = try Fixtures.samplePair(key: "40-TB-UBND").electronic
        try FileManager.default.copyItem(atPath: notice, toPath: d.officeOutbox + "/communes-of-\(Self.vinh)/40-TB-UBND.pdf")
        let refused = try d.officeReceipt("40-TB-UBND", verdict: "rejected")
        #expect(Self.reasons(refused).first?.detail.contains("nhóm không còn đơn vị hoạt động hôm nay: communes-of-\(Self.vinh)") == true)
        #expect(d.stop() == 0)
    }

    @Test func aReloadAppliesAChangedElectronicOnlyListToAWaitingSubmission() throws {
        let report = try Fixtures.samplePair(key: "12-BC-UBND").electronic
        // Reports still need paper under this province's list: an electronic report waits for its scan.
        let d = try Self.harness(window: "1h", extra: "\n[rule]\nelectronic_only = [\"GM\"]\n")
        try d.start()
        try d.drop([report], into: Self.khcn)
        try d.waitFor("the claim", timeout: 30) { ((try? FileManager.default.contentsOfDirectory(atPath: d.outbox(Self.khcn))) ?? ["x"]).isEmpty }
        // Settle is 300 ms: under Công văn 4116's list it would be accepted by now.
        usleep(2_000_000)
        #expect(!d.receiptNames(Self.khcn).contains { $0.hasPrefix("12-BC-UBND.accepted") })

        let config = try String(contentsOfFile: d.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "electronic_only = [\"GM\"]", with: "electronic_only = [\"GM\", \"BC\"]")
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        d.signal(SIGHUP)
        // Decided at the reload, not an hour later when its window ends.
        let accepted = try d.receipt(Self.khcn, key: "12-BC-UBND", verdict: "accepted", timeout: 20)
        #expect(Self.reasons(accepted).isEmpty)
        #expect(d.stop() == 0)
    }
}
