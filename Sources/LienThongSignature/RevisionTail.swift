/// What follows the last signature's revision (SPEC §5: validation data in
/// /DSS or a document timestamp after the last signature is normal). Before
/// the update check may judge those bytes as an incremental update, they must
/// be one: nothing but indirect objects, classic xref sections, trailers,
/// `startxref` and `%%EOF` markers, ending with a revision's `%%EOF`. Any other
/// byte (a comment, stray text, a half-written object) is an unexplained
/// change, which the caller reports as modified-after-signing.
enum RevisionTail {
    /// nil when the bytes from `start` are well-formed incremental updates; else what is wrong and where.
    static func problem(in data: [UInt8], from start: Int, budget: ValidationBudget) -> String? {
        var parser = PDFParser(data, at: start, budget: budget)
        var sawRevisionEnd = false, sawXref = false
        while true {
            skipBlank(&parser)
            guard parser.position < data.count else { break }
            guard budget.checkTime() else { return nil }
            let at = parser.position
            sawRevisionEnd = false
            if starts(data, at, "%%EOF") {
                parser.position = at + 5
                sawRevisionEnd = true
            } else if parser.accept(keyword: "xref") {
                guard skipXrefTable(&parser) else { return "a malformed xref table at byte \(at)" }
                sawXref = true
            } else if parser.accept(keyword: "trailer") {
                guard case (.dictionary, _)? = parser.parseObject() else { return "a malformed trailer at byte \(at)" }
            } else if parser.accept(keyword: "startxref") {
                guard case (.integer, _)? = parser.parseObject() else { return "a malformed startxref at byte \(at)" }
            } else if let object = parser.parseIndirectObject(), object.offset == at {
                if object.type == "XRef" { sawXref = true }
            } else {
                return "bytes at \(at) are not part of an incremental update (no object, xref or trailer there)"
            }
        }
        if !sawXref { return "the bytes after the last signature hold no xref: they are not an incremental update" }
        if !sawRevisionEnd { return "the bytes after the last signature do not end with %%EOF" }
        return nil
    }

    /// At most `upTo` bytes from `start` to the end, all whitespace (line ends, padding).
    static func isBlank(_ data: [UInt8], from start: Int, upTo: Int) -> Bool {
        data.count - start <= upTo && data[start...].allSatisfy { PDFParser.isWhitespace($0) }
    }

    /// Whitespace only: comments other than `%%EOF` are not part of an update.
    private static func skipBlank(_ parser: inout PDFParser) {
        while parser.position < parser.limit, PDFParser.isWhitespace(parser.bytes[parser.position]) { parser.position += 1 }
    }

    private static func starts(_ data: [UInt8], _ at: Int, _ text: String) -> Bool {
        let pattern = Array(text.utf8)
        return at + pattern.count <= data.count && data[at..<(at + pattern.count)].elementsEqual(pattern)
    }

    /// `first count` subsection headers, each followed by `count` entries `offset generation n|f`.
    private static func skipXrefTable(_ parser: inout PDFParser) -> Bool {
        var sections = 0
        while true {
            let saved = parser.position
            guard case (.integer, _)? = parser.parseObject(), case (.integer(let count), _)? = parser.parseObject() else {
                parser.position = saved
                return sections > 0
            }
            guard count >= 0, count <= 1 << 22 else { return false }
            sections += 1
            for _ in 0..<count {
                guard case (.integer, _)? = parser.parseObject(), case (.integer, _)? = parser.parseObject() else { return false }
                parser.skipWhitespace()
                guard let kind = parser.regularToken(), kind.elementsEqual("n".utf8) || kind.elementsEqual("f".utf8) else { return false }
            }
        }
    }
}
