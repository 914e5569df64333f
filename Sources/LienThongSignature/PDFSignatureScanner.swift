import Foundation

/// One signature dictionary (a /Sig or /DocTimeStamp) found in a PDF.
struct PDFSignatureDictionary: Sendable {
    var dictionary: PDFDictionary
    /// How the report names it ("signature field Signature1 (object 7)").
    var label: String?
    /// Where the dictionary sits in the file.
    var span: Range<Int> { dictionary.span }
    var type: String? { dictionary["Type"]?.name }
    var subFilter: String? { dictionary["SubFilter"]?.name }
    /// The /ByteRange as written (validated by ByteRangeCheck).
    var byteRange: PDFObject? { dictionary["ByteRange"] }
    /// Decoded /Contents bytes (the CMS or the timestamp token, zero-padded).
    var contents: [UInt8]? { dictionary["Contents"]?.stringBytes }
    /// /Contents value span in the file, angle brackets included.
    var contentsSpan: Range<Int>? { dictionary.spans["Contents"] }
    var contentsIsHex: Bool { if case .string(_, hex: true)? = dictionary["Contents"] { true } else { false } }
    /// /M, the unsigned claim of when it was signed.
    var modified: Date? { dictionary["M"]?.stringBytes.flatMap(PDFDate.parse) }
    var isDocumentTimestamp: Bool { type == "DocTimeStamp" || subFilter == "ETSI.RFC3161" }
}

/// Finds every signature dictionary in a PDF's bytes by looking for
/// `/ByteRange` keys and reading the dictionary that holds each one. It does
/// not need the xref and sees dictionaries of every revision, orphans and
/// replaced copies included: it gives a file its role (signed or not) cheaply,
/// and names the dictionaries no field holds. The signatures validation checks
/// are the signature fields' values (SignatureFields), not these.
enum PDFSignatureScanner {
    /// How far back from a `/ByteRange` to look for its dictionary's `<<`. A
    /// /Contents before the /ByteRange can hold a large CMS (with CRLs).
    static let maxLookBehind = 32 << 20
    static let maxCandidates = 64

    static func looksLikePDF(_ data: [UInt8]) -> Bool {
        ByteSearch.first(Array("%PDF-".utf8), in: data, from: 0, to: min(data.count, 1024 + 5)) != nil
    }

    /// More `/ByteRange` keys than any real document has: past this the file is
    /// hostile, and the caller reports it rather than checking a subset.
    static let maxOccurrences = 512

    struct Scan {
        var signatures: [PDFSignatureDictionary]
        /// The file had more `/ByteRange` keys than `maxOccurrences`.
        var truncated: Bool
    }

    static func scan(_ data: [UInt8]) -> [PDFSignatureDictionary] { scanBounded(data, budget: ValidationBudget()).signatures }

    static func scanBounded(_ data: [UInt8], budget: ValidationBudget) -> Scan {
        var found: [PDFSignatureDictionary] = []
        var seen = Set<Int>()
        let key = Array("/ByteRange".utf8)
        var occurrences: [Int] = []
        var position = 0
        while let hit = ByteSearch.first(key, in: data, from: position) {
            if occurrences.count == maxOccurrences { return Scan(signatures: [], truncated: true) }
            occurrences.append(hit)
            position = hit + 1
        }
        for occurrence in occurrences {
            guard !budget.isExhausted else { break }
            let after = occurrence + key.count
            if after < data.count, PDFParser.isRegular(data[after]) { continue }  // e.g. /ByteRangeX
            guard let dict = enclosingDictionary(of: occurrence, in: data, budget: budget),
                  dict["ByteRange"] != nil, dict["Contents"] != nil,
                  !seen.contains(dict.span.lowerBound) else { continue }
            seen.insert(dict.span.lowerBound)
            found.append(PDFSignatureDictionary(dictionary: dict))
        }
        return Scan(signatures: found.sorted { $0.span.lowerBound < $1.span.lowerBound }, truncated: false)
    }

    /// The innermost dictionary that has the `/ByteRange` key at `offset`.
    static func enclosingDictionary(of offset: Int, in data: [UInt8], budget: ValidationBudget) -> PDFDictionary? {
        var i = offset - 1
        var candidates = 0
        let floor = max(0, offset - maxLookBehind)
        while i >= floor, candidates < maxCandidates {
            if data[i] == UInt8(ascii: "<"), i + 1 < data.count, data[i + 1] == UInt8(ascii: "<") {
                // One candidate may parse a long string: read the clock before each.
                guard budget.checkTime() else { return nil }
                candidates += 1
                var parser = PDFParser(data, at: i, budget: budget)
                if let (object, _) = parser.parseObject(), case .dictionary(let dict) = object,
                   dict.span.contains(offset), let valueSpan = dict.spans["ByteRange"],
                   keyPrecedes(valueSpan.lowerBound, keyOffset: offset, in: data, budget: budget) {
                    return dict
                }
            }
            i -= 1
        }
        return nil
    }

    /// The value at `valueStart` belongs to the key at `keyOffset`: only
    /// whitespace or comments lie between the key and the value.
    private static func keyPrecedes(_ valueStart: Int, keyOffset: Int, in data: [UInt8], budget: ValidationBudget) -> Bool {
        var parser = PDFParser(data, at: keyOffset + "/ByteRange".utf8.count, budget: budget)
        parser.skipWhitespace()
        return parser.position == valueStart
    }
}

/// PDF date strings (ISO 32000-1 §7.9.4): D:YYYYMMDDHHmmSSOHH'mm'.
enum PDFDate {
    static func parse(_ raw: [UInt8]) -> Date? {
        var s = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("D:") { s.removeFirst(2) }
        let chars = Array(s.utf8)
        func field(_ at: Int, _ length: Int) -> Int? {
            guard at + length <= chars.count else { return nil }
            let slice = chars[at..<(at + length)]
            guard slice.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Int(String(decoding: slice, as: UTF8.self))
        }
        guard let year = field(0, 4), year >= 1900, year < 10000 else { return nil }
        let month = field(4, 2) ?? 1, day = field(6, 2) ?? 1
        let hour = field(8, 2) ?? 0, minute = field(10, 2) ?? 0, second = field(12, 2) ?? 0
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var offset = 0
        if chars.count > 14 {
            let sign = chars[14]
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                let oh = field(15, 2) ?? 0
                let om = field(18, 2) ?? field(17, 2) ?? 0
                guard oh < 24, om < 60 else { return nil }
                offset = (oh * 3600 + om * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            }
        }
        var parts = DateComponents()
        (parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second) = (year, month, day, hour, minute, second)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let local = calendar.date(from: parts) else { return nil }
        return local.addingTimeInterval(TimeInterval(-offset))
    }
}
