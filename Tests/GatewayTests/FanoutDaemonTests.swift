import Foundation
@testable import LienThongSpool
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Fan-out (SPEC §7) with the daemon as a process: the office drops signed
/// documents into office/outbox/, recipients find them in their inbox/.
@Suite(.serialized)
struct FanoutDaemonTests {
    static let office = "000.00.00.H41"
    static let districts = ["000.00.41.H41", "000.00.42.H41", "000.00.43.H41"]
    static let units: [DaemonHarness.Unit] = [
        .init(id: office, name: "UBND tỉnh Nghệ An", level: "province"),
        .init(id: "000.00.21.H41", name: "Sở Thông tin và Truyền thông", level: "department"),
        .init(id: "000.00.22.H41", name: "Sở Tài chính", level: "department"),
        .init(id: "000.00.41.H41", name: "UBND thành phố Vinh", level: "district"),
        .init(id: "000.00.42.H41", name: "UBND thị xã Cửa Lò", level: "district"),
        .init(id: "000.00.43.H41", name: "UBND huyện Nghi Lộc", level: "district"),
        .init(id: "000.41.01.H41", name: "UBND phường Hưng Bình", level: "commune", parent: "000.00.41.H41"),
        .init(id: "000.41.02.H41", name: "UBND phường Lê Lợi", level: "commune", parent: "000.00.41.H41"),
        .init(id: "000.42.01.H41", name: "UBND phường Nghi Hương", level: "commune", parent: "000.00.42.H41"),
    ]

    static func harness(units: [DaemonHarness.Unit] = units, lifetime: String = "1h", officeSigner: String = "", groups: String = "") throws -> DaemonHarness {
        var units = units
        units[0].signer = officeSigner
        return try DaemonHarness(trust: try Fixtures.trust(), units: units,
                                 extra: "\n[fanout]\ndelivery_lifetime = \"\(lifetime)\"\n" + (groups.isEmpty ? "" : "groups = \(groups)\n"))
    }

    @Test func giayMoiToDistrictsReachesEveryDistrictOnce() throws {
        let pdf = try Fixtures.samplePair(key: "25-GM-UBND").electronic
        let d = try Self.harness()
        try d.start()
        // The manifest first, then the document, as a clerk's copy does.
        try d.dropOutbound(manifest: #"{"subject": "Mời họp giao ban tháng 11", "recipients": ["districts"]}"#, key: "25-GM-UBND")
        try d.dropOutbound(file: pdf)
        let r = try d.officeReceipt("25-GM-UBND", verdict: "accepted") { $0.deliveryStates == Array(repeating: "delivered", count: 3) }
        #expect(r["disposition"] as? String == "fan-out")
        #expect(r["direction"] as? String == "outbound")
        #expect(r["unit"] as? String == Self.office)
        #expect((r["document"] as? [String: Any])?["type"] as? String == "GM")
        #expect(r.recipients == Self.districts)
        for district in Self.districts {
            #expect(d.inboxNames(district) == ["25-GM-UBND.pdf"], "\(district)")
            #expect(try sha256(d.inbox(district) + "/25-GM-UBND.pdf") == (try sha256(pdf)))
        }
        for other in Self.units.map(\.id) where !Self.districts.contains(other) {
            #expect(d.inboxNames(other).isEmpty, "\(other) is not a district")
        }
        #expect(d.log.contains("delivered 25-GM-UBND to 000.00.43.H41"))
        let text = try String(contentsOfFile: d.officeReceipts + "/25-GM-UBND.accepted.txt", encoding: .utf8)
        #expect(text.contains("3 đã chuyển"))
        // The office's clerks open it with Notepad too: one BOM, CRLF only.
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: d.officeReceipts + "/25-GM-UBND.accepted.txt")))
        #expect(raw.starts(with: [0xEF, 0xBB, 0xBF]) && !raw.dropFirst(3).starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(!raw.indices.contains { raw[$0] == 0x0A && ($0 == 0 || raw[$0 - 1] != 0x0D) }, "a line ends in LF alone")
        let archived = try FileManager.default.subpathsOfDirectory(atPath: d.spool + "/archive/accepted")
        #expect(archived.contains { $0.hasSuffix("files/25-GM-UBND.pdf") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: d.officeOutbox).sorted() == d.groupFolders)
        // A restart delivers nothing again.
        d.stop()
        try d.start()
        usleep(1_000_000)
        for district in Self.districts { #expect(d.inboxNames(district) == ["25-GM-UBND.pdf"]) }
        #expect(d.stop() == 0)
    }

    @Test func aGroupFolderAddressesItsGroupAndAClashGetsASuffix() throws {
        let pdf = try Fixtures.samplePair(key: "40-TB-UBND").electronic
        let d = try Self.harness()
        try d.start()
        // Hưng Bình already has a file of that name: it is kept, ours is "(2)".
        try "the commune's own file".write(toFile: d.inbox("000.41.01.H41") + "/40-TB-UBND.pdf", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: pdf, toPath: d.officeOutbox + "/communes-of-000.00.41.H41/40-TB-UBND.pdf")
        let r = try d.officeReceipt("40-TB-UBND", verdict: "accepted") { $0.deliveryStates == ["delivered", "delivered"] }
        #expect(r.recipients == ["000.41.01.H41", "000.41.02.H41"])
        #expect(r["group_folder"] as? String == "communes-of-000.00.41.H41")
        #expect(d.inboxNames("000.41.01.H41") == ["40-TB-UBND (2).pdf", "40-TB-UBND.pdf"])
        #expect(try String(contentsOfFile: d.inbox("000.41.01.H41") + "/40-TB-UBND.pdf", encoding: .utf8) == "the commune's own file")
        #expect(d.inboxNames("000.41.02.H41") == ["40-TB-UBND.pdf"])
        #expect(d.inboxNames("000.42.01.H41").isEmpty)
        let paths = ((r["deliveries"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        #expect(paths.contains("units/000.41.01.H41/inbox/40-TB-UBND (2).pdf"))
        d.stop()
    }

    @Test func aQuyetDinhThatNeedsPaperLandsInOfficePaperAndIsDeliveredNowhere() throws {
        let paper = try Fixtures.samplePair(key: "12-QĐ-UBND").electronic
        let steering = try Fixtures.samplePair(key: "13-QĐ-UBND").electronic
        let d = try Self.harness()
        try d.start()
        try d.dropOutbound(manifest: #"{"subject": "Phê duyệt dự toán ngân sách năm 2027", "recipients": ["districts"]}"#, key: "12-QĐ-UBND")
        try d.dropOutbound(file: paper)
        let r = try d.officeReceipt("12-QĐ-UBND", verdict: "accepted")
        #expect(r["disposition"] as? String == "paper")
        #expect(r["paper_required"] as? Bool == true)
        #expect(r["paper_folder"] as? String == "office/paper/12-QĐ-UBND")
        #expect(try sha256(d.spool + "/office/paper/12-QĐ-UBND/12-QĐ-UBND.pdf") == (try sha256(paper)))
        let text = try String(contentsOfFile: d.officeReceipts + "/12-QĐ-UBND.accepted.txt", encoding: .utf8)
        #expect(text.contains("CÒN PHẢI GỬI BẢN GIẤY"))
        // A quyết định establishing a steering committee is electronic-only.
        try d.dropOutbound(manifest: #"{"subject": "Thành lập Ban Chỉ đạo chuyển đổi số tỉnh", "recipients": ["departments"]}"#, key: "13-QĐ-UBND")
        try d.dropOutbound(file: steering)
        let s = try d.officeReceipt("13-QĐ-UBND", verdict: "accepted") { $0.deliveryStates == ["delivered", "delivered"] }
        #expect(s.recipients == ["000.00.21.H41", "000.00.22.H41"])
        for u in Self.units.map(\.id) where !u.hasPrefix("000.00.2") { #expect(d.inboxNames(u).isEmpty) }
        #expect(d.inboxNames("000.00.21.H41") == ["13-QĐ-UBND.pdf"])
        d.stop()
    }

    @Test func unsignedAndForeignSignedDocumentsAreRejectedAndDeliveredNowhere() throws {
        let pair = try Fixtures.samplePair(key: "26-GM-UBND")
        let d = try Self.harness(officeSigner: "UBND tỉnh Nghệ An")
        try d.start()
        // An unsigned scan named like the document.
        try d.dropOutbound(manifest: #"{"recipients": ["districts"]}"#, key: "27-GM-UBND")
        try d.dropOutbound(file: pair.scan, name: "27-GM-UBND.pdf")
        let unsigned = try d.officeReceipt("27-GM-UBND", verdict: "rejected")
        #expect(unsigned.codes == ["signature-missing"])
        // Validly signed, but by the demo Sở TT&TT, not the office.
        try FileManager.default.copyItem(atPath: pair.electronic, toPath: d.officeOutbox + "/districts/26-GM-UBND.pdf")
        let foreign = try d.officeReceipt("26-GM-UBND", verdict: "rejected")
        #expect(foreign.codes == ["signer-not-of-unit"])
        #expect(foreign["status"] as? String == "02")
        let text = try String(contentsOfFile: d.officeReceipts + "/26-GM-UBND.rejected.txt", encoding: .utf8)
        #expect(text.contains("signer-not-of-unit"))
        for u in Self.units.map(\.id) { #expect(d.inboxNames(u).isEmpty, "\(u) got something") }
        let rejected = try FileManager.default.subpathsOfDirectory(atPath: d.spool + "/archive/rejected")
        #expect(rejected.contains { $0.hasSuffix("files/26-GM-UBND.pdf") })
        #expect(rejected.contains { $0.hasSuffix("files/27-GM-UBND.pdf") })
        d.stop()
    }

    @Test func unknownRecipientsAreReportedInTheReceipt() throws {
        let pdf = try Fixtures.samplePair(key: "28-GM-UBND").electronic
        let d = try Self.harness()
        try d.start()
        try d.dropOutbound(manifest: #"{"recipients": ["000.00.21.H41", "000.99.99.H41", "wards"]}"#, key: "28-GM-UBND")
        try d.dropOutbound(file: pdf)
        let r = try d.officeReceipt("28-GM-UBND", verdict: "accepted") { $0.deliveryStates == ["delivered"] }
        #expect(r["recipients_unknown"] as? [String] == ["000.99.99.H41", "wards"])
        #expect(d.log.contains("unknown recipients"))
        d.stop()
    }

    /// A configured group (nesting another) as a folder; a .docx with its
    /// detached .p7s; one recipient's inbox on another filesystem (a real
    /// tmpfs, so a real EXDEV: copied, not linked).
    @Test func aConfigGroupFolderDetachedSignatureAndAnInboxOnAnotherFilesystem() throws {
        let pair = try Fixtures.detachedPair(key: "41-TB-UBND")
        let d = try Self.harness(groups: #"{ vinh = ["000.00.41.H41", "communes-of-000.00.41.H41"], ban-cds = ["vinh", "000.00.21.H41"] }"#)
        try d.start()
        let elsewhere = "000.41.02.H41"
        var mounted = false
        if getuid() == 0 {
            mounted = (try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "lienthong-test", d.inbox(elsewhere)])) != nil
        }
        defer { if mounted { _ = try? run("/bin/umount", [d.inbox(elsewhere)]) } }
        if !mounted { print("note: no tmpfs inbox (needs root and mount); the cross-device path is left to the Spool tests") }
        #expect(FileManager.default.fileExists(atPath: d.officeOutbox + "/ban-cds"))
        try FileManager.default.copyItem(atPath: pair.signature, toPath: d.officeOutbox + "/ban-cds/41-TB-UBND.docx.p7s")
        try FileManager.default.copyItem(atPath: pair.document, toPath: d.officeOutbox + "/ban-cds/41-TB-UBND.docx")
        let r = try d.officeReceipt("41-TB-UBND", verdict: "accepted") { $0.deliveryStates == Array(repeating: "delivered", count: 4) }
        #expect(r.recipients == ["000.00.21.H41", "000.00.41.H41", "000.41.01.H41", elsewhere])
        for u in r.recipients {
            #expect(d.inboxNames(u) == ["41-TB-UBND.docx", "41-TB-UBND.docx.p7s"], "\(u)")
            #expect(try sha256(d.inbox(u) + "/41-TB-UBND.docx.p7s") == (try sha256(pair.signature)))
        }
        if mounted {
            var a = stat(), b = stat()
            lstat(d.inbox(elsewhere) + "/41-TB-UBND.docx", &a)
            lstat(d.inbox("000.41.01.H41") + "/41-TB-UBND.docx", &b)
            #expect(a.st_dev != b.st_dev)
            #expect(try sha256(d.inbox(elsewhere) + "/41-TB-UBND.docx") == (try sha256(pair.document)))
            #expect(d.log.contains("delivered 41-TB-UBND to \(elsewhere) (copied: another filesystem)"))
            let hidden = ((try? FileManager.default.contentsOfDirectory(atPath: d.inbox(elsewhere))) ?? []).filter { $0.hasPrefix(".") }
            #expect(hidden.isEmpty, "temporary copies left: \(hidden)")
        }
        d.stop()
    }

    // MARK: many recipients, crashes, failures

    static func manyCommunes(_ n: Int) -> [DaemonHarness.Unit] {
        Array(units.prefix(6)) + (1...n).map { i in
            .init(id: String(format: "000.%02d.%03d.H41", 41 + i % 3, i), name: "UBND xã số \(i)", level: "commune", parent: districts[i % 3])
        }
    }

    @Test func aFanOutToFiveHundredCommunes() throws {
        let pdf = try Fixtures.samplePair(key: "30-TB-UBND").electronic
        let d = try Self.harness(units: Self.manyCommunes(500))
        try d.start()
        try d.dropOutbound(manifest: #"{"recipients": ["communes"]}"#, key: "30-TB-UBND")
        let started = Date()
        try d.dropOutbound(file: pdf)
        let r = try d.officeReceipt("30-TB-UBND", verdict: "accepted", timeout: 300) { $0.deliveryStates.filter { $0 == "delivered" }.count == 500 }
        print("fan-out of 30-TB-UBND to 500 communes: receipt complete \(String(format: "%.2f", Date().timeIntervalSince(started))) s after the drop")
        #expect(r.recipients.count == 500)
        for u in Self.manyCommunes(500) where u.level == "commune" {
            #expect(d.inboxNames(u.id) == ["30-TB-UBND.pdf"], "\(u.id)")
        }
        d.stop()
    }

    @Test func sigkillInTheMiddleOfAFanOutResumesWithoutDoubling() throws {
        let pdf = try Fixtures.samplePair(key: "31-GM-UBND").electronic
        let communes = Self.manyCommunes(500).filter { $0.level == "commune" }.map(\.id)
        let d = try Self.harness(units: Self.manyCommunes(500))
        try d.start()
        try d.dropOutbound(manifest: #"{"recipients": ["communes"]}"#, key: "31-GM-UBND")
        try d.dropOutbound(file: pdf)
        // Kill as soon as the first deliveries appear.
        let deadline = Date().addingTimeInterval(120)
        var seen = 0
        while Date() < deadline {
            seen = communes.prefix(20).filter { !d.inboxNames($0).isEmpty }.count
            if seen > 0 { break }
            usleep(2_000)
        }
        #expect(seen > 0, "no delivery appeared")
        d.killHard()
        let before = communes.filter { !d.inboxNames($0).isEmpty }.count
        print("SIGKILL with \(before) of 500 communes delivered")
        #expect(before < 500, "the fan-out finished before the kill; nothing was interrupted")
        try d.start()
        _ = try d.officeReceipt("31-GM-UBND", verdict: "accepted", timeout: 300) { $0.deliveryStates.filter { $0 == "delivered" }.count == 500 }
        for u in communes {
            #expect(d.inboxNames(u) == ["31-GM-UBND.pdf"], "\(u)")
        }
        d.stop()
        let ledger = try Ledger(path: d.spool + "/state/ledger.sqlite")
        let id = try #require(try ledger.submissions(in: .placed).first { $0.key == "31-GM-UBND" }?.id)
        let rows = try ledger.deliveries(of: id)
        #expect(rows.count == 500)
        #expect(rows.allSatisfy { $0.state == .delivered && $0.suffix == 1 && $0.path?.hasSuffix("/inbox/31-GM-UBND.pdf") == true })
    }

    /// The crash that matters most, made exact: the file is already linked
    /// into the inbox but the ledger still says `pending` (the process died
    /// between the two). The restarted daemon must recognise its own file.
    @Test func aCrashBetweenLinkAndLedgerUpdateIsRecognisedNotDoubled() throws {
        let pdf = try Fixtures.samplePair(key: "34-GM-UBND").electronic
        let d = try Self.harness()
        try d.start()
        try d.dropOutbound(manifest: #"{"recipients": ["districts"]}"#, key: "34-GM-UBND")
        try d.dropOutbound(file: pdf)
        _ = try d.officeReceipt("34-GM-UBND", verdict: "accepted") { $0.deliveryStates == Array(repeating: "delivered", count: 3) }
        d.killHard()
        // Put two rows back as a crash would leave them: linked (suffix
        // recorded) but not marked; and suffix recorded but not yet linked.
        let ledger = try Ledger(path: d.spool + "/state/ledger.sqlite")
        try ledger.db.query("UPDATE deliveries SET state = 'pending', path = NULL, delivered_at = NULL WHERE recipient IN (?, ?)",
                            [.text(Self.districts[0]), .text(Self.districts[1])])
        try FileManager.default.removeItem(atPath: d.inbox(Self.districts[1]) + "/34-GM-UBND.pdf")
        try d.start()
        // The receipt on disk still shows the first run: look at what this start logged.
        try d.waitFor("the resumed fan-out to finish", timeout: 30) { d.logOfThisStart.contains("fan-out of 34-GM-UBND finished") }
        let r = try d.officeReceipt("34-GM-UBND", verdict: "accepted") { $0.deliveryStates == Array(repeating: "delivered", count: 3) }
        for district in Self.districts { #expect(d.inboxNames(district) == ["34-GM-UBND.pdf"], "\(district)") }
        let paths = ((r["deliveries"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String }
        #expect(paths == Self.districts.map { "units/\($0)/inbox/34-GM-UBND.pdf" })
        #expect(d.logOfThisStart.contains("fan-out of 34-GM-UBND finished: 3 of 3 recipients delivered"))
        #expect(d.logOfThisStart.contains("delivered 34-GM-UBND to \(Self.districts[1])"), "the unlinked one was delivered again")
        #expect(!d.logOfThisStart.contains("delivered 34-GM-UBND to \(Self.districts[2])"), "the one marked delivered was left alone")
        d.stop()
    }

    @Test func aFailingRecipientFolderIsRetriedAndDeliveredOnceItRecovers() throws {
        let pdf = try Fixtures.samplePair(key: "32-GM-UBND").electronic
        let d = try Self.harness(lifetime: "60s")
        try d.start()
        let broken = "000.00.42.H41"
        // A regular file where the inbox folder should be (root ignores chmod).
        try d.replaceInboxWithAFile(broken)
        try d.dropOutbound(manifest: #"{"recipients": ["districts"]}"#, key: "32-GM-UBND")
        try d.dropOutbound(file: pdf)
        let r = try d.officeReceipt("32-GM-UBND", verdict: "accepted") { $0.deliveryStates == ["delivered", "deferred", "delivered"] }
        let row = ((r["deliveries"] as? [[String: Any]]) ?? [])[1]
        #expect((row["last_error"] as? String)?.contains("not a folder") == true)
        #expect((try String(contentsOfFile: d.officeReceipts + "/32-GM-UBND.accepted.txt", encoding: .utf8)).contains("sẽ thử lại"))
        // lienthongctl queue lists the deferred delivery with its error.
        let queued = (try Ctl.json(d, ["queue"])["deferredDeliveries"] as? [[String: Any]]) ?? []
        #expect(queued.count == 1 && queued.first?["recipient"] as? String == broken, "\(queued)")
        #expect((queued.first?["lastError"] as? String)?.contains("not a folder") == true)
        #expect(try Ctl.run(d, ["queue"]).out.contains("Deferred deliveries"))
        // The folder comes back: the next retry delivers.
        try d.restoreInbox(broken)
        let done = try d.officeReceipt("32-GM-UBND", verdict: "accepted", timeout: 60) { $0.deliveryStates == ["delivered", "delivered", "delivered"] }
        #expect(((done["deliveries"] as? [[String: Any]]) ?? [])[1]["attempts"] as? Int ?? 0 >= 2)
        #expect(d.inboxNames(broken) == ["32-GM-UBND.pdf"])
        #expect(d.log.contains("could not deliver 32-GM-UBND to \(broken)"))
        d.stop()
    }

    @Test func aDeliveryStillFailingAfterItsLifetimeIsReportedFailedAndCanBeRetried() throws {
        let pdf = try Fixtures.samplePair(key: "33-GM-UBND").electronic
        let d = try Self.harness(lifetime: "2s")
        try d.start()
        let broken = "000.00.43.H41"
        try FileManager.default.removeItem(atPath: d.inbox(broken))
        try d.dropOutbound(manifest: #"{"recipients": ["districts"]}"#, key: "33-GM-UBND")
        try d.dropOutbound(file: pdf)
        let r = try d.officeReceipt("33-GM-UBND", verdict: "accepted", timeout: 30) { $0.deliveryStates == ["delivered", "delivered", "failed"] }
        #expect((r["delivery_summary"] as? [String: Any])?["failed"] as? Int == 1)
        #expect(d.log.contains("delivery of 33-GM-UBND to \(broken) FAILED"))
        #expect(d.log.contains("ae41c923513040bda0363dedf2aaffd5"))
        #expect((try String(contentsOfFile: d.officeReceipts + "/33-GM-UBND.accepted.txt", encoding: .utf8)).contains("KHÔNG CHUYỂN ĐƯỢC"))
        // The operator fixes the folder and retries through the daemon.
        try d.restoreInbox(broken)
        let retry = try Ctl.run(d, ["retry", "ALL"])
        #expect(retry.status == 0 && retry.out.contains("1 deferred delivery"), "\(retry.out)\(retry.err)")
        _ = try d.officeReceipt("33-GM-UBND", verdict: "accepted", timeout: 60) { $0.deliveryStates == ["delivered", "delivered", "delivered"] }
        #expect(d.inboxNames(broken) == ["33-GM-UBND.pdf"])
        d.stop()
    }
}

extension DaemonHarness {
    var officeOutbox: String { spool + "/office/outbox" }
    var officeReceipts: String { spool + "/office/receipts" }
    func inbox(_ unit: String) -> String { spool + "/units/\(unit)/inbox" }

    /// A regular file where the unit's inbox folder should be: deliveries
    /// fail (as root, chmod would not stop them).
    func replaceInboxWithAFile(_ unit: String) throws {
        try FileManager.default.removeItem(atPath: inbox(unit))
        try "not a folder".write(toFile: inbox(unit), atomically: true, encoding: .utf8)
    }

    /// The inbox folder back, empty (whatever stood in its place goes).
    func restoreInbox(_ unit: String) throws {
        if FileManager.default.fileExists(atPath: inbox(unit)) { try FileManager.default.removeItem(atPath: inbox(unit)) }
        try FileManager.default.createDirectory(atPath: inbox(unit), withIntermediateDirectories: false)
    }
    var groupFolders: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: officeOutbox)) ?? []).filter { !$0.hasSuffix(".pdf") && !$0.hasSuffix(".json") }.sorted()
    }

    /// Visible names in a unit's inbox (hidden temporaries left out), sorted.
    func inboxNames(_ unit: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: inbox(unit))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func dropOutbound(manifest: String, key: String) throws {
        try manifest.write(toFile: officeOutbox + "/\(key).json", atomically: true, encoding: .utf8)
    }

    func dropOutbound(file: String, name: String? = nil) throws {
        try FileManager.default.copyItem(atPath: file, toPath: officeOutbox + "/" + (name ?? (file as NSString).lastPathComponent))
    }

    /// Waits for the office's receipt and for `until` to hold on it.
    func officeReceipt(_ key: String, verdict: String, timeout: Double = 30, until: ([String: Any]) -> Bool = { _ in true }) throws -> [String: Any] {
        let path = officeReceipts + "/\(key).\(verdict).json"
        var last: [String: Any] = [:]
        defer { if until(last) == false { print("last state of \(path): \(last["delivery_summary"] ?? "none")") } }
        try waitFor("office receipt \(path)", timeout: timeout) {
            guard let data = FileManager.default.contents(atPath: path),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
            last = json
            return until(json)
        }
        return last
    }
}

extension Dictionary where Key == String, Value == Any {
    var deliveryStates: [String] { ((self["deliveries"] as? [[String: Any]]) ?? []).compactMap { $0["state"] as? String } }
    var recipients: [String] { ((self["deliveries"] as? [[String: Any]]) ?? []).compactMap { $0["recipient"] as? String } }
    var codes: [String] { ((self["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } }
}
