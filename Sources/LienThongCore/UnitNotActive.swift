import Foundation

/// `unit-not-active` (SPEC §4): the sender's registry row was not active on
/// the day its first file arrived. The detail names the unit's dates and the
/// successor to send through, in the receipt's language.
public enum UnitNotActive {
    /// The day of the first arrival is judged, not the day of the decision: a
    /// document sent on a unit's last day, still waiting for its scan the next
    /// day, was sent while the unit existed.
    public static func finding(_ unit: Unit, sentAt: Date, policy: DecisionPolicy) -> Finding? {
        let day = CivilDate(sentAt, in: policy.timeZone)
        guard !unit.isActive(on: day) else { return nil }
        let successor = policy.registry.activeSuccessor(of: unit, on: day)
        return Finding(.unitNotActive, detail(unit, day: day, successor: successor, language: policy.language))
    }

    static func detail(_ unit: Unit, day: CivilDate, successor: Unit?, language: ReceiptLanguage) -> String {
        let vi = language == .vi
        var text: String
        if let to = unit.activeTo, to < day {
            text = vi ? "đơn vị \(unit.id) \(unit.name) hoạt động đến hết ngày \(to)" : "unit \(unit.id) \(unit.name) was active until \(to)"
        } else {
            let from = unit.activeFrom?.description ?? "?"
            text = vi ? "đơn vị \(unit.id) \(unit.name) hoạt động từ ngày \(from)" : "unit \(unit.id) \(unit.name) is active from \(from)"
        }
        if let s = successor {
            text += vi
                ? "; đơn vị kế thừa: \(s.id) \(s.name) — đề nghị gửi qua thư mục chia sẻ units/\(s.id)/outbox/"
                : "; its successor is \(s.id) \(s.name): send through its share, units/\(s.id)/outbox/"
        } else {
            text += vi ? "; danh mục không ghi đơn vị kế thừa, đề nghị liên hệ Văn phòng" : "; the registry names no successor: ask the office"
        }
        return text
    }
}
