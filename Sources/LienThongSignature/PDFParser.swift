import Foundation

/// A bounded recursive-descent reader for PDF objects at a byte offset. Input
/// is hostile: every read is bounds-checked, every object parsed is charged to
/// the file's budget (count, nesting depth, time), and a malformed object gives
/// nil rather than a guess. Once the budget is spent every parse gives nil; the
/// caller reports the bound (`budget.exceeded`), not a malformed object.
struct PDFParser {
    let bytes: [UInt8]
    var position: Int
    /// Parsing stops here (a revision end or the file end).
    let limit: Int
    /// The file's budget, shared with every other parser of the same file.
    let budget: ValidationBudget

    static let maxArrayCount = 1 << 20

    init(_ bytes: [UInt8], at position: Int, limit: Int? = nil, budget: ValidationBudget = ValidationBudget()) {
        self.bytes = bytes
        self.position = max(0, position)
        self.limit = min(bytes.count, limit ?? bytes.count)
        self.budget = budget
    }

    // MARK: Character classes (ISO 32000-1 §7.2.2)

    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x0C || c == 0x00
    }

    static func isDelimiter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: "/"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    static func isRegular(_ c: UInt8) -> Bool { !isWhitespace(c) && !isDelimiter(c) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let i = position + offset
        return i < limit ? bytes[i] : nil
    }

    /// Skips whitespace and comments. A pointer loop: an inflated stream can
    /// hold tens of MiB of padding, and this runs over every byte of it.
    mutating func skipWhitespace() {
        let end = limit
        position = bytes.withUnsafeBufferPointer { buffer -> Int in
            var i = position
            while i < end {
                let c = buffer[i]
                if Self.isWhitespace(c) {
                    i += 1
                } else if c == UInt8(ascii: "%") {
                    while i < end, buffer[i] != 0x0A, buffer[i] != 0x0D { i += 1 }
                } else {
                    break
                }
            }
            return i
        }
    }

    /// A bare keyword or number token at the position (regular characters).
    mutating func regularToken() -> ArraySlice<UInt8>? {
        let start = position
        while let c = peek(), Self.isRegular(c) { position += 1 }
        return position > start ? bytes[start..<position] : nil
    }

    /// Consumes `keyword` if it is the next token.
    mutating func accept(keyword: String) -> Bool {
        let saved = position
        skipWhitespace()
        if let token = regularToken(), token.elementsEqual(keyword.utf8) { return true }
        position = saved
        return false
    }

    // MARK: Objects

    /// The object at the position, with its span; nil when malformed.
    mutating func parseObject(depth: Int = 0) -> (PDFObject, Range<Int>)? {
        guard budget.spendObject(depth: depth) else { return nil }
        skipWhitespace()
        guard let c = peek() else { return nil }
        let start = position
        let object: PDFObject?
        switch c {
        case UInt8(ascii: "/"):
            object = parseName().map { .name($0) }
        case UInt8(ascii: "("):
            object = parseLiteralString().map { .string($0, hex: false) }
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "<") {
                object = parseDictionary(depth: depth).map { .dictionary($0) }
            } else {
                object = parseHexString().map { .string($0, hex: true) }
            }
        case UInt8(ascii: "["):
            object = parseArray(depth: depth).map { .array($0) }
        default:
            object = parseNumberOrKeyword()
        }
        guard let object else { return nil }
        return (object, start..<position)
    }

    mutating func parseName() -> String? {
        guard peek() == UInt8(ascii: "/") else { return nil }
        position += 1
        var out: [UInt8] = []
        while let c = peek(), Self.isRegular(c) {
            if c == UInt8(ascii: "#"), let h = peek(1).flatMap(Self.hexValue), let l = peek(2).flatMap(Self.hexValue) {
                out.append(h << 4 | l)
                position += 3
            } else {
                out.append(c)
                position += 1
            }
            if out.count > 4096 { return nil }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    mutating func parseHexString() -> [UInt8]? {
        guard peek() == UInt8(ascii: "<") else { return nil }
        position += 1
        // A pointer loop: /Contents is a long hex string, and a hostile one is longer.
        let end = limit
        let (parsed, stop) = bytes.withUnsafeBufferPointer { buffer -> ([UInt8]?, Int) in
            var out: [UInt8] = []
            var high: UInt8?
            var i = position
            while i < end {
                let c = buffer[i]
                i += 1
                if c == UInt8(ascii: ">") {
                    if let h = high { out.append(h << 4) }  // odd count: last digit padded with 0
                    return (out, i)
                }
                if Self.isWhitespace(c) { continue }
                guard let v = Self.hexValue(c) else { return (nil, i) }
                if let h = high {
                    out.append(h << 4 | v)
                    high = nil
                } else {
                    high = v
                }
            }
            return (nil, i)
        }
        position = stop
        return parsed
    }

    mutating func parseLiteralString() -> [UInt8]? {
        guard peek() == UInt8(ascii: "(") else { return nil }
        position += 1
        var out: [UInt8] = []
        var nesting = 1
        var plain = PlainRun(bytes, limit: limit)
        while true {
            // Bytes that are neither a backslash nor a parenthesis are copied
            // as a block: a string can be tens of MiB long.
            let runEnd = plain.end(from: position)
            if runEnd > position {
                out += bytes[position..<runEnd]
                position = runEnd
            }
            guard let c = peek() else { break }
            position += 1
            switch c {
            case UInt8(ascii: "\\"):
                guard let e = peek() else { return nil }
                position += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case 0x0D:
                    if peek() == 0x0A { position += 1 }  // line continuation
                case 0x0A:
                    break
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = Int(e - UInt8(ascii: "0"))
                    for _ in 0..<2 {
                        guard let d = peek(), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") else { break }
                        value = value * 8 + Int(d - UInt8(ascii: "0"))
                        position += 1
                    }
                    out.append(UInt8(truncatingIfNeeded: value))
                default:
                    out.append(e)
                }
            case UInt8(ascii: "("):
                nesting += 1
                out.append(c)
            case UInt8(ascii: ")"):
                nesting -= 1
                if nesting == 0 { return out }
                out.append(c)
            default:
                out.append(c)
            }
        }
        return nil
    }

    mutating func parseArray(depth: Int) -> [PDFObject]? {
        guard peek() == UInt8(ascii: "[") else { return nil }
        position += 1
        var items: [PDFObject] = []
        while true {
            skipWhitespace()
            guard let c = peek() else { return nil }
            if c == UInt8(ascii: "]") {
                position += 1
                return items
            }
            guard items.count < Self.maxArrayCount, let (item, _) = parseObject(depth: depth + 1) else { return nil }
            items.append(item)
        }
    }

    mutating func parseDictionary(depth: Int) -> PDFDictionary? {
        let start = position
        guard peek() == UInt8(ascii: "<"), peek(1) == UInt8(ascii: "<") else { return nil }
        position += 2
        var dict = PDFDictionary()
        while true {
            skipWhitespace()
            guard let c = peek() else { return nil }
            if c == UInt8(ascii: ">") {
                guard peek(1) == UInt8(ascii: ">") else { return nil }
                position += 2
                dict.span = start..<position
                return dict
            }
            guard c == UInt8(ascii: "/"), let key = parseName() else { return nil }
            guard let (value, span) = parseObject(depth: depth + 1) else { return nil }
            dict.set(key, value, span: span)
        }
    }

    /// Numbers, `true`/`false`/`null`, and `n g R` references.
    mutating func parseNumberOrKeyword() -> PDFObject? {
        guard let token = regularToken() else { return nil }
        switch String(decoding: token, as: UTF8.self) {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default: break
        }
        guard let number = Self.number(token) else { return nil }
        guard case .integer(let n) = number, n >= 0 else { return number }
        // Look ahead for "g R".
        let saved = position
        skipWhitespace()
        if let g = regularToken(), case .integer(let generation)? = Self.number(g), generation >= 0 {
            skipWhitespace()
            if let r = regularToken(), r.elementsEqual("R".utf8) { return .reference(n, generation) }
        }
        position = saved
        return number
    }

    /// A PDF number; integers that overflow become reals (never trusted as offsets).
    static func number(_ token: ArraySlice<UInt8>) -> PDFObject? {
        var digits = token[...]
        var negative = false
        if let first = digits.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 40 else { return nil }
        if digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            var value = 0
            for d in digits {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int(d - UInt8(ascii: "0")))
                if o1 || o2 { return Double(String(decoding: token, as: UTF8.self)).map { .real($0) } }
                value = s
            }
            return .integer(negative ? -value : value)
        }
        let dots = digits.filter { $0 == UInt8(ascii: ".") }.count
        guard dots == 1, digits.allSatisfy({ $0 == UInt8(ascii: ".") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) })
        else { return nil }
        let text = String(decoding: digits, as: UTF8.self)
        guard let v = Double(text.hasPrefix(".") ? "0" + text : text) else { return nil }
        return .real(negative ? -v : v)
    }

    // MARK: Indirect objects

    /// Parses `n g obj <value> [stream … endstream] endobj` at the position.
    mutating func parseIndirectObject() -> PDFIndirectObject? {
        skipWhitespace()
        let offset = position
        guard let n = regularToken(), case .integer(let number)? = Self.number(n), number >= 0 else { return nil }
        skipWhitespace()
        guard let g = regularToken(), case .integer(let generation)? = Self.number(g), generation >= 0 else { return nil }
        guard accept(keyword: "obj"), let (value, _) = parseObject() else { return nil }
        var object = PDFIndirectObject(number: number, generation: generation, offset: offset, value: value, stream: nil)
        let afterValue = position
        if case .dictionary(let dict) = value, accept(keyword: "stream") {
            // The keyword is followed by CRLF or LF (a lone CR is tolerated).
            if peek() == 0x0D { position += 1 }
            if peek() == 0x0A { position += 1 }
            let dataStart = position
            if let length = dict["Length"]?.integer, length >= 0, length <= limit - dataStart {
                var probe = self
                probe.position = dataStart + length
                if probe.accept(keyword: "endstream") {
                    object.stream = dataStart..<(dataStart + length)
                    position = probe.position
                }
            }
            if object.stream == nil {
                // Indirect or wrong /Length: the data ends before the next "endstream".
                guard let end = ByteSearch.first(Array("endstream".utf8), in: bytes, from: dataStart, to: limit) else {
                    return nil
                }
                var dataEnd = end
                if dataEnd > dataStart, bytes[dataEnd - 1] == 0x0A { dataEnd -= 1 }
                if dataEnd > dataStart, bytes[dataEnd - 1] == 0x0D { dataEnd -= 1 }
                object.stream = dataStart..<dataEnd
                position = end + "endstream".utf8.count
            }
        } else {
            position = afterValue
        }
        _ = accept(keyword: "endobj")
        return object
    }
}

/// Where the next backslash or parenthesis lies, for copying a literal
/// string's plain bytes in blocks. Each of the three is searched (memchr)
/// again only once the parser has passed it, so a string costs linear time
/// however its special bytes are spread.
struct PlainRun {
    private let bytes: [UInt8]
    private let limit: Int
    private var next: [Int] = [-1, -1, -1]
    private static let specials: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "("), UInt8(ascii: ")")]

    init(_ bytes: [UInt8], limit: Int) {
        self.bytes = bytes
        self.limit = limit
    }

    /// The end of the plain run starting at `position`: the next special byte, or the limit.
    mutating func end(from position: Int) -> Int {
        for k in 0..<3 where next[k] < position {
            next[k] = ByteSearch.first([Self.specials[k]], in: bytes, from: position, to: limit) ?? limit
        }
        return min(next[0], next[1], next[2])
    }
}

/// Byte-pattern search over arrays (memmem), bounded to a window.
enum ByteSearch {
    static func first(_ pattern: [UInt8], in bytes: [UInt8], from: Int, to: Int? = nil) -> Int? {
        let end = min(to ?? bytes.count, bytes.count)
        guard from >= 0, !pattern.isEmpty, end - from >= pattern.count else { return nil }
        // memchr for the first byte, then compare: memmem needs _GNU_SOURCE.
        return bytes.withUnsafeBytes { raw -> Int? in
            let base = raw.baseAddress!
            var position = from
            let lastStart = end - pattern.count
            while position <= lastStart {
                guard let hit = memchr(base + position, Int32(pattern[0]), lastStart - position + 1) else { return nil }
                let i = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + i, pattern, pattern.count) == 0 { return i }
                position = i + 1
            }
            return nil
        }
    }

    /// Every occurrence of `pattern` in `bytes[from..<to]`.
    static func all(_ pattern: [UInt8], in bytes: [UInt8], from: Int = 0, to: Int? = nil) -> [Int] {
        var result: [Int] = []
        var position = from
        while let i = first(pattern, in: bytes, from: position, to: to) {
            result.append(i)
            position = i + 1
        }
        return result
    }

    /// The last occurrence of `pattern` starting before `before`.
    static func last(_ pattern: [UInt8], in bytes: [UInt8], before: Int, notBefore: Int = 0) -> Int? {
        var i = min(before, bytes.count - pattern.count)
        while i >= max(0, notBefore) {
            if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
            i -= 1
        }
        return nil
    }
}
