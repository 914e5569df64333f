/// Something the clerks must see on an accepted submission. Kept as data by
/// the decision (which knows no language) and worded for the receipt.
public enum DecisionWarning: Sendable, Equatable {
    /// Paper alone, accepted because the rule did not yet apply to the
    /// sender's level (SPEC §4); `from` is the rule's date for that level.
    case paperOnlyBeforeRule(level: UnitLevel, from: CivilDate?)

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
