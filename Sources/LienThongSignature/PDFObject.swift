/// A PDF object as parsed from the file (ISO 32000-1 §7.3). Only what the
/// signature checks need: no decryption, no font or content semantics.
indirect enum PDFObject: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case real(Double)
    case name(String)
    case string([UInt8], hex: Bool)
    case array([PDFObject])
    case dictionary(PDFDictionary)
    case reference(Int, Int)

    var integer: Int? { if case .integer(let v) = self { v } else { nil } }
    var name: String? { if case .name(let v) = self { v } else { nil } }
    var dictionary: PDFDictionary? { if case .dictionary(let v) = self { v } else { nil } }
    var array: [PDFObject]? { if case .array(let v) = self { v } else { nil } }
    var stringBytes: [UInt8]? { if case .string(let v, _) = self { v } else { nil } }
    var reference: (Int, Int)? { if case .reference(let n, let g) = self { (n, g) } else { nil } }
}

/// A dictionary with where each value sits in the file, because the signature
/// checks compare byte offsets (the /Contents string must be the ByteRange gap).
struct PDFDictionary: Hashable, Sendable {
    private(set) var values: [String: PDFObject] = [:]
    /// Byte span of each value in the file (last occurrence for repeated keys).
    private(set) var spans: [String: Range<Int>] = [:]
    /// Keys that occur more than once: a signature dictionary with a repeated
    /// /ByteRange or /Contents is ambiguous (readers disagree which one wins).
    private(set) var repeatedKeys: Set<String> = []
    /// Span of the whole dictionary, `<<` to `>>`.
    var span: Range<Int> = 0..<0

    subscript(key: String) -> PDFObject? { values[key] }

    var keys: Dictionary<String, PDFObject>.Keys { values.keys }

    mutating func set(_ key: String, _ value: PDFObject, span: Range<Int>) {
        if values[key] != nil { repeatedKeys.insert(key) }
        values[key] = value
        spans[key] = span
    }

    /// Equal values; spans do not matter (an object rewritten elsewhere is the same object).
    static func == (a: PDFDictionary, b: PDFDictionary) -> Bool { a.values == b.values }
    func hash(into hasher: inout Hasher) { hasher.combine(values) }

    /// The keys whose values differ between `self` and `other`.
    func changedKeys(comparedTo other: PDFDictionary) -> Set<String> {
        Set(values.keys).union(other.values.keys).filter { values[$0] != other.values[$0] }
    }
}

/// An indirect object `n g obj … endobj` found in the file.
struct PDFIndirectObject: Sendable {
    var number: Int
    var generation: Int
    /// Offset of the object header (`n g obj`).
    var offset: Int
    var value: PDFObject
    /// Raw stream bytes (between `stream` EOL and `endstream`), if a stream.
    var stream: Range<Int>?
    /// Read out of an object stream: its spans are offsets in the inflated
    /// data, not in the file (a signature dictionary can never live there).
    var compressed = false

    var dictionary: PDFDictionary? { value.dictionary }
    /// /Type of the object's dictionary.
    var type: String? { dictionary?["Type"]?.name }
}
