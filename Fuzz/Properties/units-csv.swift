import LienThongCore
@testable import LienThongConfig

/// `units.csv` as the daemon reads it (bytes → text → registry): either a
/// registry whose ids are usable folder names, unique, with parents and
/// successors that exist, or problems that each name a line of the file. The
/// CSV layer under it puts every record and failure on a line of the file, in
/// order.
enum UnitsCSVProperty {
    static func check(_ input: [UInt8], _ p: PropertyCheck) {
        guard case .success(let text) = TextFile.decode(input) else { return }
        let lines = lineCount(text)
        records(text, lines: lines, p)
        switch UnitsCSV.parse(text, file: "units.csv") {
        case .failure(let error): refusal(error, lines: lines, p)
        case .success(let registry): accepted(registry, lines: lines, p)
        }
    }

    private static func records(_ text: String, lines: Int, _ p: PropertyCheck) {
        let (records, failures) = CSVReader.parse(text)
        for (a, b) in zip(records, records.dropFirst()) {
            p.require(a.line < b.line, "record at line \(b.line) after one at line \(a.line)")
        }
        for r in records {
            p.require((1...lines).contains(r.line), "record at line \(r.line) of \(lines)")
            p.require(!r.fields.isEmpty, "a record without fields at line \(r.line)")
        }
        for f in failures {
            p.require((1...lines).contains(f.line) && !f.message.isEmpty, "CSV failure at line \(f.line) of \(lines): \(f.message)")
        }
    }

    private static func refusal(_ error: ConfigError, lines: Int, _ p: PropertyCheck) {
        p.require(!error.problems.isEmpty, "a failure without problems")
        for problem in error.problems {
            p.require(problem.file == "units.csv" && !problem.message.isEmpty, "problem without a message: \(problem)")
            if let line = problem.line {
                p.require((1...lines).contains(line), "line \(line) of \(lines): \(problem)")
            }
        }
    }

    private static func accepted(_ registry: Registry, lines: Int, _ p: PropertyCheck) {
        p.require(!registry.units.isEmpty, "an empty registry accepted")
        p.require(Set(registry.ids).count == registry.units.count, "repeated ids")
        p.require(registry.units.count < lines, "\(registry.units.count) units from \(lines) lines")
        for unit in registry.units {
            p.require(Unit.isValidID(unit.id), "id \(unit.id.debugDescription) is not a folder name")
            p.require(unit.parent.isEmpty || registry[unit.parent] != nil, "parent \(unit.parent) missing")
            p.require(unit.successor.isEmpty || registry[unit.successor] != nil, "successor \(unit.successor) missing")
            if let from = unit.activeFrom, let to = unit.activeTo {
                p.require(!(to < from), "\(unit.id) ends before it starts")
            }
            if let end = unit.activeTo, let successor = registry.activeSuccessor(of: unit, on: end.next) {
                p.require(successor.isActive(on: end.next) && successor.id != unit.id, "successor of \(unit.id) not active")
            }
        }
    }
}
