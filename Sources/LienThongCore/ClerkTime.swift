import Foundation

/// A time as a clerk writes it, in the province's zone: "14:05:09 ngày
/// 02/05/2024 (UTC+07:00)" or "2024-05-02 14:05:09 (UTC+07:00)". The JSON
/// files keep RFC 3339 for machines.
public enum ClerkTime {
    public static func text(_ date: Date, _ language: ReceiptLanguage, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        // The bytes of "%02d:%02d:%02d", "UTC%@%02d:%02d" and the dates below,
        // written without String(format:) (ZeroPadded).
        func p(_ n: Int?, _ width: Int = 2) -> String { ZeroPadded.decimal(n ?? 0, width: width) }
        let clock = p(c.hour) + ":" + p(c.minute) + ":" + p(c.second)
        let offset = timeZone.secondsFromGMT(for: date)
        let zone = "UTC" + (offset < 0 ? "-" : "+") + p(abs(offset) / 3600) + ":" + p(abs(offset) % 3600 / 60)
        switch language {
        case .vi: return clock + " ngày " + p(c.day) + "/" + p(c.month) + "/" + p(c.year, 4) + " (" + zone + ")"
        case .en: return p(c.year, 4) + "-" + p(c.month) + "-" + p(c.day) + " " + clock + " (" + zone + ")"
        }
    }
}
