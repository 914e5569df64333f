import Foundation
import LienThongCore

/// Subtotals per level and the trend per month: the two views the Sở's
/// annual report asks for beside the table per unit.
extension ComplianceReport {
    /// One calendar month of the period (the first and last may be partial).
    public struct Month: Sendable, Equatable {
        /// `2025-07`.
        public var month: String
        public var figures: Figures
    }

    /// The Vietnamese name of each level's subtotal row.
    public static func levelName(_ level: String) -> String {
        switch level {
        case UnitLevel.province.rawValue: return "Cấp tỉnh / Province"
        case UnitLevel.department.rawValue: return "Các sở, ngành / Departments"
        case UnitLevel.district.rawValue: return "Cấp huyện / Districts"
        case UnitLevel.commune.rawValue: return "Cấp xã / Communes"
        default: return "Không còn trong danh mục / Not in the registry"
        }
    }

    /// Whether `unit` was active on any day of the period, by its registry dates.
    static func activeSometime(_ unit: UnitInfo, in period: ReportPeriod) -> Bool {
        guard let first = civil(period.from), let last = civil(period.to) else { return true }
        let u = Unit(id: unit.id, name: unit.name, level: .department, activeFrom: unit.activeFrom, activeTo: unit.activeTo)
        return u.isActive(from: first, to: last)
    }

    static func civil(_ c: DateComponents) -> CivilDate? {
        guard let y = c.year, let m = c.month, let d = c.day else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    static func levelSubtotals(_ units: [UnitInfo], _ byUnit: [String: [Submission]]) -> [Figures] {
        let order = UnitLevel.allCases.map(\.rawValue) + [""]
        return order.compactMap { level in
            let members = units.filter { (UnitLevel(rawValue: $0.level)?.rawValue ?? "") == level }
            guard !members.isEmpty else { return nil }
            let info = UnitInfo(id: "level:\(level.isEmpty ? "other" : level)", name: levelName(level), level: level)
            return figures(info, members.flatMap { byUnit[$0.id] ?? [] })
        }
    }

    /// Every month from the period's first to its last, empty ones included,
    /// so a trend shows the months a level stopped sending.
    static func monthly(_ submissions: [Submission], period: ReportPeriod) -> [Month] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = period.timeZone
        func key(_ y: Int, _ m: Int) -> String { String(format: "%04d-%02d", y, m) }
        let byMonth = Dictionary(grouping: submissions) { s -> String in
            let c = calendar.dateComponents([.year, .month], from: s.record.firstArrival)
            return key(c.year ?? 0, c.month ?? 0)
        }
        var months: [Month] = []
        var (y, m) = (period.from.year ?? 0, period.from.month ?? 1)
        let last = (period.to.year ?? 0, period.to.month ?? 1)
        while (y, m) <= last {
            let k = key(y, m)
            months.append(Month(month: k, figures: figures(UnitInfo(id: k, name: k, level: ""), byMonth[k] ?? [])))
            (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1)
        }
        return months
    }

    /// The units in the order of the HTML page: first those that sent no
    /// electronic document at all — paper only, then nothing — so the units
    /// the rule is about stand first; the others after, in registry order.
    public var unitsByCompliance: [Figures] {
        units.filter { $0.electronic == 0 && $0.received > 0 }
            + units.filter { $0.received == 0 }
            + units.filter { $0.electronic > 0 }
    }
}
