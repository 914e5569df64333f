import Foundation

/// Postfix qshape for the gateway's queue: pending submissions per unit by
/// age bucket, so "which unit has things stuck, and since when" is one table.
public struct QueueShape: Sendable, Equatable {
    /// Upper bounds of the buckets in seconds; a last bucket takes the rest.
    public static let bounds: [Double] = [300, 3600, 4 * 3600, 24 * 3600]
    public static let labels = ["<5m", "<1h", "<4h", "<24h", ">=24h"]

    public struct Row: Sendable, Equatable {
        public var unit: String
        public var counts: [Int]
        public var total: Int { counts.reduce(0, +) }
    }

    /// Units with the most pending first; the last row is the total.
    public let rows: [Row]
    public let total: Row

    public init(ages: [(unit: String, age: Double)]) {
        var perUnit: [String: [Int]] = [:]
        var total = [Int](repeating: 0, count: Self.labels.count)
        for (unit, age) in ages {
            let bucket = Self.bucket(age)
            perUnit[unit, default: [Int](repeating: 0, count: Self.labels.count)][bucket] += 1
            total[bucket] += 1
        }
        rows = perUnit.map { Row(unit: $0.key, counts: $0.value) }.sorted { ($1.total, $0.unit) < ($0.total, $1.unit) }
        self.total = Row(unit: "TOTAL", counts: total)
    }

    public static func bucket(_ age: Double) -> Int {
        bounds.firstIndex { age < $0 } ?? bounds.count
    }

    /// A fixed-width text table, like qshape's.
    public func text() -> String {
        let width = max(5, (rows.map(\.unit.count) + [5]).max()!)
        func line(_ name: String, _ cells: [String]) -> String {
            name.padding(toLength: width, withPad: " ", startingAt: 0) + cells.map { String(repeating: " ", count: max(0, 7 - $0.count)) + $0 }.joined()
        }
        var out = [line("UNIT", ["TOTAL"] + Self.labels)]
        out.append(line(total.unit, ([total.total] + total.counts).map(String.init)))
        for r in rows { out.append(line(r.unit, ([r.total] + r.counts).map(String.init))) }
        return out.joined(separator: "\n") + "\n"
    }
}
