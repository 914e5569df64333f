import LienThongCore

/// `units.csv` of SPEC §8: the registry of units, kept in a spreadsheet by the
/// office. The header names the columns
/// (`id,name,level,parent,signer,active_from,active_to,successor`, in any order;
/// all after `parent` may be left out, so five-column files of before keep working). Every problem is reported with the file, the
/// line and the column, and all rows are checked even after the first bad one.
public enum UnitsCSV {
    static let requiredColumns = ["id", "name", "level", "parent"]
    static let optionalColumns = ["signer", "active_from", "active_to", "successor"]
    static let headerText = "id,name,level,parent,signer,active_from,active_to,successor"
    static var knownColumns: [String] { requiredColumns + optionalColumns }

    /// Reads and checks the registry at `path`. `displayName` is how messages name
    /// the file (by default `path` itself).
    public static func load(path: String, displayName: String? = nil) throws(ConfigError) -> Registry {
        let file = displayName ?? path
        switch TextFile.text(at: path) {
        case .failure(let failure):
            throw ConfigError(file: file, line: failure.line, key: "", message: failure.message)
        case .success(let text):
            switch parse(text, file: file) {
            case .success(let registry): return registry
            case .failure(let error): throw error
            }
        }
    }

    /// Checks decoded text. Failure carries every problem, in line order.
    static func parse(_ text: String, file: String) -> Result<Registry, ConfigError> {
        var problems = ProblemList()
        let (records, failures) = CSVReader.parse(text)
        for f in failures { problems.add(file, f.line, "", f.message) }

        var rows = records.filter { !$0.fields.allSatisfy { trim($0).isEmpty } }
        guard !rows.isEmpty else {
            if problems.isEmpty {
                problems.add(file, 1, "", "is empty; the first line must be the header \(headerText)")
            }
            return .failure(ConfigError(problems.sorted()))
        }
        let headerRecord = rows.removeFirst()
        guard let columns = readHeader(headerRecord, file: file, problems: &problems) else {
            return .failure(ConfigError(problems.sorted()))
        }

        var units: [(unit: Unit, line: Int)] = []
        var firstLineOfID: [String: Int] = [:]
        for record in rows {
            guard let unit = readRow(record, columns: columns, file: file, problems: &problems) else { continue }
            if let first = firstLineOfID[unit.id] {
                problems.add(file, record.line, columns.name(of: "id"), "\"\(unit.id)\" is already used at line \(first); each unit needs its own id")
                continue
            }
            firstLineOfID[unit.id] = record.line
            units.append((unit, record.line))
        }
        // Only when nothing else explains it (a broken quote may have eaten the rows).
        if rows.isEmpty && failures.isEmpty {
            problems.add(file, headerRecord.line, "", "has a header but no units; add one row per unit, starting with the office")
        }
        checkParents(units, columns: columns, file: file, problems: &problems)
        checkSuccessors(units, columns: columns, file: file, problems: &problems)

        guard problems.isEmpty else { return .failure(ConfigError(problems.sorted())) }
        return .success(Registry(units: units.map(\.unit)))
    }

    // MARK: - Header

    /// Where each known column is, and how the header spells it (for messages).
    struct Columns {
        var index: [String: Int] = [:]
        var spelling: [String: String] = [:]
        /// Columns with an empty header cell: spreadsheets export those when a cell
        /// beyond the table was once touched. Harmless while they stay empty.
        var unnamed: [Int] = []

        func name(of column: String) -> String { spelling[column] ?? column }
    }

    private static func readHeader(_ record: CSVRecord, file: String, problems: inout ProblemList) -> Columns? {
        if record.fields.count == 1, record.fields[0].contains(";") {
            problems.add(file, record.line, "", "the columns are separated by semicolons; save it with commas (in a spreadsheet: \"CSV UTF-8 (comma delimited)\")")
            return nil
        }
        var columns = Columns()
        var ok = true
        // Columns an unknown one was taken for: not reported again as missing.
        var suggested: Set<String> = []
        for (i, raw) in record.fields.enumerated() {
            let written = trim(raw)
            let name = written.lowercased()
            if name.isEmpty {
                columns.unnamed.append(i)
            } else if !knownColumns.contains(name) {
                if let near = Suggestions.closest(to: name, among: knownColumns) { suggested.insert(near) }
                problems.add(file, record.line, written, "unknown column (\(Suggestions.hint(for: name, among: knownColumns))); the header is \(headerText)")
                ok = false
            } else if columns.index[name] != nil {
                problems.add(file, record.line, written, "this column appears twice in the header; keep one")
                ok = false
            } else {
                columns.index[name] = i
                columns.spelling[name] = written
            }
        }
        let missing = requiredColumns.filter { columns.index[$0] == nil && !suggested.contains($0) }
        if !missing.isEmpty {
            let list = missing.joined(separator: ", ")
            problems.add(file, record.line, "", "the header lacks the column\(missing.count > 1 ? "s" : "") \(list); the first line must be \(headerText) (the columns after parent may be left out)")
            ok = false
        }
        return ok ? columns : nil
    }

    // MARK: - Rows

    private static func readRow(_ record: CSVRecord, columns: Columns, file: String, problems: inout ProblemList) -> Unit? {
        let width = columns.index.count + columns.unnamed.count
        if record.fields.count > width {
            problems.add(file, record.line, "", "has \(record.fields.count) fields but the header has \(width) columns; a name that contains a comma must be in double quotes")
            return nil
        }
        // Spreadsheets may drop empty trailing cells; a missing field reads as empty.
        func field(_ column: String) -> String {
            guard let i = columns.index[column], i < record.fields.count else { return "" }
            return trim(record.fields[i])
        }
        var ok = true
        for i in columns.unnamed where i < record.fields.count && !trim(record.fields[i]).isEmpty {
            problems.add(file, record.line, "column \(i + 1)", "has a value but no name in the header; name the column or clear it")
            ok = false
        }

        let id = field("id")
        if id.isEmpty {
            problems.add(file, record.line, columns.name(of: "id"), "is empty; every unit needs its organ code (mã định danh), e.g. 000.00.21.H41")
            ok = false
        } else if !Unit.isValidID(id) {
            problems.add(file, record.line, columns.name(of: "id"), "\"\(id)\" is not a valid unit id; use 1 to 64 letters, digits, \".\", \"_\" or \"-\", e.g. 000.00.21.H41")
            ok = false
        }

        let name = field("name")
        if name.isEmpty {
            problems.add(file, record.line, columns.name(of: "name"), "is empty; write the unit's full name, e.g. Sở Tài chính")
            ok = false
        } else if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            // Names go into receipts and journal lines, where a line break would split them.
            problems.add(file, record.line, columns.name(of: "name"), "contains a line break or control character; keep the name on one line")
            ok = false
        }

        let levelText = field("level")
        let level = UnitLevel(rawValue: levelText.lowercased())
        if level == nil {
            let levels = UnitLevel.allCases.map(\.rawValue)
            let what = levelText.isEmpty ? "is empty" : "\"\(levelText)\" is not a level"
            problems.add(file, record.line, columns.name(of: "level"), "\(what); use province, department, district or commune (\(Suggestions.hint(for: levelText, among: levels)))")
            ok = false
        }

        let life = readLifetime(field, line: record.line, columns: columns, file: file, problems: &problems)
        guard ok, let level, let life else { return nil }
        return Unit(id: id, name: name, level: level, parent: field("parent"), signer: field("signer"),
                    activeFrom: life.from, activeTo: life.to, successor: field("successor"))
    }

    /// Parents are checked once all rows are read, so a commune may come before its
    /// district in the file (spreadsheets get sorted).
    private static func checkParents(_ units: [(unit: Unit, line: Int)], columns: Columns, file: String, problems: inout ProblemList) {
        var byID: [String: Unit] = [:]
        for (unit, _) in units { byID[unit.id] = unit }
        let key = columns.name(of: "parent")
        let districts = units.filter { $0.unit.level == .district }.map(\.unit.id)

        for (unit, line) in units {
            let parent = unit.parent
            if unit.level != .commune {
                if !parent.isEmpty {
                    problems.add(file, line, key, "only communes have a parent; leave it empty for a \(unit.level.rawValue)")
                }
                continue
            }
            // Since 1 July 2025 communes report to the province: no parent.
            if parent.isEmpty { continue }
            if let p = byID[parent] {
                if p.level != .district {
                    problems.add(file, line, key, "\"\(parent)\" (\(p.name)) is a \(p.level.rawValue), not a district; a commune's parent must be its district")
                }
            } else {
                let hint = districts.isEmpty
                    ? "the file has no districts yet"
                    : Suggestions.hint(for: parent, among: districts)
                problems.add(file, line, key, "\"\(parent)\" is not a unit in this file (\(hint)); a commune's parent must be its district")
            }
        }
    }

    /// Trims spaces, tabs and no-break spaces, which spreadsheets leave around
    /// values and which would otherwise make "000.00.21.H41 " an invalid id.
    static func trim(_ s: String) -> String {
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\u{A0}" || c == "\u{FEFF}" }
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
