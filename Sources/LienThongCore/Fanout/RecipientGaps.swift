/// The lines of an office receipt that say which named recipients got
/// nothing because of the registry's dates: a group with no active unit
/// (`districts` after 1 July 2025) and units that had ended. SPEC §7/§8: a
/// recipient is never dropped silently.
public enum RecipientGaps {
    public static func lines(emptyGroups: [String], inactive: [String], language: ReceiptLanguage) -> [String] {
        let vi = language == .vi
        var lines: [String] = []
        if !emptyGroups.isEmpty {
            lines.append((vi ? "Nhóm nơi nhận KHÔNG CÒN ĐƠN VỊ NÀO hoạt động vào ngày xử lý (không chuyển): "
                             : "Recipient groups with NO ACTIVE UNIT on the day (nothing delivered): ")
                + emptyGroups.joined(separator: ", "))
        }
        if !inactive.isEmpty {
            lines.append((vi ? "Đơn vị nhận KHÔNG CÒN HOẠT ĐỘNG (không chuyển; gửi cho đơn vị kế thừa): "
                             : "Recipients NO LONGER ACTIVE (nothing delivered; address their successors): ")
                + inactive.joined(separator: ", "))
        }
        return lines
    }
}
