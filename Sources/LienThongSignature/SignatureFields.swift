/// The signatures of a PDF are the values of its signature fields (issue 18),
/// as readers and validators (Acrobat, EU DSS, pyHanko) see them: the
/// catalog's /AcroForm /Fields, down every /Kids, each field whose /FT
/// (inherited or its own) is /Sig and that has a /V. A /Sig dictionary no
/// field names is not a signature of the document, and the older copies an
/// update leaves when it rewrites a signature dictionary are not signatures
/// either: only the field's value is.
///
/// Objects are taken in their latest version: the last definition in file
/// order, the model the incremental update check uses too, so both judge the
/// same objects. (For a file whose updates append, as ISO 32000 §7.5.6 has
/// them, that is what the final xref names.) Hostile input: the walk is bounded
/// in fields, depth and signatures, never visits an object twice, and reads the
/// clock as it goes.
struct SignatureFields {
    /// The value of one signature field.
    struct Value {
        /// The field's full name (/T of it and its parents), for the report.
        var field: String
        /// The object that holds the signature dictionary: the dictionary
        /// itself, or (a direct /V) the field.
        var holder: Int
        var direct: Bool
        /// The signature dictionary as the final revision has it.
        var dictionary: PDFDictionary
        var compressed: Bool
    }

    struct Result {
        var values: [Value] = []
        /// Fields whose value is not a signature dictionary, and the like: each a reason to reject.
        var problems: [String] = []
        /// More signature fields than `maxSignatures`: not a genuine document.
        var truncated = false
        /// The catalog or its /AcroForm could not be found (said in the report when no signature is).
        var notes: [String] = []
    }

    static let maxFields = 4096
    static let maxDepth = 16
    static let maxSignatures = 64

    let index: PDFObjectIndex
    let budget: ValidationBudget
    private let latest: [Int: PDFIndirectObject]

    init(index: PDFObjectIndex, budget: ValidationBudget) {
        self.index = index
        self.budget = budget
        latest = index.revision(endingAt: Int.max)
    }

    /// The latest definition of an object.
    func object(_ number: Int) -> PDFIndirectObject? { latest[number] }

    /// A reference resolved to the latest definition of its object; other objects as they are.
    func resolve(_ object: PDFObject?) -> PDFObject? {
        guard let object else { return nil }
        guard let (number, _) = object.reference else { return object }
        return latest[number]?.value
    }

    /// The catalog the last trailer names; without a usable trailer (a broken
    /// file), the last /Catalog written, as readers repairing a file do.
    func catalog() -> PDFDictionary? {
        if let root = index.lastTrailer(in: 0..<Int.max, having: "Root")?["Root"], let catalog = resolve(root)?.dictionary {
            return catalog
        }
        return index.objects.last { $0.type == "Catalog" }?.dictionary
    }

    func find() -> Result {
        var result = Result()
        guard let catalog = catalog() else {
            result.notes.append("no document catalog (/Root) found")
            return result
        }
        guard let form = resolve(catalog["AcroForm"])?.dictionary, let fields = resolve(form["Fields"])?.array else {
            result.notes.append("the document has no form fields (/AcroForm /Fields), so no signature field")
            return result
        }
        var visited = Set<Int>()
        var pending = fields.reversed().map { (item: $0, depth: 0, type: String?.none, name: "") }
        var seen = 0
        while let next = pending.popLast() {
            seen += 1
            guard seen <= Self.maxFields, next.depth <= Self.maxDepth else {
                result.problems.append("the form has more than \(Self.maxFields) fields or nests them deeper than \(Self.maxDepth): not a genuine signed document")
                return result
            }
            if seen % 256 == 0, !budget.checkTime() { return result }
            if let (number, _) = next.item.reference, !visited.insert(number).inserted { continue }
            guard let field = resolve(next.item)?.dictionary else { continue }
            let type = field["FT"]?.name ?? next.type
            let name = Self.fullName(next.name, field["T"]?.stringBytes)
            if let kids = resolve(field["Kids"])?.array {
                pending += kids.reversed().map { (item: $0, depth: next.depth + 1, type: type, name: name) }
            }
            guard type == "Sig", let v = field["V"] else { continue }
            if let value = value(v, field: name, holder: next.item.reference?.0, into: &result),
               !result.values.contains(where: { $0.holder == value.holder && $0.direct == value.direct }) {
                guard result.values.count < Self.maxSignatures else {
                    result.truncated = true
                    return result
                }
                result.values.append(value)
            }
        }
        return result
    }

    /// The signature dictionary a field's /V names, or nil (with a problem when it is not one).
    private func value(_ v: PDFObject, field: String, holder: Int?, into result: inout Result) -> Value? {
        let label = field.isEmpty ? "a signature field" : "signature field \(field)"
        if let (number, _) = v.reference {
            guard let object = latest[number] else {
                result.problems.append("\(label): its value names object \(number), which the file does not define")
                return nil
            }
            guard let dictionary = object.dictionary, Self.isSignature(dictionary) else {
                result.problems.append("\(label): its value (object \(number)) is not a signature dictionary with /ByteRange and /Contents")
                return nil
            }
            return Value(field: field, holder: number, direct: false, dictionary: dictionary, compressed: object.compressed)
        }
        guard let dictionary = v.dictionary, Self.isSignature(dictionary), let holder, let object = latest[holder] else {
            result.problems.append("\(label): its value is not a signature dictionary with /ByteRange and /Contents")
            return nil
        }
        return Value(field: field, holder: holder, direct: true, dictionary: dictionary, compressed: object.compressed)
    }

    private static func isSignature(_ dictionary: PDFDictionary) -> Bool {
        dictionary["ByteRange"] != nil && dictionary["Contents"] != nil
    }

    /// ISO 32000 §12.7.3.2: partial names joined by periods, parent first.
    private static func fullName(_ parent: String, _ partial: [UInt8]?) -> String {
        guard let partial, !partial.isEmpty else { return parent }
        let text = PDFText.decode(partial)
        return parent.isEmpty ? text : parent + "." + text
    }

    /// The signature dictionary as its own signature signed it: the last
    /// definition of its object before `revisionEnd`. A later copy (an update
    /// that wrote the object again) is not where the /ByteRange gap lies.
    func signedVersion(of value: Value, revisionEnd: Int) -> (dictionary: PDFDictionary, compressed: Bool)? {
        guard let object = index.definition(of: value.holder, before: revisionEnd) else { return nil }
        let dictionary = value.direct ? object.dictionary?["V"]?.dictionary : object.dictionary
        return dictionary.map { ($0, object.compressed) }
    }
}

/// PDF text strings (ISO 32000 §7.9.2.2): UTF-16BE with a BOM, else taken as Latin-1
/// (PDFDocEncoding differs only in a few symbols, enough for a report).
enum PDFText {
    static func decode(_ bytes: [UInt8]) -> String {
        let capped = Array(bytes.prefix(512))
        if capped.count >= 2, capped[0] == 0xFE, capped[1] == 0xFF {
            let units = stride(from: 2, to: capped.count - 1, by: 2).map { UInt16(capped[$0]) << 8 | UInt16(capped[$0 + 1]) }
            return String(decoding: units, as: UTF16.self)
        }
        return String(capped.map { Character(Unicode.Scalar($0)) })
    }
}
