import LienThongCore

/// The lifetime columns of `units.csv` (SPEC §8): `active_from`, `active_to`,
/// `successor`. A unit that ended (dissolved district, merged department) stays
/// in the file so its records stay readable, and names who took over.
extension UnitsCSV {
    struct Lifetime {
        var from: CivilDate?
        var to: CivilDate?
    }

    /// The two dates of one row, checked on their own; nil when either is bad.
    static func readLifetime(
        _ field: (String) -> String, line: Int, columns: Columns, file: String, problems: inout ProblemList
    ) -> Lifetime? {
        var ok = true
        func date(_ column: String) -> CivilDate? {
            let text = field(column)
            if text.isEmpty { return nil }
            if let d = CivilDate(iso: text) { return d }
            problems.add(file, line, columns.name(of: column), dateHint(text))
            ok = false
            return nil
        }
        let life = Lifetime(from: date("active_from"), to: date("active_to"))
        if let from = life.from, let to = life.to, to < from {
            problems.add(file, line, columns.name(of: "active_to"),
                         "\(to) is before active_from \(from); the unit's last day cannot come before its first")
            ok = false
        }
        if !field("successor").isEmpty && life.to == nil && ok {
            problems.add(file, line, columns.name(of: "successor"),
                         "names a successor but active_to is empty; write the unit's last day in active_to, or clear successor")
            ok = false
        }
        return ok ? life : nil
    }

    /// Spreadsheets in a Vietnamese locale turn 2025-03-01 into 01/03/2025.
    static func dateHint(_ text: String) -> String {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "." || $0 == "-" })
        if parts.count == 3, parts[2].count == 4, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]),
           let fixed = CivilDate(iso: CivilDate(year: y, month: m, day: d).description) {
            return "\"\(text)\" is not a date as year-month-day; write \(fixed) (format the column as text so the spreadsheet keeps it)"
        }
        return "\"\(text)\" is not a date; write year-month-day, e.g. 2025-07-01, or leave it empty"
    }

    /// Successors are checked once every row is read: the successor exists, is
    /// not the unit itself, is active the day after the unit ends, and
    /// following successors never comes back to a unit already passed.
    static func checkSuccessors(_ units: [(unit: Unit, line: Int)], columns: Columns, file: String, problems: inout ProblemList) {
        var byID: [String: Unit] = [:]
        for (unit, _) in units { byID[unit.id] = unit }
        let key = columns.name(of: "successor")
        for (unit, line) in units where !unit.successor.isEmpty {
            let id = unit.successor
            guard let next = byID[id] else {
                problems.add(file, line, key, "\"\(id)\" is not a unit in this file (\(Suggestions.hint(for: id, among: Array(byID.keys).sorted()))); add its row or correct the id")
                continue
            }
            if next.id == unit.id {
                problems.add(file, line, key, "a unit cannot be its own successor; name the unit that took over its work")
                continue
            }
            if let cycle = successorCycle(from: unit, byID: byID) {
                problems.add(file, line, key, "successors go round in a circle (\(cycle.joined(separator: " → "))); the last unit of a chain must have no successor")
                continue
            }
            if let end = unit.activeTo, !next.isActive(on: end.next) {
                problems.add(file, line, key, "\"\(id)\" (\(next.name)) is not active on \(end.next), the day after this unit ends; check its active_from and active_to")
            }
        }
    }

    /// The ids round a cycle reached from `unit`, or nil when its chain ends.
    static func successorCycle(from unit: Unit, byID: [String: Unit]) -> [String]? {
        var path = [unit.id]
        var current = unit
        while let next = byID[current.successor] {
            if let start = path.firstIndex(of: next.id) { return Array(path[start...]) + [next.id] }
            path.append(next.id)
            current = next
        }
        return nil
    }
}
