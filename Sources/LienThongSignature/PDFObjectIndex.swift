import Foundation

/// Every indirect object written in a PDF file, in file order, found by
/// scanning for `n g obj` headers (no xref needed, so it also works where the
/// xref is broken or hostile). Objects inside compressed object streams are
/// expanded when the stream can be inflated. Built once per document, and only
/// when an earlier signature has updates after it. Stops where the file's
/// budget runs out (the caller then reports the file, not a partial index).
struct PDFObjectIndex {
    /// Uncompressed objects and objects expanded from object streams, in file
    /// order (an expanded object takes the offset of its object stream).
    private(set) var objects: [PDFIndirectObject] = []
    /// Trailer dictionaries (classic `trailer` and xref-stream dictionaries) with their offsets.
    private(set) var trailers: [(offset: Int, dictionary: PDFDictionary)] = []
    /// Object streams that could not be read (unsupported filter, corrupt data).
    private(set) var unreadableObjectStreams: [(offset: Int, number: Int)] = []

    init(_ data: [UInt8], budget: ValidationBudget) {
        let keyword = Array("obj".utf8)
        var position = 0
        // The clock is read at each candidate: a header without a /Length
        // sends the parser searching to the end of the file for "endstream".
        while budget.checkTime(), let hit = ByteSearch.first(keyword, in: data, from: position) {
            position = hit + keyword.count
            guard position >= data.count || !PDFParser.isRegular(data[position]),
                  let start = Self.headerStart(before: hit, in: data) else { continue }
            var parser = PDFParser(data, at: start, budget: budget)
            guard let object = parser.parseIndirectObject(), object.offset == start else { continue }
            objects.append(object)
            position = max(position, parser.position)
            if object.type == "XRef", let dict = object.dictionary { trailers.append((start, dict)) }
            if object.type == "ObjStm", let stream = object.stream, let dict = object.dictionary {
                if let expanded = ObjectStream.expand(dict, data[stream], at: start, budget: budget) {
                    objects += expanded
                } else {
                    unreadableObjectStreams.append((start, object.number))
                }
            }
        }
        for hit in ByteSearch.all(Array("trailer".utf8), in: data) where budget.checkTime() {
            var parser = PDFParser(data, at: hit + "trailer".utf8.count, budget: budget)
            if let (object, _) = parser.parseObject(), case .dictionary(let dict) = object {
                trailers.append((hit, dict))
            }
        }
        trailers.sort { $0.offset < $1.offset }
    }

    /// Where `n g obj` starts, given the offset of `obj`: two unsigned integers
    /// separated by whitespace, preceded by whitespace, a delimiter or the file start.
    private static func headerStart(before objOffset: Int, in data: [UInt8]) -> Int? {
        var i = objOffset - 1
        func skipSpace() { while i >= 0, PDFParser.isWhitespace(data[i]) { i -= 1 } }
        func skipDigits() -> Bool {
            let end = i
            while i >= 0, data[i] >= UInt8(ascii: "0"), data[i] <= UInt8(ascii: "9"), end - i < 12 { i -= 1 }
            return i < end
        }
        let beforeSpace = i
        skipSpace()
        guard i < beforeSpace, skipDigits() else { return nil }
        let beforeSpace2 = i
        skipSpace()
        guard i < beforeSpace2, skipDigits() else { return nil }
        // Some writers start an update right after the previous `%%EOF`,
        // with no line end between (the xref finds it; so must we).
        let afterEOF = i >= 4 && data[(i - 4)...i].elementsEqual("%%EOF".utf8)
        guard i < 0 || !PDFParser.isRegular(data[i]) || afterEOF else { return nil }
        return i + 1
    }

    /// The last definition of `number` that starts before `offset`.
    func definition(of number: Int, before offset: Int) -> PDFIndirectObject? {
        objects.last { $0.number == number && $0.offset < offset }
    }

    /// Definitions at or after `offset`, in file order.
    func objects(from offset: Int) -> [PDFIndirectObject] { objects.filter { $0.offset >= offset } }

    /// The last definition of each object number before `offset` (the revision that ends there).
    func revision(endingAt offset: Int) -> [Int: PDFIndirectObject] {
        var table: [Int: PDFIndirectObject] = [:]
        for object in objects where object.offset < offset { table[object.number] = object }
        return table
    }

    /// The last trailer dictionary in `range` that has `key` (linearized files
    /// have a first-page trailer with /Root and a main trailer without it).
    func lastTrailer(in range: Range<Int>, having key: String) -> PDFDictionary? {
        trailers.last { range.contains($0.offset) && $0.dictionary[key] != nil }?.dictionary
    }

    /// Every object number any trailer names under `key` (e.g. /Info).
    func trailerReferences(_ key: String) -> Set<Int> {
        Set(trailers.compactMap { $0.dictionary[key]?.reference?.0 })
    }

    /// /Size of the revision ending at `offset`: object numbers at or above it are new afterwards.
    func size(ofRevisionEndingAt offset: Int) -> Int {
        trailers.filter { $0.offset < offset }.compactMap { $0.dictionary["Size"]?.integer }.max() ?? 0
    }
}

/// Object streams (ISO 32000-1 §7.5.7): `/N` pairs of "number offset" then the objects.
enum ObjectStream {
    static func expand(_ dict: PDFDictionary, _ raw: ArraySlice<UInt8>, at offset: Int, budget: ValidationBudget) -> [PDFIndirectObject]? {
        // The inflated bytes live only while their objects are parsed out.
        guard let data = StreamDecoder.decode(dict, Array(raw), budget: budget),
              let count = dict["N"]?.integer, let first = dict["First"]?.integer,
              count >= 0, count <= 100_000, first >= 0, first <= data.count else { return nil }
        var header = PDFParser(data, at: 0, limit: first, budget: budget)
        var entries: [(Int, Int)] = []
        for _ in 0..<count {
            guard case (.integer(let number), _)? = header.parseObject(),
                  case (.integer(let relative), _)? = header.parseObject(),
                  number >= 0, relative >= 0 else { return nil }
            entries.append((number, relative))
        }
        var result: [PDFIndirectObject] = []
        for (number, relative) in entries {
            guard first + relative < data.count else { return nil }
            var parser = PDFParser(data, at: first + relative, budget: budget)
            guard let (value, _) = parser.parseObject() else { return nil }
            result.append(PDFIndirectObject(number: number, generation: 0, offset: offset, value: value, stream: nil, compressed: true))
        }
        return result
    }
}
