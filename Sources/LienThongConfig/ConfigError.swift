/// Everything wrong with a configuration, as operators read it:
/// `config/lienthong.toml:12: [intake] settle: "2x" is not a duration (...)`.
///
/// The loader collects every problem it can find in one pass rather than stopping at
/// the first, because `lienthongctl check-config` and a refused reload should let an
/// operator fix the whole file at once instead of one line per restart.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One problem at one place.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The file as the operator named it (relative paths stay relative so the
        /// message matches what they typed), e.g. `config/lienthong.toml`.
        public var file: String
        /// 1-based line, or nil when the problem has no single place (a missing
        /// file, a required key that is absent from a missing table).
        public var line: Int?
        /// What is wrong, in operator terms: `[intake] settle` in the TOML file, a
        /// column name such as `level` in units.csv, empty when the whole file is meant.
        public var key: String
        /// What went wrong and, where we can tell, what to do about it.
        public var message: String

        public init(file: String, line: Int?, key: String, message: String) {
            self.file = file
            self.line = line
            self.key = key
            self.message = message
        }

        public var description: String {
            var place = file
            if let line { place += ":\(line)" }
            return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
        }
    }

    /// Never empty.
    public private(set) var problems: [Problem]

    public init(_ problems: [Problem]) {
        precondition(!problems.isEmpty, "a ConfigError needs at least one problem")
        self.problems = problems
    }

    public init(file: String, line: Int?, key: String, message: String) {
        self.init([Problem(file: file, line: line, key: key, message: message)])
    }

    // The first problem's fields, for callers that only show one line (a journal
    // entry's MESSAGE, for instance); `problems` has the rest.
    public var file: String { problems[0].file }
    public var line: Int? { problems[0].line }
    public var key: String { problems[0].key }
    public var message: String { problems[0].message }

    /// One problem per line, in file order.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

/// Collects problems while a file is checked, so that checks can go on after the
/// first failure. Not public: the loader turns it into a `ConfigError` at the end.
struct ProblemList {
    private(set) var problems: [ConfigError.Problem] = []

    var isEmpty: Bool { problems.isEmpty }

    mutating func add(_ file: String, _ line: Int?, _ key: String, _ message: String) {
        problems.append(.init(file: file, line: line, key: key, message: message))
    }

    mutating func append(contentsOf other: [ConfigError.Problem]) {
        problems.append(contentsOf: other)
    }

    /// Problems ordered by file (in the order files were first mentioned) and then
    /// by line, so the list reads top to bottom like the files themselves. Problems
    /// without a line (usually "missing key") come after the located ones of their file.
    func sorted() -> [ConfigError.Problem] {
        var fileOrder: [String: Int] = [:]
        for p in problems where fileOrder[p.file] == nil { fileOrder[p.file] = fileOrder.count }
        return problems.enumerated().sorted { a, b in
            let fa = fileOrder[a.element.file]!, fb = fileOrder[b.element.file]!
            if fa != fb { return fa < fb }
            let la = a.element.line ?? .max, lb = b.element.line ?? .max
            if la != lb { return la < lb }
            return a.offset < b.offset
        }.map(\.element)
    }
}
