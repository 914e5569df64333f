import Foundation
import Testing
import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// Edges of arrival: a sender still writing after the claim, the same
/// document sent twice, the same number sent with other content.
@Suite(.serialized)
struct ArrivalEdgeTests {
    let sto = "000.00.21.H41"

    /// An SMB client may hold a file open past the quiet time that settled
    /// it and write again after the claim (the rename does not close its
    /// handle). The claim sealed a copy (EvidenceSeal): what is archived is
    /// exactly what was claimed, the receipt's hash describes it, and the
    /// late write goes to an inode nobody reads.
    @Test func aFileWrittenAfterItsClaimDoesNotChangeWhatWasClaimed() async throws {
        // A scan whose electronic twin is dropped only after the late write:
        // the decision cannot come before it (the window is long), however
        // slowly this test runs.
        let pair = try Fixtures.samplePair(key: "31-UBND-VP")
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "300ms", window: "600s")
        try d.start()
        let scan = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pair.scan)))
        let first = Array(scan.prefix(scan.count / 2)), second = Array(scan.dropFirst(scan.count / 2))
        let path = d.outbox(sto) + "/31-UBND-VP_scan.pdf"
        let fd = open(path, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        _ = first.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        try await d.waitUntil("the claim while the file is still open", timeout: 30) {
            !FileManager.default.fileExists(atPath: path)
        }
        try await pause(500_000)
        _ = second.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        try d.drop([pair.electronic], into: sto)

        let r = try await d.receiptAsync(sto, key: "31-UBND-VP", verdict: "accepted", timeout: 60)
        let files = (r["files"] as? [[String: Any]]) ?? []
        let scanEntry = files.first { $0["name"] as? String == "31-UBND-VP_scan.pdf" }
        let claimed = SHA256Hex.of(first)
        #expect(scanEntry?["sha256"] as? String == claimed, "the receipt describes the bytes that were claimed")
        #expect(scanEntry?["size"] as? Int == first.count)
        let id = try #require(r["submission"] as? String)
        let archived = try FileManager.default.subpathsOfDirectory(atPath: d.spool + "/archive/accepted")
        let rel = try #require(archived.first { $0.hasSuffix("\(id)/files/31-UBND-VP_scan.pdf") })
        #expect(try sha256(d.spool + "/archive/accepted/" + rel) == claimed)
        d.stop()
    }

    /// Both copies settle in the same loop turn and are decided in one
    /// group: still only one is accepted.
    @Test func twoCopiesOfOneDocumentDroppedTogetherAreAcceptedOnce() async throws {
        let report = try Fixtures.samplePair(key: "46-BC-STTTT")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        // Two folders (each its own submission, whatever the names inside)
        // holding the same signed document and its scan.
        for folder in ["Hồ sơ A", "Hồ sơ B"] {
            let staging = d.dir + "/" + folder
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: report.electronic, toPath: staging + "/46-BC-STTTT.pdf")
            try FileManager.default.copyItem(atPath: report.scan, toPath: staging + "/46-BC-STTTT_scan.pdf")
        }
        for folder in ["Hồ sơ A", "Hồ sơ B"] { #expect(rename(d.dir + "/" + folder, d.outbox(sto) + "/" + folder) == 0) }
        try await d.waitUntil("two receipts", timeout: 30) { d.allReceipts(sto).count == 2 }
        let verdicts = d.allReceipts(sto).map { ($0["verdict"] as? String ?? "", codes($0)) }
        #expect(verdicts.filter { $0.0 == "accepted" }.count == 1, "\(verdicts)")
        #expect(verdicts.filter { $0.1 == ["duplicate"] }.count == 1, "\(verdicts)")
        d.stop()
    }

    @Test func sameDocumentAgainIsDuplicateAndSameNumberWithOtherContentIsFlagged() async throws {
        let original = try Fixtures.samplePair(key: "45-BC-STTTT")
        // The batch maker words the page differently: other bytes, same number.
        let reissue = (electronic: try Fixtures.batch(keys: ["45-BC-STTTT"]) + "/45-BC-STTTT.pdf", ())
        #expect(try sha256(original.electronic) != (try sha256(reissue.electronic)))
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        try d.drop([original.electronic], into: sto)
        let first = try await d.receiptAsync(sto, key: "45-BC-STTTT", verdict: "accepted")
        let firstID = try #require(first["submission"] as? String)

        // The very same bytes again: rejected as a duplicate naming the first.
        try d.drop([original.electronic], into: sto, names: ["45-BC-STTTT gửi lại.pdf"])
        let again = try await d.receiptAsync(sto, key: "45-BC-STTTT gửi lại", verdict: "rejected")
        #expect(codes(again) == ["duplicate"])
        let message = ((again["reasons"] as? [[String: Any]]) ?? []).first?["detail"] as? String ?? ""
        #expect(message.contains(firstID), "names the earlier submission: \(message)")

        // The same number with other content: accepted, with a warning naming the first.
        try d.drop([reissue.electronic], into: sto, names: ["45-BC-STTTT bổ sung.pdf"])
        let flagged = try await d.receiptAsync(sto, key: "45-BC-STTTT bổ sung", verdict: "accepted")
        let warnings = (flagged["warnings"] as? [String]) ?? []
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(firstID) == true, "\(warnings)")
        #expect(warnings.first?.contains("45/BC-STTTT") == true, "\(warnings)")
        let text = try String(contentsOfFile: d.receipts(sto) + "/45-BC-STTTT bổ sung.accepted.txt", encoding: .utf8)
        #expect(text.contains(firstID))
        #expect(flagged["arrival_number"] as? Int == 2)
        d.stop()
    }
}
