import Foundation
import Testing
@testable import LienThongCore

/// The words the stages put in front of a clerk (finding details, warnings,
/// the office's outbound receipt) are Core's data: every phrase has a text
/// in every receipt language, and no Vietnamese receipt falls back to English.
@Suite struct ClerkWordingTests {
    /// One of each phrase. The switches below have no default, so a new
    /// phrase does not compile until it is numbered there, and then the
    /// count check asks for an example of it here.
    static let findings: [FindingDetail] = [
        .notRegular(name: "a", kind: "FIFO"), .hardLinked(name: "a"), .tooLarge(name: "a", size: 10, limit: 5), .empty(name: "a"),
        .unreadable(name: "a"), .validationStopped(name: "a", ValidationStop(bound: .depth, limit: 48)),
        .duplicate(name: "a", earlier: "20250101-000001-abcd"), .unitGone(unit: "000.00.41.H41"),
        .manifestUnreadable(name: "25-GM-UBND.json"), .onlyManifest, .officeUnsigned(names: ["a.pdf", "b.pdf"]), .notValidated(name: "a"),
        .noRecipients, .noActiveRecipient(unknown: ["X"], emptyGroups: ["districts"], inactive: ["000.00.41.H41"]),
    ]

    static func number(_ f: FindingDetail) -> Int {
        switch f {
        case .notRegular: 0
        case .hardLinked: 1
        case .tooLarge: 2
        case .empty: 3
        case .unreadable: 4
        case .validationStopped: 5
        case .duplicate: 6
        case .unitGone: 7
        case .manifestUnreadable: 8
        case .onlyManifest: 9
        case .officeUnsigned: 10
        case .notValidated: 11
        case .noRecipients: 12
        case .noActiveRecipient: 13
        }
    }

    static let warnings: [DecisionWarning] = [
        .paperOnlyBeforeRule(level: .commune, from: CivilDate(year: 2018, month: 9, day: 1)),
        .sameNumberAccepted(document: DocumentNumber.find(in: "4116-UBND-CN")!, earlier: ["s1", "s2"]),
        .unknownRecipients(["X", "Y"]),
    ]

    static func number(_ w: DecisionWarning) -> Int {
        switch w {
        case .paperOnlyBeforeRule: 0
        case .sameNumberAccepted: 1
        case .unknownRecipients: 2
        }
    }

    static let outbound: [OutboundPhrase] = [
        .heading, .subject("hop-2025"), .recipientsRequested(["districts"]), .recipientsUnknown(["X"]), .paperRequired, .electronicOnly,
        .deliveredNowhere, .paperFolder("office/paper/k"), .deliveryCounts(total: 3, delivered: 1, waiting: 1, failed: 1),
        .recipient("U1", .delivered(path: "units/U1/inbox/k.pdf"), error: nil), .recipient("U2", .beingDelivered, error: nil),
        .recipient("U3", .willRetry(at: "2025-07-01T09:00:00+07:00"), error: "EACCES"), .recipient("U4", .failed, error: "ENOSPC"),
    ]

    static func number(_ p: OutboundPhrase) -> Int {
        switch p {
        case .heading: 0
        case .subject: 1
        case .recipientsRequested: 2
        case .recipientsUnknown: 3
        case .paperRequired: 4
        case .electronicOnly: 5
        case .deliveredNowhere: 6
        case .paperFolder: 7
        case .deliveryCounts: 8
        case .recipient(_, let progress, _):
            switch progress {
            case .delivered: 9
            case .beingDelivered: 10
            case .willRetry: 11
            case .failed: 12
            }
        }
    }

    @Test func everyPhraseHasAnExample() {
        #expect(Set(Self.findings.map(Self.number)) == Set(0...13))
        #expect(Set(Self.warnings.map(Self.number)) == Set(0...2))
        #expect(Set(Self.outbound.map(Self.number)) == Set(0...12))
    }

    /// Every phrase worded in every language, each language its own words.
    @Test func everyPhraseInEveryLanguage() {
        let texts: [(String, (ReceiptLanguage) -> String)] =
            Self.findings.map { f in ("\(f)", { f.text($0) }) } + Self.warnings.map { w in ("\(w)", { w.text($0) }) }
            + Self.outbound.map { p in ("\(p)", { p.text($0) }) }
        for (what, text) in texts {
            let worded = ReceiptLanguage.allCases.map(text)
            #expect(worded.allSatisfy { $0.count > 3 }, "\(what) has an empty text")
            #expect(Set(worded).count == ReceiptLanguage.allCases.count, "\(what) reads the same in two languages")
            #expect(!Self.looksVietnamese(text(.en)), "\(what): Vietnamese in the English text")
        }
    }

    static func looksVietnamese(_ s: String) -> Bool {
        s.unicodeScalars.contains { "ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ".unicodeScalars.contains($0) }
    }

    /// The wording moved from the stages unchanged: receipts read as before.
    @Test func wordsAsTheReceiptsHadThem() {
        #expect(FindingDetail.tooLarge(name: "a.pdf", size: 10, limit: 5).text(.vi) == "a.pdf: 10 byte, vượt giới hạn 5 byte")
        #expect(FindingDetail.notRegular(name: "x", kind: "symbolic link").text(.vi)
                == "x: là liên kết tượng trưng (symbolic link), không phải tệp thông thường; được cách ly, không mở")
        #expect(FindingDetail.notRegular(name: "x", kind: "block device").text(.en) == "x: a block device, not a regular file; kept in quarantine, never opened")
        #expect(DecisionWarning.sameNumberAccepted(document: DocumentNumber.find(in: "4116-UBND-CN")!, earlier: ["s1", "s2"]).text(.vi)
                == "văn bản 4116/UBND-CN đã được tiếp nhận từ đơn vị này với nội dung khác (hồ sơ s1, s2); kiểm tra đây là văn bản mới, không phải bản gửi lại của s1")
        #expect(OutboundPhrase.recipient("U3", .willRetry(at: "T"), error: "EACCES").text(.vi) == "  - U3: chưa chuyển được, sẽ thử lại lúc T; lỗi: EACCES")
        #expect(OutboundPhrase.recipient("U1", .delivered(path: nil), error: nil).text(.en) == "  - U1: delivered")
        #expect(OutboundPhrase.deliveryCounts(total: 3, delivered: 1, waiting: 1, failed: 1).text(.en)
                == "Delivery to 3 units: 1 delivered, 1 waiting, 1 failed")
        #expect(OutboundPhrase.paperFolder("office/paper/k").text(.vi) == "Đã lưu để gửi bản giấy tại: office/paper/k/")
    }
}
