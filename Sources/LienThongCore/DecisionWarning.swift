/// Something the clerks must see on an accepted submission. Kept as data by
/// the decision (which knows no language) and worded for the receipt.
public enum DecisionWarning: Sendable, Equatable {
    /// Paper alone, accepted because the rule did not yet apply to the
    /// sender's level (SPEC §4); `from` is the rule's date for that level.
    case paperOnlyBeforeRule(level: UnitLevel, from: CivilDate?)
    /// The same document number and symbol already accepted from this unit
    /// with other content: a corrected re-issue is legitimate, a second copy
    /// is not, and only the clerks can tell. `earlier` is oldest first.
    case sameNumberAccepted(document: DocumentNumber, earlier: [String])
    /// The office's own document named recipients the registry does not know.
    case unknownRecipients([String])

    public func text(_ language: ReceiptLanguage) -> String {
        switch self {
        case .paperOnlyBeforeRule(let level, let from):
            let date = from.map { String(format: "%02d/%02d/%04d", $0.day, $0.month, $0.year) } ?? "?"
            switch language {
            case .vi:
                return "chấp nhận văn bản giấy không kèm văn bản điện tử: quy định áp dụng với \(Self.vietnamese(level)) từ ngày \(date)"
            case .en:
                return "paper-only accepted: the rule applies to \(level.rawValue) units from \(from.map(\.description) ?? "?")"
            }
        case .sameNumberAccepted(let document, let earlier):
            let list = earlier.joined(separator: ", "), first = earlier.first ?? ""
            switch language {
            case .vi:
                return "văn bản \(document.display) đã được tiếp nhận từ đơn vị này với nội dung khác (hồ sơ \(list)); kiểm tra đây là văn bản mới, không phải bản gửi lại của \(first)"
            case .en:
                return "document \(document.display) was already accepted from this unit with other content (submission \(list)); check that this is a new document and not a second copy of \(first)"
            }
        case .unknownRecipients(let list):
            switch language {
            case .vi: return "nơi nhận không xác định, không chuyển cho: \(list.joined(separator: ", "))"
            case .en: return "unknown recipients, nothing delivered to them: \(list.joined(separator: ", "))"
            }
        }
    }

    static func vietnamese(_ level: UnitLevel) -> String {
        switch level {
        case .province: return "cơ quan cấp tỉnh"
        case .department: return "các sở, ban, ngành"
        case .district: return "UBND cấp huyện"
        case .commune: return "UBND cấp xã"
        }
    }
}
