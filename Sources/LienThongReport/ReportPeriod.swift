import Foundation

/// A report's period: whole calendar days in the province's time zone
/// (Asia/Ho_Chi_Minh), `to` included — "2025-01-01 to 2025-12-31" is the year.
public struct ReportPeriod: Sendable, Equatable {
    public let from: DateComponents
    public let to: DateComponents
    /// The first instant of `from`.
    public let start: Date
    /// The first instant of the day after `to` (exclusive bound).
    public let end: Date
    public let timeZone: TimeZone

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(from: String, to: String, timeZone: TimeZone) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func day(_ text: String, _ option: String) throws -> DateComponents {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
                  let date = calendar.date(from: DateComponents(year: y, month: m, day: d)),
                  calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: y, month: m, day: d)
            else { throw Invalid(description: "\(option) \(text): not a calendar date; write YYYY-MM-DD, e.g. 2025-01-01") }
            return DateComponents(year: y, month: m, day: d)
        }
        self.from = try day(from, "--from")
        self.to = try day(to, "--to")
        self.timeZone = timeZone
        start = calendar.date(from: self.from)!
        let last = calendar.date(from: self.to)!
        end = calendar.date(byAdding: .day, value: 1, to: last)!
        guard start < end else {
            throw Invalid(description: "--from \(from) is after --to \(to)")
        }
    }

    public var fromText: String { Self.text(from) }
    public var toText: String { Self.text(to) }

    static func text(_ c: DateComponents) -> String {
        String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// "01/01/2025" the Vietnamese way.
    static func vietnamese(_ c: DateComponents) -> String {
        String(format: "%02d/%02d/%04d", c.day ?? 0, c.month ?? 0, c.year ?? 0)
    }
}
