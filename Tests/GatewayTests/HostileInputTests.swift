import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension DaemonHarness {
    /// Every JSON receipt in a unit's folder, parsed.
    func allReceipts(_ unit: String) -> [[String: Any]] {
        receiptNames(unit).filter(DaemonHarness.isDecisionReceipt).compactMap { name in
            guard let data = FileManager.default.contents(atPath: receipts(unit) + "/" + name) else { return nil }
            return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
    }
}

func codes(_ r: [String: Any]) -> [String] {
    ((r["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }.sorted()
}

/// Hostile entries dropped into an outbox of the running daemon: each gets a
/// clear outcome (a rejection receipt, or quarantine with a receipt), nothing
/// is followed or opened that should not be, and the daemon keeps running.
@Suite(.serialized)
struct HostileInputTests {
    let sto = "000.00.21.H41"

    @Test func linksFifosDevicesAndHardLinksGetReceiptsAndAreNeverFollowed() async throws {
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "2s")
        try d.start()
        let out = d.outbox(sto)
        let secret = d.dir + "/secret.txt"
        try "do not read".write(toFile: secret, atomically: true, encoding: .utf8)
        let outsideFolder = d.dir + "/outside-folder"
        try FileManager.default.createDirectory(atPath: outsideFolder, withIntermediateDirectories: true)
        try "private".write(toFile: outsideFolder + "/private.pdf", atomically: true, encoding: .utf8)

        #expect(symlink(secret, out + "/link-1-UBND-VP.pdf") == 0)
        #expect(symlink(d.dir + "/nothing-here", out + "/dangling-2-UBND-VP.pdf") == 0)
        #expect(symlink(outsideFolder, out + "/Hồ sơ liên kết") == 0)
        #expect(mkfifo(out + "/fifo-3-UBND-VP.pdf", 0o644) == 0)
        let isRoot = getuid() == 0
        if isRoot { #expect(mknod(out + "/device-4-UBND-VP.pdf", S_IFCHR | 0o644, dev_t((1 << 8) | 3)) == 0) }
        let linked = d.dir + "/kept-by-sender.pdf"
        try Data("%PDF-1.4 hard-linked".utf8).write(to: URL(fileURLWithPath: linked))
        #expect(link(linked, out + "/hardlink-5-UBND-VP.pdf") == 0)

        let link = try await d.receiptAsync(sto, listing: "link-1-UBND-VP.pdf")
        #expect(codes(link) == ["unsupported-file"])
        #expect(try await d.receiptAsync(sto, listing: "dangling-2-UBND-VP.pdf")["verdict"] as? String == "rejected")
        let folderLink = try await d.receiptAsync(sto, listing: "Hồ sơ liên kết")
        #expect(codes(folderLink) == ["unsupported-file"])
        #expect(codes(try await d.receiptAsync(sto, listing: "fifo-3-UBND-VP.pdf")) == ["unsupported-file"])
        if isRoot { #expect(codes(try await d.receiptAsync(sto, listing: "device-4-UBND-VP.pdf")) == ["unsupported-file"]) }
        #expect(codes(try await d.receiptAsync(sto, listing: "hardlink-5-UBND-VP.pdf")) == ["unsupported-file"])

        // Links, FIFO and device kept unopened in quarantine, as they came.
        let quarantine = d.spool + "/archive/quarantine"
        let kept = try FileManager.default.subpathsOfDirectory(atPath: quarantine)
        func kind(_ suffix: String) -> mode_t? {
            guard let rel = kept.first(where: { $0.hasSuffix("files/" + suffix) }) else { return nil }
            var st = stat()
            return lstat(quarantine + "/" + rel, &st) == 0 ? st.st_mode & S_IFMT : nil
        }
        #expect(kind("link-1-UBND-VP.pdf") == S_IFLNK)
        #expect(kind("dangling-2-UBND-VP.pdf") == S_IFLNK)
        #expect(kind("Hồ sơ liên kết") == S_IFLNK, "a folder symlink is kept as a link, not descended")
        #expect(kind("fifo-3-UBND-VP.pdf") == S_IFIFO)
        if isRoot { #expect(kind("device-4-UBND-VP.pdf") == S_IFCHR) }
        #expect(!kept.contains { $0.hasSuffix("private.pdf") }, "the folder behind the link was not copied")
        // Targets untouched.
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "do not read")
        #expect(try String(contentsOfFile: outsideFolder + "/private.pdf", encoding: .utf8) == "private")
        #expect(try String(contentsOfFile: linked, encoding: .utf8) == "%PDF-1.4 hard-linked")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
        #expect(d.stop() == 0, "the daemon is still running and stops cleanly")
    }

    @Test func emptyTooLargeAndOddNamesGetReceipts() async throws {
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "2s")
        try d.start()
        let out = d.outbox(sto)
        var dropped: [SpoolAudit.Dropped] = []
        func put(_ name: String, _ bytes: [UInt8]) throws {
            let staging = d.dir + "/staging-file"
            try Data(bytes).write(to: URL(fileURLWithPath: staging))
            #expect(rename(staging, out + "/" + name) == 0, "could not drop \(name.debugDescription)")
            dropped.append(.init(unit: sto, name: name, sha256: try sha256(out + "/" + name)))
        }
        let scan = Array("%PDF-1.4\n% a scan, unsigned\n".utf8)
        _ = FileManager.default.createFile(atPath: out + "/empty-11-UBND-VP.pdf", contents: Data())
        try put("big-12-UBND-VP.pdf", Array("%PDF-1.4\n".utf8) + [UInt8](repeating: 0x41, count: (1 << 20) + 10))
        let controlNames = ["ctl\n-13-UBND-VP.pdf", "tab\t-14-UBND-VP.pdf", "\u{1}soh-15-UBND-VP.pdf"]
        for name in controlNames { try put(name, scan) }
        // 255 bytes of Vietnamese (two or three bytes a letter) and an extension.
        var long = "Báo cáo tình hình ứng dụng chữ ký số của Sở Thông tin và Truyền thông "
        while long.utf8.count < 240 { long += "ữ" }
        let longName = long + ".pdf"
        #expect(longName.utf8.count <= 255)
        try put(longName, scan)
        let dotted = ["..pdf", "...", "..\u{2215}..\u{2215}etc-16.pdf", " .. -17-UBND-VP.pdf"]
        for name in dotted { try put(name, scan) }
        let nfd = "Tờ trình 18-TTr-UBND.pdf".decomposedStringWithCanonicalMapping
        try put(nfd, scan)

        // A name that is not UTF-8 at all, made with raw bytes.
        let rawName: [UInt8] = Array("bad-".utf8) + [0xFF, 0xFE] + Array("-19-UBND-VP.pdf".utf8)
        let path = Array(out.utf8) + [47] + rawName + [0]
        let fd = path.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY | O_EXCL, 0o644) }
        #expect(fd >= 0)
        _ = scan.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        try Data(scan).write(to: URL(fileURLWithPath: d.dir + "/scan-reference"))
        dropped.append(.init(unit: sto, name: "bad-%FF%FE-19-UBND-VP.pdf", sha256: try sha256(d.dir + "/scan-reference")))

        #expect(codes(try await d.receiptAsync(sto, listing: "empty-11-UBND-VP.pdf")) == ["unreadable"])
        let big = try await d.receiptAsync(sto, listing: "big-12-UBND-VP.pdf")
        #expect(codes(big) == ["too-large"])
        for name in controlNames + [longName] + dotted + [nfd, "bad-%FF%FE-19-UBND-VP.pdf"] {
            let r = try await d.receiptAsync(sto, listing: name)
            #expect(r["verdict"] as? String == "rejected", "\(name.debugDescription)")
        }
        // Nothing was written outside the spool's own folders.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: d.spool + "/units/\(sto)")) == ["inbox", "outbox", "receipts"])
        #expect(d.stop() == 0)
        dropped.append(.init(unit: sto, name: "empty-11-UBND-VP.pdf", sha256: try sha256("/dev/null")))
        let audit = try SpoolAudit(spool: d.spool).check(dropped: dropped, units: [sto])
        #expect(audit.problems.isEmpty, "\(audit.problems)")
    }

    /// A second file under the same 255-byte name joins the open submission
    /// under a numbered name that still fits (it used to fail its claim
    /// with ENAMETOOLONG, again and again).
    @Test func aSecondFileWithTheSameLongestNameIsClaimedUnderAShortenedName() async throws {
        // The window leaves room for a loaded machine: both must be claimed
        // before the first is decided alone.
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "15s")
        try d.start()
        var stem = "Tờ trình 22-TTr-UBND về việc ứng dụng chữ ký số "
        while (stem + "ữ").utf8.count + "_scan.pdf".utf8.count <= 255 { stem += "ữ" }
        let name = stem + "_scan.pdf"
        let path = d.outbox(sto) + "/" + name
        try Data("%PDF-1.4 first".utf8).write(to: URL(fileURLWithPath: d.dir + "/first"))
        try Data("%PDF-1.4 second".utf8).write(to: URL(fileURLWithPath: d.dir + "/second"))
        #expect(rename(d.dir + "/first", path) == 0)
        try await d.waitUntil("the first claimed", timeout: 20) { !FileManager.default.fileExists(atPath: path) }
        #expect(rename(d.dir + "/second", path) == 0)
        try await d.waitUntil("the second claimed", timeout: 20) { !FileManager.default.fileExists(atPath: path) }
        let r = try await d.receiptAsync(sto, listing: name)
        let names = ((r["files"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(names.count == 2)
        #expect(names.allSatisfy { $0.utf8.count <= 255 })
        #expect(names.contains { $0.hasSuffix(" (2).pdf") })
        #expect(!d.log.contains("File name too long"))
        d.stop()
    }

    @Test func droppedFolderWithNestedFoldersAndASymlinkIsQuarantinedWhole() async throws {
        let pair = try Fixtures.samplePair(key: "21-UBND-TH")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "2s")
        try d.start()
        let secret = d.dir + "/secret.txt"
        try "do not read".write(toFile: secret, atomically: true, encoding: .utf8)
        let staging = d.dir + "/Hồ sơ 21-UBND-TH"
        try FileManager.default.createDirectory(atPath: staging + "/phụ lục/ảnh", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: pair.electronic, toPath: staging + "/van-ban.pdf")
        try FileManager.default.copyItem(atPath: pair.scan, toPath: staging + "/phụ lục/ảnh/ban-quet.pdf")
        #expect(symlink(secret, staging + "/phụ lục/lien-ket.pdf") == 0)
        try FileManager.default.moveItem(atPath: staging, toPath: d.outbox(sto) + "/Hồ sơ 21-UBND-TH")
        let r = try await d.receiptAsync(sto, key: "Hồ sơ 21-UBND-TH", verdict: "rejected", timeout: 30)
        let names = Set(((r["files"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
        #expect(names == ["van-ban.pdf", "phụ lục/ảnh/ban-quet.pdf", "phụ lục/lien-ket.pdf"])
        #expect(codes(r).contains("unsupported-file"))
        let id = try #require(r["submission"] as? String)
        var st = stat()
        #expect(lstat(d.spool + "/archive/quarantine/\(id)/files/phụ lục/lien-ket.pdf", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
        #expect(try sha256(d.spool + "/archive/quarantine/\(id)/files/phụ lục/ảnh/ban-quet.pdf") == (try sha256(pair.scan)))
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "do not read")
        d.stop()
    }
}
