import Foundation

/// A time as a clerk writes it, in the province's zone: "14:05:09 ngày
/// 02/05/2024 (UTC+07:00)" or "2024-05-02 14:05:09 (UTC+07:00)". The JSON
/// files keep RFC 3339 for machines.
public enum ClerkTime {
    public static func text(_ date: Date, _ language: ReceiptLanguage, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let clock = String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        let offset = timeZone.secondsFromGMT(for: date)
        let zone = String(format: "UTC%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 3600, abs(offset) % 3600 / 60)
        switch language {
        case .vi: return String(format: "%@ ngày %02d/%02d/%04d (%@)", clock, c.day ?? 0, c.month ?? 0, c.year ?? 0, zone)
        case .en: return String(format: "%04d-%02d-%02d %@ (%@)", c.year ?? 0, c.month ?? 0, c.day ?? 0, clock, zone)
        }
    }
}
