import Foundation
import Testing
@testable import LienThongCore

/// Why a submission waits is data (WaitReason), and the pending notice
/// tells the sender what is missing and until when.
@Suite("Pending notices")
struct PendingNoticeTests {
    static func reason(_ o: Outcome) -> WaitReason? {
        if case .wait(_, let reason) = o { return reason }
        return nil
    }

    @Test func eachWaitSaysWhatIsMissing() {
        let scan = D.input([D.scan("123-QĐ-UBND_scan.pdf")], type: D.qd)
        #expect(Self.reason(D.decide(scan, at: D.t0 + 1)) == .electronicVersion(scans: ["123-QĐ-UBND_scan.pdf"]))
        let paperType = D.input([D.electronic("123-QĐ-UBND.pdf")], type: D.qd)
        #expect(Self.reason(D.decide(paperType, at: D.t0 + 1)) == .scan(electronic: ["123-QĐ-UBND.pdf"]))
        let docx = SubmissionPart(name: "45-BC-STTTT.docx", role: .other, size: 10, sha256: String(repeating: "c", count: 64))
        #expect(Self.reason(D.decide(D.input([docx]), at: D.t0 + 1)) == .signedDocument(files: ["45-BC-STTTT.docx"]))
        let arriving = D.input([D.scan()], awaiting: true)
        #expect(Self.reason(D.decide(arriving, at: D.t0)) == .moreFiles)
        #expect(!WaitReason.moreFiles.tellsSender)
        #expect(WaitReason.electronicVersion(scans: []).tellsSender)
    }

    static let notice = PendingNotice(
        submission: "20240305-000123", unit: "000.00.31.H41", unitName: "UBND huyện Nghi Lộc", officeName: "UBND tỉnh Nghệ An",
        key: "4116-UBND-CN", document: DocumentNumber(number: "4116", symbol: "UBND-CN"), type: .congVan,
        reason: .electronicVersion(scans: ["4116-UBND-CN_scan.pdf"]), receivedAt: D.t0, until: D.t0 + D.window, rule: R.citation)

    @Test func theNoticeSaysWhatIsMissingAndUntilWhen() throws {
        let vi = Self.notice.file(language: .vi, timeZone: Fixture.hcm)
        #expect(vi.hasPrefix("\u{FEFF}THÔNG BÁO VĂN BẢN ĐANG CHỜ"))
        #expect(!Array(vi.utf8).indices.contains { i in Array(vi.utf8)[i] == 0x0A && Array(vi.utf8)[i - 1] != 0x0D })
        #expect(vi.contains("Đang chờ: văn bản điện tử có chữ ký số"))
        #expect(vi.contains("  - 4116-UBND-CN_scan.pdf"))
        #expect(vi.contains("Hạn chót: 09:30:00 ngày 06/03/2024 (UTC+07:00)"))
        #expect(vi.contains("Nơi nhận: UBND tỉnh Nghệ An"))
        let en = Self.notice.file(language: .en, timeZone: Fixture.hcm)
        #expect(en.contains("Deadline: 2024-03-06 09:30:00 (UTC+07:00)"))
        #expect(en.contains("Waiting for: the digitally signed electronic version"))

        let json = try R.parse(Self.notice.json(language: .vi, timeZone: Fixture.hcm))
        #expect(json["submission"] as? String == "20240305-000123")
        #expect(json["verdict"] as? String == "pending")
        #expect(json["waiting_for"] as? String == "electronic-version")
        #expect(json["decide_by"] as? String == "2024-03-06T09:30:00+07:00")
        #expect(json["files"] as? [String] == ["4116-UBND-CN_scan.pdf"])
        #expect((json["missing"] as? String)?.isEmpty == false)
    }

    /// Waiting for the gateway's own revocation data: the clerk is told what
    /// is lacking and that there is nothing to send, not that it will be returned.
    @Test func aRevocationWaitTellsTheClerkThereIsNothingToDo() throws {
        let reason = WaitReason.revocationData(files: ["45-BC-STTTT.pdf"], lacking: ["45-BC-STTTT.pdf: CRL of Cục Chứng thực số expired 2026-11-01"])
        #expect(reason.tellsSender && !reason.senderActs && reason.code == "revocation-data")
        let n = PendingNotice(submission: "s", unit: "U", unitName: "Sở", officeName: "VP", key: "45-BC-STTTT", document: nil, type: .congVan,
                              reason: reason, receivedAt: D.t0, until: D.t0 + D.window, rule: R.citation)
        let vi = PendingText.render(n, language: .vi, timeZone: Fixture.hcm)
        #expect(vi.contains("không cần gửi lại") && vi.contains("CRL of Cục Chứng thực số expired"))
        #expect(!vi.contains("sẽ bị trả lại"))
        let en = PendingText.render(n, language: .en, timeZone: Fixture.hcm)
        #expect(en.contains("need do nothing") && !en.contains("will be returned"))
        let json = n.json(language: .vi, timeZone: Fixture.hcm).serialized()
        #expect(json.contains("\"waiting_for\":\"revocation-data\"") || json.contains("\"waiting_for\": \"revocation-data\""))
        #expect(json.contains("sender_must_act"))
    }
}
