import ArgumentParser
import Foundation
import LienThongCore
import LienThongControl
import LienThongReport
import LienThongSpool

/// `lienthongctl find TEXT`: which submission a clerk is phoning about.
struct FindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Find submissions by document number or symbol, key, submission id, file name or sha256 prefix.",
        discussion: """
            TEXT matches the start of a submission id, any part of its key or of a file \
            name (so a document number like 4116, a symbol like UBND-CN, or 4116/UBND-CN as \
            written on paper), and, when it is at least 6 hex digits, the start of a file's \
            sha256. Newest first. Dates are calendar days in Vietnam time, --to included.

            Exit status: 0 found, 1 nothing found, 2 usage.

            Examples:
              lienthongctl find 4116
              lienthongctl find 4116/UBND-CN --unit 000.00.21.H41 --verdict rejected
              lienthongctl find 3f1a9c --from 2025-01-01 --to 2025-12-31
              lienthongctl show $(lienthongctl find 4116 --json | jq -r '.[0].id')
            """
    )
    @OptionGroup var spool: SpoolOptions
    @Argument(help: ArgumentHelp("What to look for.", valueName: "text")) var text: String
    @Option(name: .long, help: ArgumentHelp("Only this unit's submissions.", valueName: "id")) var unit: String?
    @Option(name: .long, help: ArgumentHelp("First arrival on or after this day.", valueName: "YYYY-MM-DD")) var from: String?
    @Option(name: .long, help: ArgumentHelp("First arrival on or before this day.", valueName: "YYYY-MM-DD")) var to: String?
    @Option(name: .long, help: ArgumentHelp("accepted, rejected or pending.", valueName: "verdict")) var verdict: String?
    @Flag(name: .long, help: "Print JSON instead of a table.") var json = false

    struct Item: Encodable {
        var id, unit, key, state: String
        var verdict: String?
        var reasons: [String]
        var arrivalNumber: Int?
        var firstArrival: String
        var decidedAt: String
    }

    func validate() throws {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("TEXT is empty; give a number, key, id or hash") }
        if let v = verdict, LedgerReader.VerdictFilter(v) == nil {
            throw ValidationError("--verdict \(v): write accepted, rejected or pending")
        }
    }

    func run() throws {
        let days: ReportPeriod?
        do {
            days = (from ?? to) == nil ? nil
                : try ReportPeriod(from: from ?? "1970-01-01", to: to ?? "2999-12-31", timeZone: ProvinceCalendar.timeZone)
        } catch { throw ValidationError("\(error)") }
        let config = try spool.load()
        let ledger = try spool.ledger(config)
        let found = try ledger.find(.init(text: text, unit: unit, from: days?.start, to: days?.end, verdict: verdict.flatMap(LedgerReader.VerdictFilter.init)))
        let items = found.map {
            Item(id: $0.id, unit: $0.unit, key: $0.key, state: $0.state.rawValue, verdict: $0.verdict?.rawValue, reasons: $0.reasons.map(\.rawValue),
                 arrivalNumber: $0.arrivalNumber, firstArrival: Fmt.time($0.firstArrival), decidedAt: Fmt.time($0.decidedAt))
        }
        if json {
            print(try Fmt.json(items))
        } else if !items.isEmpty {
            print(Fmt.table(
                ["ID", "UNIT", "KEY", "VERDICT", "ARRIVAL NO", "FIRST ARRIVAL", "REASONS"],
                items.map { [$0.id, $0.unit, Fmt.safe($0.key), $0.verdict ?? "pending (\($0.state))", $0.arrivalNumber.map(String.init) ?? "-",
                             $0.firstArrival, $0.reasons.joined(separator: ",")] }),
                terminator: "")
        }
        if items.isEmpty {
            complain("lienthongctl find: nothing matches \"\(text)\"" + (unit.map { " from \($0)" } ?? ""))
            throw CtlExit.failure
        }
    }
}
