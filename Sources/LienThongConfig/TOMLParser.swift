import LienThongCore

/// A hand-written parser for the part of TOML 1.0 that lienthong's config uses:
/// `[table]` headers, `key = value`, basic ("...") and literal ('...') strings,
/// decimal integers, booleans, local dates, arrays and inline tables, `#` comments.
///
/// Why not a library: the daemon takes no third-party dependencies beyond argument
/// parsing, and we need something general parsers do not give: the line of every
/// key and value, so that every error names the place to edit, and recovery after a
/// syntax error, so that `check-config` can list every problem in one run.
///
/// What is refused, with a message saying so: floats, times and date-times,
/// multi-line strings, dotted keys, `[a.b]` and `[[a]]` headers, hex/octal/binary
/// integers, arrays and inline tables nested deeper than `maximumDepth`. Nothing in SPEC §8 needs them; accepting them silently would only move
/// the error somewhere less clear. Inline tables may span lines and end with a comma
/// (as TOML 1.1 allows): operators write the `effective` table that way.
struct TOMLParser {
    /// A syntax problem, located. `table` and `key` say where in the document it
    /// happened when that is known, so the loader can print `[intake] settle`.
    struct Diagnostic: Sendable, Equatable {
        var line: Int
        var table: String?
        var key: String?
        var message: String
    }

    /// Parses `text` (newlines already normalised to "\n") as far as possible.
    /// Never fails: whatever could be read is returned with the list of problems.
    static func parse(_ text: String) -> (document: TOMLDocument, diagnostics: [Diagnostic]) {
        var parser = TOMLParser(text)
        parser.parseDocument()
        return (parser.document, parser.diagnostics)
    }

    // MARK: - State

    private let scalars: [Unicode.Scalar]
    private var pos = 0
    private var line = 1
    /// How deep we are in arrays and inline tables; recovery needs it (see `recover`).
    private var depth = 0
    /// Arrays and inline tables deeper than this are refused. The config nests two
    /// levels at most (a table of lists); the parser recurses once per level, so
    /// without a bound a line of `[[[[…` exhausts the stack and kills the daemon
    /// on reload (found with a hand-written input for the config-toml fuzz target).
    static let maximumDepth = 32
    private var document = TOMLDocument()
    private var diagnostics: [Diagnostic] = []
    /// Where new keys go.
    private var target = Target.root
    private enum Target {
        case root
        case section(Int)
        /// After a header that could not be read: its keys are parsed (so their own
        /// syntax errors are reported) but kept nowhere, rather than being mistaken
        /// for keys of the table above.
        case discard
    }
    /// The key being parsed, for messages.
    private var currentKey: String?

    private init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    private struct Failure: Error {
        var line: Int
        var message: String
    }

    private var currentTableName: String? {
        if case .section(let i) = target { return document.sections[i].name }
        return nil
    }

    // MARK: - Document level

    private mutating func parseDocument() {
        while true {
            skipSpaces()
            guard let c = peek() else { return }
            do throws(Failure) {
                switch c {
                case "\n":
                    advance()
                case "#":
                    skipComment()
                case "[":
                    currentKey = nil
                    target = .discard
                    try parseHeader()
                default:
                    try parseKeyValue()
                }
            } catch {
                diagnostics.append(Diagnostic(
                    line: error.line, table: currentTableName, key: currentKey, message: error.message))
                if let key = currentKey { markBroken(key) }
                recover()
            }
            currentKey = nil
        }
    }

    /// After an error, skip to a place where parsing can sensibly resume. Outside
    /// brackets that is simply the next line. Inside a multi-line array or inline
    /// table the next lines are its elements, which would each produce a confusing
    /// error of their own, so skip until a line that starts a header or `key =`.
    private mutating func recover() {
        let wasNested = depth > 0
        depth = 0
        skipRestOfLine()
        guard wasNested else { return }
        while peek() != nil && !lineStartsStatement() { skipRestOfLine() }
    }

    private mutating func skipRestOfLine() {
        while let c = peek() {
            advance()
            if c == "\n" { return }
        }
    }

    /// Whether the line at `pos` looks like `[name]` or `bare_key =` (look-ahead only).
    private func lineStartsStatement() -> Bool {
        var i = pos
        while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
        guard i < scalars.count else { return false }
        if scalars[i] == "[" {
            return i + 1 < scalars.count && Self.isBareKeyScalar(scalars[i + 1])
        }
        let start = i
        while i < scalars.count, Self.isBareKeyScalar(scalars[i]) { i += 1 }
        guard i > start else { return false }
        while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
        return i < scalars.count && scalars[i] == "="
    }

    private mutating func parseHeader() throws(Failure) {
        let headerLine = line
        advance()  // "["
        if peek() == "[" {
            throw Failure(line: headerLine, message: "arrays of tables ([[...]]) are not used in this config; write a single [table]")
        }
        skipSpaces()
        let name = try parseKey()
        skipSpaces()
        if peek() == "." {
            throw Failure(line: headerLine, message: "nested tables ([a.b]) are not used in this config; write [\(name)] and put the keys under it")
        }
        guard peek() == "]" else {
            throw Failure(line: headerLine, message: "expected \"]\" to close the table header [\(name)")
        }
        advance()
        // Point new keys at the table before checking the rest of the line, so that
        // an error there does not make the following keys land in the previous table.
        if let existing = document.sections.firstIndex(where: { $0.name == name }) {
            // Keys of a repeated header go into the first one: they are still checked,
            // and repeated keys are reported as such.
            target = .section(existing)
            let first = document.sections[existing].line
            diagnostics.append(Diagnostic(
                line: headerLine, table: name, key: nil,
                message: "table [\(name)] is defined twice (first at line \(first)); merge the two into one"))
        } else {
            document.sections.append(.init(name: name, line: headerLine, table: TOMLTable()))
            target = .section(document.sections.count - 1)
        }
        try expectLineEnd(after: "the table header [\(name)]")
    }

    private mutating func parseKeyValue() throws(Failure) {
        let keyLine = line
        let key = try parseKey()
        currentKey = key
        skipSpaces()
        if peek() == "." {
            throw Failure(line: keyLine, message: "dotted keys are not used in this config; write the key inside its [table]")
        }
        guard peek() == "=" else {
            let found = peek().map { "found \(Self.describe($0))" } ?? "the file ends"
            throw Failure(line: line, message: "expected \"=\" after the key \(Self.quoteKey(key)), but \(found); write key = value")
        }
        advance()
        skipSpaces()
        let value = try parseValue()
        try expectLineEnd(after: "the value")
        let entry = TOMLTable.Entry(key: key, line: keyLine, value: value)
        let duplicate: TOMLTable.Entry?
        switch target {
        case .root: duplicate = document.root.insert(entry)
        case .section(let s): duplicate = document.sections[s].table.insert(entry)
        case .discard: duplicate = nil
        }
        if let duplicate {
            // Not thrown: the value parsed fine and there is nothing to skip.
            diagnostics.append(Diagnostic(
                line: keyLine, table: currentTableName, key: key,
                message: "defined twice (first at line \(duplicate.line)); keep one"))
        }
    }

    private mutating func markBroken(_ key: String) {
        switch target {
        case .root: document.root.brokenKeys.insert(key)
        case .section(let s): document.sections[s].table.brokenKeys.insert(key)
        case .discard: break
        }
    }

    /// After a complete statement only spaces and a comment may follow on the line.
    private mutating func expectLineEnd(after what: String) throws(Failure) {
        skipSpaces()
        if peek() == "#" { skipComment() }
        guard let c = peek() else { return }
        guard c == "\n" else {
            throw Failure(line: line, message: "found \(Self.describe(c)) after \(what); put each key = value on its own line and start comments with #")
        }
        advance()
    }

    // MARK: - Keys

    private mutating func parseKey() throws(Failure) -> String {
        guard let c = peek() else { throw Failure(line: line, message: "expected a key, but the file ends") }
        if c == "\"" { return try parseBasicString() }
        if c == "'" { return try parseLiteralString() }
        var key = ""
        while let c = peek(), Self.isBareKeyScalar(c) {
            key.unicodeScalars.append(c)
            advance()
        }
        guard !key.isEmpty else {
            throw Failure(line: line, message: "expected a key (letters, digits, _ or -), found \(Self.describe(c))")
        }
        return key
    }

    private static func isBareKeyScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }

    // MARK: - Values

    private mutating func parseValue() throws(Failure) -> TOMLNode {
        let valueLine = line
        guard let c = peek() else { throw Failure(line: line, message: "expected a value after \"=\", but the file ends") }
        switch c {
        case "\"":
            if peek(1) == "\"" && peek(2) == "\"" {
                throw Failure(line: line, message: "multi-line strings (\"\"\") are not used in this config; write the string on one line")
            }
            return TOMLNode(value: .string(try parseBasicString()), line: valueLine)
        case "'":
            if peek(1) == "'" && peek(2) == "'" {
                throw Failure(line: line, message: "multi-line strings (''') are not used in this config; write the string on one line")
            }
            return TOMLNode(value: .string(try parseLiteralString()), line: valueLine)
        case "[":
            return TOMLNode(value: .array(try parseArray()), line: valueLine)
        case "{":
            return TOMLNode(value: .table(try parseInlineTable()), line: valueLine)
        case "\n", "#":
            throw Failure(line: line, message: "expected a value after \"=\"")
        default:
            return TOMLNode(value: try parseBareValue(), line: valueLine)
        }
    }

    /// Booleans, integers and dates: everything written without quotes or brackets.
    private mutating func parseBareValue() throws(Failure) -> TOMLValue {
        let tokenLine = line
        var token = ""
        while let c = peek(), Self.isBareValueScalar(c) {
            token.unicodeScalars.append(c)
            advance()
        }
        if token.isEmpty, let c = peek() {
            throw Failure(line: tokenLine, message: "expected a value, found \(Self.describe(c))")
        }
        switch token {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf", "-inf", "nan", "+nan", "-nan":
            throw Failure(line: tokenLine, message: "floating-point values are not used in this config")
        default: break
        }
        // A date followed by a time: 2018-07-01T08:00 is one token, 2018-07-01 08:00 two.
        let tokenScalars = Array(token.unicodeScalars)
        if tokenScalars.count >= 10 {
            var datePart = ""
            datePart.unicodeScalars.append(contentsOf: tokenScalars[0..<10])
            let timeFollows = tokenScalars.count > 10
                ? tokenScalars[10] == "T" || tokenScalars[10] == "t"
                : peek() == " " && peek(1).map(Self.isDigit) == true
            if timeFollows, Self.localDate(datePart) != nil {
                throw Failure(line: tokenLine, message: "date-times are not used in this config; write only the date, e.g. \(datePart)")
            }
        }
        if let date = Self.localDate(token) {
            return .date(try Self.checkedDate(date, token: token, line: tokenLine))
        }
        if token.unicodeScalars.contains(":") {
            throw Failure(line: tokenLine, message: "times are not used in this config; write a date like 2018-07-01")
        }
        if let first = token.unicodeScalars.first, Self.isDigit(first) || first == "+" || first == "-" {
            if let n = try Self.integer(token, line: tokenLine) { return .integer(n) }
        }
        // Most often an unquoted string: `language = vi`, `settle = 2s`.
        throw Failure(line: tokenLine, message: "\(token) is not a value TOML understands; strings need quotes: \"\(token)\"")
    }

    private static func isBareValueScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "+", ".", ":": true
        default: c.value >= 0x80  // so `vi` and `Nghệ` are reported whole, not cut at the accent
        }
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    /// Decimal integers with optional sign and `_` between digits, as TOML has them.
    /// Returns nil when the token is not integer-shaped (the caller then suggests
    /// quotes); throws for integer-shaped mistakes that deserve their own message.
    private static func integer(_ token: String, line: Int) throws(Failure) -> Int64? {
        var digits = Substring(token)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        if digits.hasPrefix("0x") || digits.hasPrefix("0o") || digits.hasPrefix("0b") {
            throw Failure(line: line, message: "\(token): write integers in decimal")
        }
        // Float-shaped (1.5, 2e3): say so. "2.5s" is not float-shaped and falls
        // through to the suggestion to quote it.
        let floatScalars = "0123456789_.eE+-"
        if digits.contains(where: { ".eE".contains($0) }), digits.allSatisfy({ floatScalars.contains($0) }) {
            throw Failure(line: line, message: "\(token): floating-point values are not used in this config")
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "_") }) else { return nil }
        guard digits.first != "_", digits.last != "_", !digits.contains("__") else {
            throw Failure(line: line, message: "\(token): an underscore in a number must stand between two digits")
        }
        let plain = digits.filter { $0 != "_" }
        if plain.count > 1 && plain.first == "0" {
            throw Failure(line: line, message: "\(token): integers may not start with 0")
        }
        guard let magnitude = Int64(plain) ?? (negative && plain == "9223372036854775808" ? Int64.min : nil) else {
            throw Failure(line: line, message: "\(token) is too large")
        }
        return negative && magnitude != .min ? -magnitude : magnitude
    }

    /// `YYYY-MM-DD` shaped, not yet range-checked.
    private static func localDate(_ token: String) -> CivilDate? {
        let s = Array(token.unicodeScalars)
        guard s.count == 10, s[4] == "-", s[7] == "-" else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard isDigit(s[i]) else { return nil }
                n = n * 10 + Int(s[i].value - 48)
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        return CivilDate(year: y, month: m, day: d)
    }

    private static func checkedDate(_ date: CivilDate, token: String, line: Int) throws(Failure) -> CivilDate {
        guard (1...12).contains(date.month) else {
            throw Failure(line: line, message: "\(token) is not a date: there is no month \(date.month) (write YYYY-MM-DD)")
        }
        let leap = date.year % 4 == 0 && (date.year % 100 != 0 || date.year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][date.month - 1]
        guard (1...days).contains(date.day) else {
            throw Failure(line: line, message: "\(token) is not a date: month \(date.month) of \(date.year) has \(days) days")
        }
        return date
    }

    private mutating func parseArray() throws(Failure) -> [TOMLNode] {
        let openLine = line
        advance()  // "["
        try enterNesting(at: openLine)
        var elements: [TOMLNode] = []
        while true {
            skipSpacesNewlinesAndComments()
            guard let c = peek() else {
                throw Failure(line: openLine, message: "the array opened here is never closed; add \"]\"")
            }
            if c == "]" { break }
            elements.append(try parseValue())
            let elementLine = line
            skipSpacesNewlinesAndComments()
            guard let next = peek() else {
                throw Failure(line: openLine, message: "the array opened here is never closed; add \"]\"")
            }
            if next == "," {
                advance()
            } else if next == "]" {
                break
            } else if line > elementLine {
                // Usually the next key or table after an array whose "]" was forgotten.
                throw Failure(line: openLine, message: "the array opened here is not closed before line \(line); add \"]\" (or a \",\" after the element on line \(elementLine))")
            } else {
                throw Failure(line: line, message: "expected \",\" or \"]\" in the array, found \(Self.describe(next))")
            }
        }
        advance()  // "]"
        depth -= 1
        return elements
    }

    private mutating func enterNesting(at openLine: Int) throws(Failure) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw Failure(line: openLine, message: "arrays and inline tables nest more than \(Self.maximumDepth) levels deep here; this config needs two at most (a table of lists)")
        }
    }

    private mutating func parseInlineTable() throws(Failure) -> TOMLTable {
        let openLine = line
        advance()  // "{"
        try enterNesting(at: openLine)
        var table = TOMLTable()
        while true {
            skipSpacesNewlinesAndComments()
            guard let c = peek() else {
                throw Failure(line: openLine, message: "the inline table opened here is never closed; add \"}\"")
            }
            if c == "}" { break }
            let keyLine = line
            let key = try parseKey()
            skipSpaces()
            if peek() == "." {
                throw Failure(line: keyLine, message: "dotted keys are not used in this config")
            }
            guard peek() == "=" else {
                throw Failure(line: line, message: "expected \"=\" after \(Self.quoteKey(key)) in the inline table")
            }
            advance()
            skipSpaces()
            let value = try parseValue()
            if let first = table.insert(.init(key: key, line: keyLine, value: value)) {
                throw Failure(line: keyLine, message: "\(Self.quoteKey(key)) appears twice in the inline table (first at line \(first.line))")
            }
            skipSpacesNewlinesAndComments()
            guard let next = peek() else {
                throw Failure(line: openLine, message: "the inline table opened here is never closed; add \"}\"")
            }
            if next == "," {
                advance()
            } else if next == "}" {
                break
            } else {
                throw Failure(line: line, message: "expected \",\" or \"}\" in the inline table, found \(Self.describe(next))")
            }
        }
        advance()  // "}"
        depth -= 1
        return table
    }

    // MARK: - Strings

    private mutating func parseBasicString() throws(Failure) -> String {
        let openLine = line
        advance()  // opening quote
        var result = ""
        while true {
            guard let c = peek(), c != "\n" else {
                throw Failure(line: openLine, message: "the string is not closed; end it with \" on the same line")
            }
            advance()
            switch c {
            case "\"":
                return result
            case "\\":
                result.unicodeScalars.append(try parseEscape())
            default:
                try Self.checkStringScalar(c, line: line)
                result.unicodeScalars.append(c)
            }
        }
    }

    private mutating func parseEscape() throws(Failure) -> Unicode.Scalar {
        guard let e = peek(), e != "\n" else {
            throw Failure(line: line, message: "a backslash at the end of a line; write \\\\ for a backslash")
        }
        advance()
        switch e {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "e": return "\u{1B}"
        case "\"": return "\""
        case "\\": return "\\"
        case "u": return try parseHexEscape(digits: 4)
        case "U": return try parseHexEscape(digits: 8)
        default:
            throw Failure(line: line, message: "\\\(e) is not an escape TOML knows (use \\\\, \\\", \\n, \\t or \\uXXXX); in Windows paths write \\\\ or use '...' quotes")
        }
    }

    private mutating func parseHexEscape(digits: Int) throws(Failure) -> Unicode.Scalar {
        var value: UInt32 = 0
        var text = ""
        for _ in 0..<digits {
            guard let h = peek(), let v = Self.hexValue(h) else {
                throw Failure(line: line, message: "\\\(digits == 4 ? "u" : "U") needs exactly \(digits) hexadecimal digits")
            }
            text.unicodeScalars.append(h)
            value = value << 4 | v
            advance()
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw Failure(line: line, message: "\\\(digits == 4 ? "u" : "U")\(text) is not a Unicode scalar value")
        }
        return scalar
    }

    private static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": c.value - 0x30
        case "a"..."f": c.value - 0x61 + 10
        case "A"..."F": c.value - 0x41 + 10
        default: nil
        }
    }

    private mutating func parseLiteralString() throws(Failure) -> String {
        let openLine = line
        advance()  // opening quote
        var result = ""
        while true {
            guard let c = peek(), c != "\n" else {
                throw Failure(line: openLine, message: "the string is not closed; end it with ' on the same line")
            }
            advance()
            if c == "'" { return result }
            try Self.checkStringScalar(c, line: line)
            result.unicodeScalars.append(c)
        }
    }

    /// TOML forbids raw control characters in strings (except tab): they are
    /// invisible in an editor and almost always a paste accident.
    private static func checkStringScalar(_ c: Unicode.Scalar, line: Int) throws(Failure) {
        if (c.value < 0x20 && c != "\t") || c.value == 0x7F {
            throw Failure(line: line, message: "the string contains the control character U+\(hex4(c.value)); remove it or write it as an escape")
        }
    }

    // MARK: - Scanning

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        pos + offset < scalars.count ? scalars[pos + offset] : nil
    }

    private mutating func advance() {
        if scalars[pos] == "\n" { line += 1 }
        pos += 1
    }

    private mutating func skipSpaces() {
        while let c = peek(), c == " " || c == "\t" { advance() }
    }

    private mutating func skipComment() {
        while let c = peek(), c != "\n" { advance() }
    }

    private mutating func skipSpacesNewlinesAndComments() {
        while let c = peek() {
            switch c {
            case " ", "\t", "\n": advance()
            case "#": skipComment()
            default: return
            }
        }
    }

    // MARK: - Message helpers

    /// A character as a message shows it: printable ones quoted, others by code.
    private static func describe(_ c: Unicode.Scalar) -> String {
        if c == "\n" { return "the end of the line" }
        if c == "\r" { return "a carriage return (U+000D) without a line feed" }
        if c.value < 0x20 || c.value == 0x7F { return "the control character U+\(hex4(c.value))" }
        return c == "\"" ? "'\"'" : "\"\(c)\""
    }

    private static func quoteKey(_ key: String) -> String { "\"\(key)\"" }
}

func hex4(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}
