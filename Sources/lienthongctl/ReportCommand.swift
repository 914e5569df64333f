import ArgumentParser
import Foundation
import LienThongCore
import LienThongControl
import LienThongReport
import LienThongSpool

/// `lienthongctl report`: the compliance figures per unit for a period, for
/// the Sở TT&TT's annual report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compliance report per unit: received, accepted, rejected by reason, signature problems, decision time, electronic share.",
        discussion: """
            Counts the submissions whose first file arrived from --from to --to \
            (calendar days in Vietnam time, --to included), per unit of the registry \
            (the office's own outbound documents are not counted):

              received      submissions received in the period
              accepted      accepted (an arrival number was given)
              rejected      rejected, also counted per reason code; missing-electronic
                            (paper without its electronic version) comes first
              signature problems   submissions rejected for a signature reason
              median decision time decided_at − first arrival, the median
              electronic share     decided submissions that carried a signed
                                   electronic document, out of all decided

            Units count when the registry (units.csv) has them active at any time \
            in the period, with their active dates and successor; a subtotal per \
            level and a trend per month follow.

            --format text (default) prints a table; csv is RFC 4180 (UTF-8 with a \
            BOM for Excel, headers in the receipt language, one row per unit, a row \
            per level and a TOTAL row); html is one self-contained page (no scripts, \
            nothing fetched) with a summary table, units that sent no electronic \
            document first, the trend per month, and a chart per unit.

            Examples:
              lienthongctl report --from 2025-01-01 --to 2025-12-31
              lienthongctl report --from 2025-01-01 --to 2025-12-31 \\
                  --format csv --output 2025.csv
              lienthongctl report --from 2025-01-01 --to 2025-12-31 \\
                  --format html --output 2025.html
              lienthongctl report --from 2025-07-01 --to 2025-07-31 --unit 000.00.41.H41
              lienthongctl report --from 2025-01-01 --to 2025-12-31 --level district
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, csv, html, json
    }

    @OptionGroup var spool: SpoolOptions

    @Option(name: .long, help: ArgumentHelp("First day, YYYY-MM-DD (Vietnam time).", valueName: "date"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("Last day, YYYY-MM-DD, included.", valueName: "date"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("Only this unit.", valueName: "id"))
    var unit: String?

    @Option(name: .long, help: ArgumentHelp("Only units of this level: department, district, commune (or province).", valueName: "level"))
    var level: String?

    @Option(name: .long, help: "text, csv, html or json.")
    var format: Format = .text

    @Option(name: .long, help: ArgumentHelp("Write to this file (replaced whole) instead of standard output.", valueName: "path"))
    var output: String?

    func run() throws {
        let period: ReportPeriod
        do {
            period = try ReportPeriod(from: from, to: to, timeZone: ProvinceCalendar.timeZone)
        } catch {
            throw ValidationError("\(error)")
        }
        let config = try spool.load()
        if let unit, config.registry[unit] == nil {
            complain("lienthongctl report: note: \(unit) is not in the registry \(config.unitsPath); reporting what the ledger has for it")
        }
        let ledger = try spool.ledger(config)
        let rows = try ledger.reportRows(from: period.start, to: period.end)
        var units = config.registry.units.map {
            ComplianceReport.UnitInfo(id: $0.id, name: $0.name, level: $0.level.rawValue, activeFrom: $0.activeFrom, activeTo: $0.activeTo,
                                      successor: $0.successor)
        }
        var excluded: Set<String> = [config.office]
        if let level {
            guard UnitLevel(rawValue: level) != nil else {
                throw ValidationError("--level \(level): one of \(UnitLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            units = units.filter { $0.level == level }
            // Units the registry no longer has cannot be placed at a level.
            let kept = Set(units.map(\.id))
            excluded.formUnion(rows.map(\.record.unit).filter { !kept.contains($0) })
        }
        let report = ComplianceReport(
            submissions: rows.map { .init(record: $0.record, electronic: $0.electronic) },
            units: units, period: period, excludedUnits: excluded, only: unit, generatedAt: Date(),
            title: "Báo cáo tình hình tiếp nhận văn bản điện tử — \(config.registry[config.office]?.name ?? config.office)",
            rule: config.rule.citation)
        let body: String
        switch format {
        case .csv: body = ReportCSV.render(report, language: config.language)
        case .html: body = ReportHTML.render(report)
        case .text: body = text(report)
        case .json: body = try json(report)
        }
        if let output {
            do {
                try Data(body.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                complain("lienthongctl report: cannot write \(output): \(error.localizedDescription)")
                throw CtlExit.failure
            }
            complain("wrote \(output): \(report.units.count) unit\(report.units.count == 1 ? "" : "s"), \(report.total.received) submissions")
        } else {
            print(body, terminator: "")
        }
    }

    func text(_ r: ComplianceReport) -> String {
        let missing = ReasonCode.missingElectronic.rawValue
        func row(_ f: ComplianceReport.Figures, _ id: String) -> [String] {
            [id, Fmt.safe(f.unit.name), String(f.received), String(f.accepted), String(f.rejected), String(f.rejected(for: missing)),
             String(f.signatureProblems), String(f.pending), ComplianceReport.duration(f.medianDecisionSeconds), ComplianceReport.percent(f.electronicShare)]
        }
        var t = "Compliance report \(r.period.fromText) to \(r.period.toText) (Vietnam time)\n"
        t += Fmt.table(["UNIT", "NAME", "RECEIVED", "ACCEPTED", "REJECTED", "MISSING-ELECTRONIC", "SIGNATURE", "PENDING", "MEDIAN", "ELECTRONIC"],
                       r.units.map { row($0, $0.unit.id) } + r.levels.map { row($0, $0.unit.id) } + [row(r.total, "TOTAL")])
        t += "\nper month:\n" + Fmt.table(["MONTH", "RECEIVED", "ACCEPTED", "REJECTED", "ELECTRONIC"], r.months.map {
            [$0.month, String($0.figures.received), String($0.figures.accepted), String($0.figures.rejected),
             ComplianceReport.percent($0.figures.electronicShare)]
        })
        let reasons = r.units.filter { !$0.rejectedByReason.isEmpty }
        if !reasons.isEmpty {
            t += "\nrejected by reason:\n"
            for f in reasons {
                t += "  \(f.unit.id): " + f.rejectedByReason.map { "\(Fmt.safe($0.code)) \($0.count)" }.joined(separator: ", ") + "\n"
            }
        }
        return t
    }

    func json(_ r: ComplianceReport) throws -> String {
        struct Unit: Encodable {
            var id: String, name: String, level: String, activeFrom: String?, activeTo: String?, successor: String?
            var received: Int, accepted: Int, rejected: Int, pending: Int
            var rejectedByReason: [String: Int], signatureProblems: Int, medianDecisionSeconds: Double?, electronic: Int, decided: Int
            var electronicShare: Double?
        }
        struct Out: Encodable { var from: String, to: String, timeZone: String, units: [Unit], levels: [Unit], months: [Unit], total: Unit }
        func unit(_ f: ComplianceReport.Figures) -> Unit {
            Unit(id: f.unit.id, name: f.unit.name, level: f.unit.level, activeFrom: f.unit.activeFrom?.description,
                 activeTo: f.unit.activeTo?.description, successor: f.unit.successor.isEmpty ? nil : f.unit.successor, received: f.received, accepted: f.accepted, rejected: f.rejected,
                 pending: f.pending, rejectedByReason: Dictionary(uniqueKeysWithValues: f.rejectedByReason.map { ($0.code, $0.count) }),
                 signatureProblems: f.signatureProblems, medianDecisionSeconds: f.medianDecisionSeconds, electronic: f.electronic,
                 decided: f.decided, electronicShare: f.electronicShare)
        }
        return try Fmt.json(Out(from: r.period.fromText, to: r.period.toText, timeZone: r.period.timeZone.identifier,
                                units: r.units.map(unit), levels: r.levels.map(unit), months: r.months.map { unit($0.figures) },
                                total: unit(r.total))) + "\n"
    }
}
