import Foundation
import LienThongCore
import LienThongReport
import Testing

@Suite struct ComplianceReportTests {
    static let tz = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    static let units = [
        ComplianceReport.UnitInfo(id: "000.00.00.H41", name: "UBND tỉnh Nghệ An", level: "province"),
        ComplianceReport.UnitInfo(id: "000.00.21.H41", name: "Sở Thông tin và Truyền thông", level: "department"),
        ComplianceReport.UnitInfo(id: "000.00.41.H41", name: "UBND thành phố Vinh", level: "district"),
        ComplianceReport.UnitInfo(id: "000.41.01.H41", name: "UBND phường Hưng Bình", level: "commune"),
    ]

    /// A local (Vietnam) time on a day of 2025.
    static func local(_ month: Int, _ day: Int, _ hour: Int = 9, _ minute: Int = 0, _ second: Int = 0) -> Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = tz
        return c.date(from: DateComponents(year: 2025, month: month, day: day, hour: hour, minute: minute, second: second))!
    }

    static func sub(_ unit: String, _ verdict: String?, _ reasons: [String] = [], at: Date = local(3, 1), after: Double = 60,
                    electronic: Bool = false) -> ComplianceReport.Submission {
        .init(record: SubmissionRecord(id: "", unit: unit, firstArrival: at, verdict: verdict.flatMap(Verdict.init(rawValue:)),
                                       reasons: reasons.map(RecordedReason.init(stored:)), decidedAt: verdict == nil ? nil : at.addingTimeInterval(after)),
              electronic: electronic)
    }

    static let year = try! ReportPeriod(from: "2025-01-01", to: "2025-12-31", timeZone: tz)

    @Test func countsPerUnitWithReasonsMissingElectronicFirst() throws {
        let dept = "000.00.21.H41", district = "000.00.41.H41"
        let subs = [
            Self.sub(dept, "accepted", after: 30, electronic: true),
            Self.sub(dept, "accepted", after: 90, electronic: true),
            Self.sub(dept, "rejected", ["missing-electronic"], after: 86400),
            Self.sub(dept, "rejected", ["certificate-revoked", "modified-after-signing"], after: 10, electronic: true),
            Self.sub(dept, nil),
            Self.sub(district, "rejected", ["duplicate"], after: 5, electronic: true),
            Self.sub(district, "rejected", ["missing-electronic"], after: 7),
            Self.sub(district, "rejected", ["missing-scan"], after: 9, electronic: true),
            // The office's own outbound documents are not compliance figures.
            Self.sub("000.00.00.H41", "accepted", electronic: true),
        ]
        let r = ComplianceReport(submissions: subs, units: Self.units, period: Self.year, excludedUnits: ["000.00.00.H41"], generatedAt: Date())
        #expect(r.units.map(\.unit.id) == [dept, district, "000.41.01.H41"])
        let d = r.units[0]
        #expect(d.received == 5 && d.accepted == 2 && d.rejected == 2 && d.pending == 1)
        #expect(d.rejectedByReason.map(\.code) == ["missing-electronic", "modified-after-signing", "certificate-revoked"])
        #expect(d.signatureProblems == 1)
        // Decision times 30, 90, 86400, 10 → median (30 + 90) / 2.
        #expect(d.medianDecisionSeconds == 60)
        #expect(d.electronic == 3 && d.decided == 4 && d.electronicShare == 0.75)
        let v = r.units[1]
        #expect(v.rejectedByReason.map(\.code) == ["missing-electronic", "missing-scan", "duplicate"])
        #expect(v.signatureProblems == 0)
        #expect(v.medianDecisionSeconds == 7)
        let commune = r.units[2]
        #expect(commune.received == 0 && commune.electronicShare == nil && commune.medianDecisionSeconds == nil)
        #expect(r.total.received == 8 && r.total.accepted == 2 && r.total.rejected == 5 && r.total.pending == 1)
        #expect(r.total.rejected(for: "missing-electronic") == 2)
    }

    @Test func periodIsWholeVietnameseDaysWithToIncluded() throws {
        let p = try ReportPeriod(from: "2025-03-01", to: "2025-03-31", timeZone: Self.tz)
        let unit = "000.00.41.H41"
        let subs = [
            Self.sub(unit, "accepted", at: Self.local(3, 1, 0, 0, 0)),  // first instant: in
            Self.sub(unit, "accepted", at: Self.local(3, 31, 23, 59, 59)),  // last second of --to: in
            Self.sub(unit, "accepted", at: Self.local(4, 1, 0, 0, 0)),  // next day: out
            Self.sub(unit, "accepted", at: Self.local(2, 28, 23, 59, 59)),  // day before: out
        ]
        let r = ComplianceReport(submissions: subs, units: Self.units, period: p, excludedUnits: [], only: unit, generatedAt: Date())
        #expect(r.units.count == 1)
        #expect(r.units[0].received == 2)
        // 1 March 00:00 in Vietnam is 28 February 17:00 UTC.
        #expect(p.start == Date(timeIntervalSince1970: 1_740_762_000))
    }

    @Test func badDatesAreRefusedWithTheOptionNamed() {
        for (from, to, word) in [("2025-02-30", "2025-03-01", "--from"), ("2025-01-01", "31/12/2025", "--to"),
                                 ("2025-12-31", "2025-01-01", "after")] {
            do {
                _ = try ReportPeriod(from: from, to: to, timeZone: Self.tz)
                Issue.record("\(from)..\(to) was accepted")
            } catch {
                #expect("\(error)".contains(word))
            }
        }
    }

    @Test func unitsOnlyInTheLedgerAreStillReported() {
        let r = ComplianceReport(submissions: [Self.sub("000.99.99.H41", "rejected", ["missing-electronic"])], units: Self.units,
                                 period: Self.year, excludedUnits: ["000.00.00.H41"], generatedAt: Date())
        #expect(r.units.last?.unit.id == "000.99.99.H41")
        #expect(r.units.last?.rejected == 1)
    }

    @Test func medianAndDurations() {
        #expect(ComplianceReport.median([]) == nil)
        #expect(ComplianceReport.median([5]) == 5)
        #expect(ComplianceReport.median([9, 1, 5]) == 5)
        #expect(ComplianceReport.median([4, 1, 3, 2]) == 2.5)
        #expect(ComplianceReport.duration(45) == "45 s")
        #expect(ComplianceReport.duration(3 * 3600 + 5 * 60) == "3 h 05 min")
        #expect(ComplianceReport.duration(2 * 86400 + 4 * 3600) == "2 d 4 h")
        #expect(ComplianceReport.percent(0.75) == "75.0 %")
    }

    @Test func csvIsRFC4180WithFixedColumnsLevelsAndATotal() {
        var units = Self.units
        units[1].name = "Sở \"Thông tin\", Truyền thông"
        let subs = [Self.sub("000.00.21.H41", "rejected", ["missing-electronic"]), Self.sub("000.00.21.H41", "accepted", electronic: true)]
        let r = ComplianceReport(submissions: subs, units: units, period: Self.year, excludedUnits: ["000.00.00.H41"], generatedAt: Date())
        let csv = ReportCSV.render(r)
        #expect(csv.hasSuffix("\r\n"))
        // A BOM so Excel reads UTF-8, and Vietnamese headers by default.
        #expect(csv.utf8.starts(with: [0xEF, 0xBB, 0xBF]))
        let lines = csv.dropFirst().components(separatedBy: "\r\n").dropLast()
        #expect(lines.count == 1 + 3 + 3 + 1)
        #expect(lines[0].hasPrefix("Mã đơn vị,Tên đơn vị,Cấp,Hoạt động từ,Hoạt động đến,Đơn vị kế thừa,Tiếp nhận,Chấp nhận,Trả lại,Đang chờ,Trả lại: missing-electronic,"))
        #expect(lines[1].hasPrefix("000.00.21.H41,\"Sở \"\"Thông tin\"\", Truyền thông\",department,,,,2,1,1,0,1,0,"))
        #expect(lines[1].hasSuffix(",1,2,0.5000"))
        #expect(lines[4].hasPrefix("level:department,\"Các sở, ngành / Departments\",department,,,,2,1,1,"))
        #expect(lines.last!.hasPrefix("TOTAL,"))
        #expect(ReportCSV.header(.vi).count == lines[2].split(separator: ",", omittingEmptySubsequences: false).count)
        let english = ReportCSV.render(r, language: .en)
        #expect(english.dropFirst().hasPrefix("Unit id,Unit name,Level,Active from,Active to,Successor,Received,"))
    }

    @Test func htmlIsSelfContainedAndEscapesEverything() {
        var units = Self.units
        units[2].name = "<script>alert(1)</script> & \"Vinh\""
        let hostile = "x\"><img src=x onerror=alert(1)>"
        let subs = [Self.sub("000.00.41.H41", "rejected", ["missing-electronic"]), Self.sub("000.00.41.H41", "rejected", [hostile]),
                    Self.sub("000.00.41.H41", "accepted", electronic: true)]
        let r = ComplianceReport(submissions: subs, units: units, period: Self.year, excludedUnits: ["000.00.00.H41"], generatedAt: Date(),
                                 rule: "Công văn số 4116/UBND-CN")
        let html = ReportHTML.render(r)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Vinh&quot;"))
        for external in ["<link", "url(", "@import", "https://"] { #expect(!html.contains(external), "\(external)") }
        // No tag fetches anything (the hostile text above is escaped, so its src= is plain text).
        #expect(html.range(of: "<[^>]*\\s(src|href)\\s*=\\s*[\"']", options: .regularExpression) == nil)
        #expect(html.contains("<svg"))
        // A bidirectional override cannot turn a name around in the page.
        #expect(ReportHTML.escape("abc\u{202E}fdp.exe\u{1B}[31m") == "abc\u{FFFD}fdp.exe\u{FFFD}[31m")
        #expect(html.contains(ReportHTML.missingElectronicColour))
        #expect(html.contains("Thiếu văn bản điện tử"))
        #expect(html.contains("Công văn số 4116/UBND-CN"))
        // A unit with nothing in the period says so instead of drawing an empty chart.
        #expect(html.contains("Không có văn bản trong kỳ"))
    }
}

@Suite struct QueueShapeTests {
    @Test func bucketsByAgePerUnitBusiestFirst() {
        let shape = QueueShape(ages: [("A", 10), ("A", 299), ("A", 300), ("B", 3600 * 5), ("B", 86400 * 3), ("C", 3599), ("B", 86400)])
        #expect(shape.total.counts == [2, 2, 0, 1, 2])
        #expect(shape.rows.map(\.unit) == ["A", "B", "C"])
        #expect(shape.rows[0].counts == [2, 1, 0, 0, 0])
        #expect(shape.rows[1].counts == [0, 0, 0, 1, 2])
        let text = shape.text()
        #expect(text.hasPrefix("UNIT   TOTAL    <5m    <1h    <4h   <24h  >=24h\n"))
        #expect(text.contains("\nTOTAL      7      2      2      0      1      2\n"))
    }
}
