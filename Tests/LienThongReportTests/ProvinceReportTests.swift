import Foundation
import LienThongCore
import LienThongReport
import Testing

/// A report across 1 July 2025, when the districts were dissolved and the
/// new communes began (issue 13): the 2025 report still shows the districts
/// of 2025; a 2026 report does not; subtotals per level and a trend per month.
@Suite struct ProvinceReportTests {
    static let tz = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    static let units = [
        ComplianceReport.UnitInfo(id: "000.00.15.H41", name: "Sở Khoa học và Công nghệ", level: "department"),
        ComplianceReport.UnitInfo(id: "000.00.41.H41", name: "UBND thành phố Vinh", level: "district",
                                  activeTo: CivilDate(year: 2025, month: 6, day: 30), successor: "000.30.01.H41"),
        ComplianceReport.UnitInfo(id: "000.01.41.H41", name: "UBND phường Hưng Bình", level: "commune",
                                  activeTo: CivilDate(year: 2025, month: 6, day: 30), successor: "000.30.01.H41"),
        ComplianceReport.UnitInfo(id: "000.30.01.H41", name: "UBND phường Thành Vinh", level: "commune",
                                  activeFrom: CivilDate(year: 2025, month: 7, day: 1)),
        ComplianceReport.UnitInfo(id: "000.30.02.H41", name: "UBND phường Vinh Hưng", level: "commune",
                                  activeFrom: CivilDate(year: 2025, month: 7, day: 1)),
    ]

    static func at(_ y: Int, _ m: Int, _ d: Int) -> Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = tz
        return c.date(from: DateComponents(year: y, month: m, day: d, hour: 9))!
    }

    static func sub(_ unit: String, _ date: Date, electronic: Bool) -> ComplianceReport.Submission {
        .init(record: SubmissionRecord(id: "", unit: unit, firstArrival: date, verdict: electronic ? .accepted : .rejected,
                                       reasons: electronic ? [] : [.known(.missingElectronic)], decidedAt: date.addingTimeInterval(60)),
              electronic: electronic)
    }

    static let submissions = [
        sub("000.00.41.H41", at(2025, 6, 10), electronic: true),
        sub("000.01.41.H41", at(2025, 6, 20), electronic: false),
        sub("000.30.01.H41", at(2025, 7, 2), electronic: true),
        sub("000.00.15.H41", at(2025, 7, 15), electronic: true),
        sub("000.30.01.H41", at(2026, 1, 5), electronic: true),
    ]

    static func report(_ from: String, _ to: String) throws -> ComplianceReport {
        ComplianceReport(submissions: submissions, units: units, period: try ReportPeriod(from: from, to: to, timeZone: tz),
                         excludedUnits: [], generatedAt: Date())
    }

    @Test func unitsActiveAtAnyTimeInThePeriodAreCounted() throws {
        let across = try Self.report("2025-06-01", "2025-07-31")
        #expect(across.units.map(\.unit.id) == Self.units.map(\.id))
        let before = try Self.report("2025-01-01", "2025-06-30")
        #expect(before.units.map(\.unit.id) == ["000.00.15.H41", "000.00.41.H41", "000.01.41.H41"])
        let after = try Self.report("2026-01-01", "2026-12-31")
        #expect(after.units.map(\.unit.id) == ["000.00.15.H41", "000.30.01.H41", "000.30.02.H41"])
    }

    @Test func subtotalsPerLevelAndATrendPerMonth() throws {
        let r = try Self.report("2025-06-01", "2025-08-31")
        #expect(r.levels.map(\.unit.level) == ["department", "district", "commune"])
        #expect(r.levels.map(\.received) == [1, 1, 2])
        #expect(r.levels.map(\.electronic) == [1, 1, 1])
        #expect(r.months.map(\.month) == ["2025-06", "2025-07", "2025-08"])
        #expect(r.months.map(\.figures.received) == [2, 2, 0])
        #expect(r.months.map(\.figures.electronicShare) == [0.5, 1.0, nil])
    }

    @Test func htmlShowsDatesSuccessorsTrendAndNoElectronicUnitsFirst() throws {
        let r = try Self.report("2025-06-01", "2025-08-31")
        let html = ReportHTML.render(r)
        let rows = html.components(separatedBy: "<table id=\"summary\">")[1].components(separatedBy: "</table>")[0]
            .components(separatedBy: "data-unit=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        // Paper only first, then units that sent nothing, then the rest in registry order.
        #expect(rows == ["000.01.41.H41", "000.30.02.H41", "000.00.15.H41", "000.00.41.H41", "000.30.01.H41",
                         "level:department", "level:district", "level:commune", ""])
        #expect(html.contains("đến / until 2025-06-30 → 000.30.01.H41"))
        #expect(html.contains("từ / from 2025-07-01"))
        #expect(html.contains("<tr data-month=\"2025-07\"><td>2025-07</td><td class=\"n\">2</td>"))
        let sections = html.components(separatedBy: "<section class=\"unit\" data-unit=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(sections.first == "000.01.41.H41")
    }
}
