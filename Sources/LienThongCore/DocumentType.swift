import Foundation

/// Types of administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục III)
/// by the abbreviation that opens a symbol. A symbol whose first group is not
/// one of these (`UBND-CN`) is a công văn.
public struct DocumentType: Sendable, Hashable, Codable {
    public let code: String
    public let vietnamese: String
    public let english: String

    public static let congVan = DocumentType(code: "CV", vietnamese: "Công văn", english: "Official letter")

    public static let known: [DocumentType] = [
        .init(code: "NQ", vietnamese: "Nghị quyết", english: "Resolution"),
        .init(code: "QĐ", vietnamese: "Quyết định", english: "Decision"),
        .init(code: "CT", vietnamese: "Chỉ thị", english: "Directive"),
        .init(code: "QC", vietnamese: "Quy chế", english: "Regulation"),
        .init(code: "QYĐ", vietnamese: "Quy định", english: "Rule"),
        .init(code: "TC", vietnamese: "Thông cáo", english: "Communiqué"),
        .init(code: "TB", vietnamese: "Thông báo", english: "Notice"),
        .init(code: "HD", vietnamese: "Hướng dẫn", english: "Guidance"),
        .init(code: "CTr", vietnamese: "Chương trình", english: "Programme"),
        .init(code: "KH", vietnamese: "Kế hoạch", english: "Plan"),
        .init(code: "PA", vietnamese: "Phương án", english: "Scheme"),
        .init(code: "ĐA", vietnamese: "Đề án", english: "Project proposal"),
        .init(code: "DA", vietnamese: "Dự án", english: "Project"),
        .init(code: "BC", vietnamese: "Báo cáo", english: "Report"),
        .init(code: "BB", vietnamese: "Biên bản", english: "Minutes"),
        .init(code: "TTr", vietnamese: "Tờ trình", english: "Submission"),
        .init(code: "HĐ", vietnamese: "Hợp đồng", english: "Contract"),
        .init(code: "CĐ", vietnamese: "Công điện", english: "Official telegram"),
        .init(code: "BGN", vietnamese: "Bản ghi nhớ", english: "Memorandum"),
        .init(code: "BTT", vietnamese: "Bản thỏa thuận", english: "Agreement"),
        .init(code: "GUQ", vietnamese: "Giấy ủy quyền", english: "Power of attorney"),
        .init(code: "GM", vietnamese: "Giấy mời", english: "Invitation"),
        .init(code: "GGT", vietnamese: "Giấy giới thiệu", english: "Letter of introduction"),
        .init(code: "GNP", vietnamese: "Giấy nghỉ phép", english: "Leave permit"),
        .init(code: "PG", vietnamese: "Phiếu gửi", english: "Dispatch slip"),
        .init(code: "PC", vietnamese: "Phiếu chuyển", english: "Transfer slip"),
        .init(code: "PB", vietnamese: "Phiếu báo", english: "Notification slip"),
        .init(code: "SY", vietnamese: "Bản sao y", english: "True copy"),
        .init(code: "SL", vietnamese: "Bản sao lục", english: "Certified copy"),
        .init(code: "TS", vietnamese: "Bản trích sao", english: "Extract copy"),
    ]

    private static let byCode: [String: DocumentType] = {
        var map: [String: DocumentType] = [:]
        for t in known { map[t.code.uppercased()] = t }
        return map
    }()

    /// The type named by a symbol's first group; a công văn when it names none.
    /// Matching ignores case (`CTR`, `Ttr`) but not diacritics (`DA` ≠ `ĐA`).
    public static func from(symbol: String) -> DocumentType {
        let first = String(symbol.split(separator: "-").first ?? "")
        return byCode[first.uppercased()] ?? .congVan
    }

    /// The type of a code as a person writes it: any case, NFC or NFD (a
    /// config typed on a Mac may hold a decomposed Đ).
    public static func from(code: String) -> DocumentType? {
        let upper = code.nfc.uppercased()
        return upper == "CV" ? .congVan : byCode[upper]
    }

    /// Every code `from(code:)` knows, công văn included, for hints.
    public static var allCodes: [String] { [congVan.code] + known.map(\.code) }

    /// Whether Công văn 4116's list (the default of `[rule] electronic_only`)
    /// makes this type electronic-only; the gateway asks its configured
    /// `ElectronicOnlyList` instead.
    public func isElectronicOnly(subject: String?) -> Bool {
        ElectronicOnlyList.congVan4116.covers(self, subject: subject)
    }
}
