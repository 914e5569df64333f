import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daemon as a process: real folders, real inotify, real OpenSSL, real
/// SQLite. Each test runs its own daemon on its own spool.
@Suite(.serialized)
struct DaemonProcessTests {
    let sto = "000.00.21.H41"  // Sở Thông tin và Truyền thông (department)
    let vinh = "000.00.41.H41"  // a district

    /// systemd starts a service at 1,024 descriptors (soft); the daemon
    /// raises its own soft limit (to the hard limit, here below 65,536),
    /// which sizes its cache of spool folders.
    @Test func theDaemonRaisesItsSoftDescriptorLimitAtStart() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start(prefix: ["/usr/bin/prlimit", "--nofile=1024:4096", "--"])
        defer { d.stop() }
        let pid = try #require(d.pid)
        let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
        let row = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let numbers = row.split(separator: " ").compactMap { Int($0) }
        #expect(numbers == [4096, 4096], "\(row)")
    }

    @Test func signedPairIsAcceptedWithFilesHashesRolesAndArrivalNumber() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        try d.drop([pair.electronic, pair.scan], into: sto)
        let r = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted")
        #expect(r["verdict"] as? String == "accepted")
        #expect(r["status"] as? String == "03")
        #expect(r["arrival_number"] as? Int == 1)
        #expect((r["reasons"] as? [Any])?.isEmpty == true)
        let document = r["document"] as? [String: Any]
        #expect(document?["number"] as? String == "4116")
        #expect(document?["symbol"] as? String == "UBND-CN")
        #expect(document?["type"] as? String == "CV")
        let files = (r["files"] as? [[String: Any]]) ?? []
        let byName = Dictionary(uniqueKeysWithValues: files.map { ($0["name"] as? String ?? "", $0) })
        #expect(byName["4116-UBND-CN.pdf"]?["role"] as? String == "electronic")
        #expect(byName["4116-UBND-CN_scan.pdf"]?["role"] as? String == "scan")
        #expect(byName["4116-UBND-CN.pdf"]?["sha256"] as? String == (try sha256(pair.electronic)))
        #expect(byName["4116-UBND-CN_scan.pdf"]?["sha256"] as? String == (try sha256(pair.scan)))
        let signatures = (r["signatures"] as? [[String: Any]]) ?? []
        #expect(signatures.count == 1)
        #expect(signatures.first?["valid"] as? Bool == true)

        // Filed: the archive holds the files and receipt.json before the
        // receipt is out; the office's clerks have a copy (made right after
        // the receipt); the outbox is empty; a Vietnamese text receipt.
        let id = try #require(r["submission"] as? String)
        let archived = try FileManager.default.subpathsOfDirectory(atPath: d.spool + "/archive/accepted")
        #expect(archived.contains { $0.hasSuffix("\(id)/receipt.json") })
        #expect(archived.contains { $0.hasSuffix("\(id)/files/4116-UBND-CN.pdf") })
        let officeCopy = d.spool + "/office/inbox/\(sto)/4116-UBND-CN/4116-UBND-CN.pdf"
        try d.waitFor("the office copy", timeout: 10) { FileManager.default.fileExists(atPath: officeCopy) }
        #expect(try sha256(officeCopy) == (try sha256(pair.electronic)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: d.outbox(sto)).isEmpty)
        let text = try String(contentsOfFile: d.receipts(sto) + "/4116-UBND-CN.accepted.txt", encoding: .utf8)
        #expect(text.contains("ĐÃ TIẾP NHẬN"))
        #expect(text.contains("Số đến: 1"))
        // Opened with Windows Notepad through Samba: BOM, CRLF, the office named.
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: d.receipts(sto) + "/4116-UBND-CN.accepted.txt")))
        #expect(raw.starts(with: [0xEF, 0xBB, 0xBF]), "the text receipt has no UTF-8 BOM")
        #expect(!raw.indices.contains { raw[$0] == 0x0A && ($0 == 0 || raw[$0 - 1] != 0x0D) }, "a line ends in LF alone")
        #expect(text.contains("Nơi nhận: UBND tỉnh Nghệ An"))
        #expect(text.contains(" KB)") && !text.contains(" bytes)"))
        let json = try [UInt8](Data(contentsOf: URL(fileURLWithPath: d.receipts(sto) + "/4116-UBND-CN.accepted.json")))
        #expect(json.first == UInt8(ascii: "{"), "the JSON receipt stays plain UTF-8")
        #expect(d.stop() == 0)
    }

    @Test func scanAloneIsRejectedMissingElectronicAfterTheWindow() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "2s")
        try d.start()
        let dropped = Date()
        try d.drop([pair.scan], into: sto)
        let r = try d.receipt(sto, key: "4116-UBND-CN", verdict: "rejected")
        #expect(Date().timeIntervalSince(dropped) >= 2, "decided before the pairing window ended")
        #expect(r["status"] as? String == "02")
        #expect(r["arrival_number"] == nil)
        let codes = ((r["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
        #expect(codes == ["missing-electronic"])
        let text = try String(contentsOfFile: d.receipts(sto) + "/4116-UBND-CN.rejected.txt", encoding: .utf8)
        #expect(text.contains("TRẢ LẠI"))
        #expect(text.contains("Công văn số 4116/UBND-CN"))
        #expect(text.contains("missing-electronic"))
        let rejected = try FileManager.default.subpathsOfDirectory(atPath: d.spool + "/archive/rejected")
        #expect(rejected.contains { $0.hasSuffix("files/4116-UBND-CN_scan.pdf") })
        d.stop()
    }

    @Test func congVanElectronicAloneIsRejectedMissingScan() throws {
        let pair = try Fixtures.samplePair(key: "77-UBND-VX")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "2s")
        try d.start()
        try d.drop([pair.electronic], into: sto)
        let r = try d.receipt(sto, key: "77-UBND-VX", verdict: "rejected")
        let codes = ((r["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
        #expect(codes == ["missing-scan"])
        d.stop()
    }

    @Test func reportAloneIsAcceptedAtOnceBecauseReportsAreElectronicOnly() throws {
        let pair = try Fixtures.samplePair(key: "45-BC-STTTT")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "30s")
        try d.start()
        let dropped = Date()
        try d.drop([pair.electronic], into: sto)
        let r = try d.receipt(sto, key: "45-BC-STTTT", verdict: "accepted", timeout: 10)
        #expect(Date().timeIntervalSince(dropped) < 10)
        #expect((r["document"] as? [String: Any])?["type"] as? String == "BC")
        d.stop()
    }

    @Test func detachedSignatureDocxWithScanIsAccepted() throws {
        let pair = try Fixtures.detachedPair(key: "12-UBND-KT")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        try d.drop([pair.document, pair.signature, pair.scan], into: sto)
        let r = try d.receipt(sto, key: "12-UBND-KT", verdict: "accepted")
        let roles = Dictionary(uniqueKeysWithValues: ((r["files"] as? [[String: Any]]) ?? []).map {
            ($0["name"] as? String ?? "", $0["role"] as? String ?? "")
        })
        #expect(roles == ["12-UBND-KT.docx": "electronic", "12-UBND-KT.docx.p7s": "signature", "12-UBND-KT_scan.pdf": "scan"])
        d.stop()
    }

    @Test func nfdNamesPairWithNfcNamesAndByDocumentNumber() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        // A Windows client sends NFC, a Mac NFD; one file names the document in words.
        let electronicName = "Công văn số 4116-UBND-CN về chữ ký số.pdf".decomposedStringWithCanonicalMapping
        let scanName = "4116-UBND-CN_scan.pdf"
        try d.drop([pair.electronic, pair.scan], into: sto, names: [electronicName, scanName])
        // One submission, named after whichever file came first. Hidden
        // names are receipts still staged (their data is written a few
        // barriers before their names), not receipts.
        let visible = { d.receiptNames(sto).filter { !$0.hasPrefix(".") } }
        try d.waitFor("one receipt", timeout: 15) { visible().count == 2 && visible().contains { $0.hasSuffix(".json") } }
        let names = visible()
        #expect(names.allSatisfy { $0.contains(".accepted.") }, "\(names)")
        let key = String(try #require(names.first { $0.hasSuffix(".json") }).dropLast(".accepted.json".count))
        #expect(["4116-UBND-CN", "Công văn số 4116-UBND-CN về chữ ký số"].contains(key))
        let r = try d.receipt(sto, key: key, verdict: "accepted")
        let files = ((r["files"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(Set(files) == ["Công văn số 4116-UBND-CN về chữ ký số.pdf", scanName], "names are shown in NFC")
        d.stop()
    }

    @Test func arrivalNumbersRunOnAcrossSubmissionsAndRestarts() throws {
        let a = try Fixtures.samplePair(key: "1-BC-STTTT")
        let b = try Fixtures.samplePair(key: "2-BC-STTTT")
        let c = try Fixtures.samplePair(key: "3-BC-STTTT")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        try d.drop([a.electronic], into: sto)
        #expect(try d.receipt(sto, key: "1-BC-STTTT", verdict: "accepted")["arrival_number"] as? Int == 1)
        try d.drop([b.electronic], into: vinh)
        #expect(try d.receipt(vinh, key: "2-BC-STTTT", verdict: "accepted")["arrival_number"] as? Int == 2)
        d.stop()
        // Dropped while the daemon is down: taken at start, numbered on.
        try d.drop([c.electronic], into: sto)
        try d.start()
        #expect(try d.receipt(sto, key: "3-BC-STTTT", verdict: "accepted")["arrival_number"] as? Int == 3)
        d.stop()
    }

    @Test func sigkillAfterClaimLosesNothingAndDecidesOnce() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        // A long window: the scan waits in queue/ when the daemon is killed.
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "4s")
        try d.start()
        try d.drop([pair.scan], into: sto)
        try d.waitFor("scan claimed", timeout: 10) {
            ((try? FileManager.default.contentsOfDirectory(atPath: d.outbox(sto))) ?? ["x"]).isEmpty
        }
        d.killHard()
        try d.drop([pair.electronic], into: sto)
        try d.start()
        let r = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted")
        #expect(((r["files"] as? [Any]) ?? []).count == 2, "the scan claimed before the kill pairs with the electronic version dropped after it")
        #expect(d.receiptNames(sto) == ["4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: d.spool + "/queue").isEmpty)
        d.stop()
    }

    @Test func ignoredNamesAreLeftAlone() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        for name in ["Thumbs.db", "~$draft.docx", "copy.part", ".~lock.x.odt#"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: d.outbox(sto) + "/" + name))
        }
        usleep(1_500_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: d.outbox(sto)).count == 4)
        #expect(d.receiptNames(sto).isEmpty)
        d.stop()
    }

    @Test func hostileEntriesGetAReceiptAndAreNeverFollowed() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        let secret = d.dir + "/secret.txt"
        try "do not read".write(toFile: secret, atomically: true, encoding: .utf8)
        #expect(symlink(secret, d.outbox(sto) + "/link-1-UBND-VP.pdf") == 0)
        #expect(mkfifo(d.outbox(sto) + "/fifo-2-UBND-VP.pdf", 0o644) == 0)
        #expect(FileManager.default.createFile(atPath: d.outbox(sto) + "/empty-3-UBND-VP.pdf", contents: Data()))
        let link = try d.receipt(sto, key: "link-1-UBND-VP", verdict: "rejected")
        #expect(((link["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } == ["unsupported-file"])
        let fifo = try d.receipt(sto, key: "fifo-2-UBND-VP", verdict: "rejected")
        #expect(((fifo["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } == ["unsupported-file"])
        let empty = try d.receipt(sto, key: "empty-3-UBND-VP", verdict: "rejected")
        #expect(((empty["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } == ["unreadable"])
        // What the clerk reads says why, in Vietnamese throughout.
        let text = try String(contentsOfFile: d.receipts(sto) + "/link-1-UBND-VP.rejected.txt", encoding: .utf8)
        #expect(text.contains("link-1-UBND-VP.pdf: là liên kết tượng trưng (symbolic link), không phải tệp thông thường; được cách ly, không mở"), "\(text)")
        #expect(try String(contentsOfFile: d.receipts(sto) + "/empty-3-UBND-VP.rejected.txt", encoding: .utf8).contains("empty-3-UBND-VP.pdf: tệp rỗng"))
        // Links and FIFOs are kept, unopened, in quarantine; the target is untouched.
        let quarantined = try FileManager.default.subpathsOfDirectory(atPath: d.spool + "/archive/quarantine")
        #expect(quarantined.contains { $0.hasSuffix("files/link-1-UBND-VP.pdf") })
        #expect(quarantined.contains { $0.hasSuffix("files/fifo-2-UBND-VP.pdf") })
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "do not read")
        d.stop()
    }

    @Test func droppedFolderIsOneSubmission() throws {
        let pair = try Fixtures.samplePair(key: "9-UBND-TH")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        let staging = d.dir + "/Hồ sơ 9-UBND-TH"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: pair.electronic, toPath: staging + "/van-ban.pdf")
        try FileManager.default.copyItem(atPath: pair.scan, toPath: staging + "/ban-quet.pdf")
        try FileManager.default.moveItem(atPath: staging, toPath: d.outbox(sto) + "/Hồ sơ 9-UBND-TH")
        let r = try d.receipt(sto, key: "Hồ sơ 9-UBND-TH", verdict: "accepted")
        #expect(((r["files"] as? [Any]) ?? []).count == 2)
        d.stop()
    }

    @Test func englishReceiptsOnRequest() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "1s", language: "en")
        try d.start()
        try d.drop([pair.scan], into: sto)
        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "rejected")
        let text = try String(contentsOfFile: d.receipts(sto) + "/4116-UBND-CN.rejected.txt", encoding: .utf8)
        #expect(text.contains("REJECTED"))
        d.stop()
    }

    @Test func badConfigStopsTheDaemonNamingFileLineAndKey() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "2 parsecs")
        guard let binary = DaemonHarness.binary else { throw HarnessError("lienthongd not built") }
        let r = try runCommand(binary, ["--config", d.configPath])
        let out = r.stdout + r.stderr
        #expect(r.status == 78, "EX_CONFIG")
        #expect(out.contains(d.configPath))
        #expect(out.contains("settle"))
        #expect(out.contains(":8"), "names the line of the bad key: \(out)")
    }
}
