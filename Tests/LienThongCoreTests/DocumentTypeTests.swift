import Foundation
import Testing
@testable import LienThongCore

@Suite("Document types and the electronic-only rule (SPEC §1)")
struct DocumentTypeTests {
    @Test("Types issued electronically only, whatever the subject",
          arguments: ["GM", "BC", "TB", "KH", "CTr", "CĐ", "CT", "SY", "SL", "TS"])
    func electronicOnlyTypes(_ code: String) throws {
        let t = try #require(DocumentType.from(code: code))
        #expect(t.isElectronicOnly(subject: nil))
        #expect(t.isElectronicOnly(subject: "bất kỳ"))
        #expect(DocumentType.from(symbol: "\(code)-UBND") == t)
    }

    @Test("Types that still need paper", arguments: ["NQ", "QĐ", "QC", "QYĐ", "TC", "HD", "PA", "ĐA", "DA", "BB", "TTr", "HĐ", "GGT", "CV"])
    func paperTypes(_ code: String) throws {
        let t = try #require(DocumentType.from(code: code))
        #expect(!t.isElectronicOnly(subject: nil))
        #expect(!t.isElectronicOnly(subject: "về việc tổ chức hội nghị tổng kết"))
    }

    @Test("Công văn mời họp and giao việc are electronic-only", arguments: [
        "mời họp", "V/v Mời họp giao ban tháng 6", "MỜI HỌP", "giao việc", "Về việc giao việc cho Sở TT&TT",
        "giao nhiệm vụ triển khai chữ ký số", "mời dự hội nghị",
    ])
    func congVanSubjects(_ subject: String) {
        #expect(DocumentType.congVan.isElectronicOnly(subject: subject))
        #expect(DocumentType.congVan.isElectronicOnly(subject: Fixture.nfd(subject)), "NFD subject")
    }

    @Test("Other công văn still need paper")
    func plainCongVan() {
        #expect(!DocumentType.congVan.isElectronicOnly(subject: nil))
        #expect(!DocumentType.congVan.isElectronicOnly(subject: ""))
        #expect(!DocumentType.congVan.isElectronicOnly(subject: "về việc triển khai chữ ký số"))
        #expect(!DocumentType.congVan.isElectronicOnly(subject: "moi hop"), "without diacritics it is another phrase")
    }

    @Test("Quyết định thành lập Ban Chỉ đạo / Tổ giúp việc is electronic-only")
    func quyetDinhSubjects() throws {
        let qd = try #require(DocumentType.from(code: "QĐ"))
        #expect(qd.isElectronicOnly(subject: "thành lập Ban Chỉ đạo"))
        #expect(qd.isElectronicOnly(subject: "Quyết định về việc THÀNH LẬP BAN CHỈ ĐẠO chuyển đổi số tỉnh"))
        #expect(qd.isElectronicOnly(subject: Fixture.nfd("thành lập Ban Chỉ đạo")))
        #expect(qd.isElectronicOnly(subject: "thành lập Tổ giúp việc Ban Chỉ đạo"))
        #expect(!qd.isElectronicOnly(subject: nil))
        #expect(!qd.isElectronicOnly(subject: "phê duyệt dự toán ngân sách"))
        #expect(!qd.isElectronicOnly(subject: "mời họp"), "a quyết định is not a công văn")
    }

    @Test("from(code:) knows CV and the list, nothing else")
    func fromCode() {
        #expect(DocumentType.from(code: "CV") == .congVan)
        #expect(DocumentType.from(code: "cv") == .congVan)
        #expect(DocumentType.from(code: "qđ")?.code == "QĐ")
        #expect(DocumentType.from(code: "QD") == nil)
        #expect(DocumentType.from(code: "XYZ") == nil)
        #expect(DocumentType.from(code: "") == nil)
    }

    @Test("Every known code is distinct ignoring case and has both names")
    func knownList() {
        let upper = DocumentType.known.map { $0.code.uppercased() }
        #expect(Set(upper).count == upper.count)
        for t in DocumentType.known {
            #expect(!t.vietnamese.isEmpty && !t.english.isEmpty)
            #expect(DocumentType.from(code: t.code) == t)
            #expect(DocumentType.from(symbol: t.code + "-UBND") == t)
        }
    }

    @Test("Unknown first group and empty symbol are công văn")
    func unknownIsCongVan() {
        #expect(DocumentType.from(symbol: "UBND-CN") == .congVan)
        #expect(DocumentType.from(symbol: "") == .congVan)
        #expect(DocumentType.from(symbol: "-") == .congVan)
    }
}
