/// SPEC §5: "Each /ByteRange must have four integers and leave out exactly the
/// /Contents value." Checked against the file, before any cryptography.
enum ByteRangeCheck {
    struct Layout: Equatable, Sendable {
        /// The two signed ranges.
        var ranges: [Range<Int>]
        /// Where this signature's revision ends (c + d).
        var revisionEnd: Int { ranges[1].upperBound }
    }

    enum Outcome: Equatable, Sendable {
        case ok(Layout)
        case invalid(String)
    }

    /// c + d of a /ByteRange of four non-negative integers (where its
    /// revision ends), before any other check; nil when it is not one.
    static func declaredEnd(_ dictionary: PDFDictionary) -> Int? {
        guard let numbers = dictionary["ByteRange"]?.array?.compactMap(\.integer), numbers.count == 4,
              numbers.allSatisfy({ $0 >= 0 }) else { return nil }
        let (end, overflow) = numbers[2].addingReportingOverflow(numbers[3])
        return overflow ? nil : end
    }

    static func check(_ signature: PDFSignatureDictionary, fileLength: Int) -> Outcome {
        let dict = signature.dictionary
        if dict.repeatedKeys.contains("ByteRange") || dict.repeatedKeys.contains("Contents") {
            return .invalid("the signature dictionary repeats /ByteRange or /Contents")
        }
        guard let items = signature.byteRange?.array else { return .invalid("/ByteRange is not an array") }
        guard items.count == 4 else { return .invalid("/ByteRange has \(items.count) numbers, not 4") }
        let numbers = items.compactMap(\.integer)
        guard numbers.count == 4, numbers.allSatisfy({ $0 >= 0 }) else {
            return .invalid("/ByteRange holds something other than four non-negative integers")
        }
        let (a, b, c, d) = (numbers[0], numbers[1], numbers[2], numbers[3])
        guard a == 0 else { return .invalid("/ByteRange does not start at the beginning of the file (\(a))") }
        // Overflow-safe: every number is below the file length before any sum.
        guard b <= fileLength, c <= fileLength, d <= fileLength, c + d <= fileLength else {
            return .invalid("/ByteRange [\(a) \(b) \(c) \(d)] reaches beyond the end of the file (\(fileLength) bytes)")
        }
        guard b < c else { return .invalid("/ByteRange ranges overlap or are out of order") }
        guard signature.contentsIsHex, let span = signature.contentsSpan else {
            return .invalid("/Contents is not a hex string")
        }
        guard span.lowerBound == b, span.upperBound == c else {
            return .invalid(
                "the gap of /ByteRange [\(a) \(b) \(c) \(d)] is not this dictionary's /Contents (at \(span.lowerBound)..<\(span.upperBound))")
        }
        // The signature dictionary itself must be inside the signed bytes:
        // otherwise /SubFilter, /M and the ByteRange itself are unsigned.
        guard dict.span.lowerBound >= 0, dict.span.upperBound <= c + d else {
            return .invalid("the signature dictionary lies outside the bytes it signs")
        }
        return .ok(Layout(ranges: [0..<b, c..<(c + d)]))
    }
}
