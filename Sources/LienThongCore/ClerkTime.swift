import Foundation

/// A time as a clerk writes it, in the province's zone: "14:05:09 ngày
/// 02/05/2024 (UTC+07:00)" or "2024-05-02 14:05:09 (UTC+07:00)". The JSON
/// files keep RFC 3339 for machines.
public enum ClerkTime {
    public static func text(_ date: Date, _ language: ReceiptLanguage, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let offset = timeZone.secondsFromGMT(for: date)
        // The bytes of "%02d:%02d:%02d", "UTC%@%02d:%02d" and the dates below,
        // written without String(format:) into one buffer (ZeroPadded).
        var out: [UInt8] = []
        out.reserveCapacity(40)
        func p(_ n: Int?, _ width: Int = 2) { ZeroPadded.append(n ?? 0, width: width, to: &out) }
        func s(_ text: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }
        func clock() { p(c.hour); s(":"); p(c.minute); s(":"); p(c.second) }
        func zone() { s(" (UTC"); s(offset < 0 ? "-" : "+"); p(abs(offset) / 3600); s(":"); p(abs(offset) % 3600 / 60); s(")") }
        switch language {
        case .vi: clock(); s(" ngày "); p(c.day); s("/"); p(c.month); s("/"); p(c.year, 4); zone()
        case .en: p(c.year, 4); s("-"); p(c.month); s("-"); p(c.day); s(" "); clock(); zone()
        }
        return String(decoding: out, as: UTF8.self)
    }
}
