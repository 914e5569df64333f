import LienThongCore

/// A parsed TOML value with the line it starts on. Every value keeps its line so
/// that a problem found later (a bad duration, an unknown unit id inside an array)
/// can still be reported at the place the operator has to edit.
struct TOMLNode: Sendable, Equatable {
    var value: TOMLValue
    var line: Int
}

/// The value kinds of the TOML subset lienthong's config uses. Floats, times and
/// date-times are deliberately absent: no key of SPEC §8 takes one, and the parser
/// says so instead of accepting a value that nothing would read.
indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case boolean(Bool)
    case date(CivilDate)
    case array([TOMLNode])
    case table(TOMLTable)

    /// The kind as an operator would name it, for "expected a string, found an array".
    var kindName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .date: "a date"
        case .array: "an array"
        case .table: "an inline table"
        }
    }
}

/// The keys of one table (a `[section]` or an inline table), in file order.
struct TOMLTable: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var key: String
        /// Line of the key itself (for a multi-line array, the value may start later).
        var line: Int
        var value: TOMLNode
    }

    private(set) var entries: [Entry] = []
    /// Keys whose value could not be parsed. The syntax error has been reported
    /// already; the loader uses this to avoid a second, misleading "missing key".
    var brokenKeys: Set<String> = []

    subscript(key: String) -> Entry? {
        entries.first { $0.key == key }
    }

    /// Appends, or returns the entry that already holds `key` (TOML forbids defining
    /// a key twice, and silently letting the later one win would hide typos).
    mutating func insert(_ entry: Entry) -> Entry? {
        if let existing = self[entry.key] { return existing }
        entries.append(entry)
        return nil
    }
}

/// A whole TOML file: keys before the first header, then each `[section]`.
struct TOMLDocument: Sendable, Equatable {
    struct Section: Sendable, Equatable {
        var name: String
        /// Line of the `[name]` header.
        var line: Int
        var table: TOMLTable
    }

    /// Keys written before any `[section]` header.
    var root = TOMLTable()
    var sections: [Section] = []

    func section(_ name: String) -> Section? {
        sections.first { $0.name == name }
    }
}
