/// SPEC §5: "Legitimate incremental updates after a signature (a further
/// signature, a document timestamp, validation data) keep it valid; anything
/// that changes page content or other objects the signature covered is
/// modified-after-signing."
///
/// Compares every object written after a signature's revision with the object
/// of the same number in that revision. Allowed:
/// - new objects (numbers at or above the signed revision's /Size, or numbers
///   that had no definition): they matter only through a changed object;
/// - xref streams, and objects rewritten unchanged;
/// - the catalog changing only /DSS, /AcroForm, /Extensions, /Perms, /Metadata,
///   /Version (PAdES tools raise it with the extensions they add);
/// - metadata: the /Info dictionary and XMP /Metadata streams (iText-based
///   signing tools, common in Vietnam, update /ModDate, /Producer and the XMP
///   packet with every signature), and iText's private /ITXT version marker;
/// - a page changing only /Annots, where added annotations are widgets;
/// - the AcroForm changing /Fields, /SigFlags, /DR, /DA;
/// - a signature widget/field getting its value and appearance (/V, /AP, …);
/// - DSS dictionaries (validation data) changing freely;
/// - an indirect array (e.g. /Annots, /Fields) only gaining widget references.
/// Anything else, including a replaced signature dictionary or a new catalog,
/// is a modification. An object that cannot be compared (its signed version
/// sits in an object stream that cannot be read) counts as a modification.
struct IncrementalUpdateCheck {
    let data: [UInt8]
    let index: PDFObjectIndex
    /// The file's budget: the comparison reads the clock as it goes.
    let budget: ValidationBudget
    var fileLength: Int { data.count }

    struct Result {
        var violations: [String] = []
        var allowed: Bool { violations.isEmpty }
    }

    static let catalogKeys: Set<String> = ["DSS", "AcroForm", "Extensions", "Perms", "Metadata", "ITXT", "Version"]
    static let acroFormKeys: Set<String> = ["Fields", "SigFlags", "DR", "DA"]
    static let widgetKeys: Set<String> = ["V", "AP", "AS", "MK", "F", "DA", "Lock", "SV"]

    func check(revisionEnd: Int) -> Result {
        var result = Result()
        let old = index.revision(endingAt: revisionEnd)
        let oldSize = index.size(ofRevisionEndingAt: revisionEnd)
        let oldTrailer = index.lastTrailer(in: 0..<revisionEnd, having: "Root")
        let newTrailer = index.lastTrailer(in: revisionEnd..<fileLength, having: "Root")
        let infoNumbers = index.trailerReferences("Info")
        let updates = index.objects(from: revisionEnd)
        let latestUpdate = Dictionary(updates.map { ($0.number, $0) }, uniquingKeysWith: { _, b in b })
        let oldStreamsUnreadable = index.unreadableObjectStreams.contains { $0.offset < revisionEnd }

        for stream in index.unreadableObjectStreams where stream.offset >= revisionEnd {
            result.violations.append("object stream \(stream.number) added after the signature cannot be read")
        }
        let oldRoot = oldTrailer?["Root"]?.reference?.0
        if let newRoot = newTrailer?["Root"]?.reference?.0, let oldRoot, newRoot != oldRoot {
            result.violations.append("the document catalog was replaced (object \(oldRoot) → \(newRoot))")
        }
        // Objects the signed revision uses for validation data and the form.
        var dssNumbers = Set<Int>(), acroFormNumbers = Set<Int>()
        for catalog in [oldRoot.flatMap { old[$0] }, oldRoot.flatMap { latestUpdate[$0] }].compactMap({ $0?.dictionary }) {
            if let n = catalog["DSS"]?.reference?.0 { dssNumbers.insert(n) }
            if let n = catalog["AcroForm"]?.reference?.0 { acroFormNumbers.insert(n) }
        }
        if let dss = dssNumbers.first.flatMap({ latestUpdate[$0]?.dictionary ?? old[$0]?.dictionary }) {
            for key in ["Certs", "OCSPs", "CRLs", "VRI"] {
                if let n = dss[key]?.reference?.0 { dssNumbers.insert(n) }
            }
        }

        var reported = Set<String>()
        for (n, object) in updates.enumerated() {
            if n % 1024 == 0, !budget.checkTime() { break }
            if object.type == "XRef" || object.type == "ObjStm" { continue }
            guard let before = old[object.number] else {
                if object.number >= oldSize || !oldStreamsUnreadable { continue }  // a new object
                if !Self.allowedWithoutHistory(object, dss: dssNumbers) {
                    result.violations.append("object \(object.number) (\(Self.describe(object))) changed after the signature; its signed version cannot be read")
                }
                continue
            }
            if object.value == before.value, sameStream(object, before) { continue }
            if infoNumbers.contains(object.number) || object.type == "Metadata" && before.type == "Metadata" { continue }
            if let why = judge(object, before, oldRoot: oldRoot, acroForm: acroFormNumbers, dss: dssNumbers, updates: latestUpdate),
               reported.insert(why).inserted {
                result.violations.append(why)
            }
        }
        return result
    }

    /// Why a changed object is not allowed, or nil when it is.
    private func judge(_ new: PDFIndirectObject, _ old: PDFIndirectObject, oldRoot: Int?, acroForm: Set<Int>,
                       dss: Set<Int>, updates: [Int: PDFIndirectObject]) -> String? {
        let what = "object \(new.number) (\(Self.describe(old)))"
        if dss.contains(new.number) || new.type == "DSS" && old.type == "DSS" { return nil }
        if let newArray = new.value.array, let oldArray = old.value.array {
            return Self.onlyAddsWidgets(newArray, to: oldArray, updates: updates) ? nil
                : "\(what): an array changed other than by adding signature widgets"
        }
        guard let n = new.dictionary, let o = old.dictionary else { return "\(what) changed after the signature" }
        if new.stream != nil || old.stream != nil { return "\(what): a stream changed after the signature" }
        let changed = n.changedKeys(comparedTo: o).subtracting(["ITXT"])
        if changed.isEmpty { return nil }
        switch old.type {
        case "Catalog" where new.number == oldRoot || n["Type"]?.name == "Catalog":
            let extra = changed.subtracting(Self.catalogKeys)
            return extra.isEmpty ? nil : "\(what): the catalog changed \(Self.list(extra))"
        case "Page":
            let extra = changed.subtracting(["Annots"])
            if !extra.isEmpty { return "\(what): the page changed \(Self.list(extra))" }
            let newAnnots = n["Annots"]?.array ?? [], oldAnnots = o["Annots"]?.array ?? []
            return Self.onlyAddsWidgets(newAnnots, to: oldAnnots, updates: updates) ? nil
                : "\(what): annotations other than signature widgets were added or removed"
        case "Sig", "DocTimeStamp":
            return "\(what): a signature dictionary was replaced after the signature"
        default:
            break
        }
        if acroForm.contains(new.number) {
            let extra = changed.subtracting(Self.acroFormKeys)
            return extra.isEmpty ? nil : "\(what): the form changed \(Self.list(extra))"
        }
        if Self.isSignatureField(o) {
            let extra = changed.subtracting(Self.widgetKeys)
            if old.dictionary?["V"] != nil && changed.contains("V") { return "\(what): an existing signature value was replaced" }
            return extra.isEmpty ? nil : "\(what): the signature field changed \(Self.list(extra))"
        }
        return "\(what) changed after the signature (\(Self.list(changed)))"
    }

    private static func onlyAddsWidgets(_ new: [PDFObject], to old: [PDFObject], updates: [Int: PDFIndirectObject]) -> Bool {
        // Every old entry stays; every added one is a reference to a widget
        // written in the update. Sets: a hostile array has a million entries.
        let newItems = Set(new), oldItems = Set(old)
        guard oldItems.isSubset(of: newItems) else { return false }
        for item in newItems.subtracting(oldItems) {
            guard let (number, _) = item.reference, let target = updates[number]?.dictionary,
                  target["Subtype"]?.name == "Widget" || target["FT"]?.name == "Sig" else { return false }
        }
        return true
    }

    private static func isSignatureField(_ dict: PDFDictionary) -> Bool {
        dict["FT"]?.name == "Sig" || dict["Subtype"]?.name == "Widget" && dict["FT"] == nil && dict["Parent"] != nil
    }

    /// Without the signed version to compare with, only things that cannot change what the document shows.
    private static func allowedWithoutHistory(_ object: PDFIndirectObject, dss: Set<Int>) -> Bool {
        if dss.contains(object.number) { return true }
        switch object.type {
        case "Sig", "DocTimeStamp", "DSS", "XRef": return true
        default: return object.dictionary.map(isSignatureField) ?? false
        }
    }

    /// Both not streams, or streams with the same raw data.
    private func sameStream(_ a: PDFIndirectObject, _ b: PDFIndirectObject) -> Bool {
        switch (a.stream, b.stream) {
        case (nil, nil): return true
        case (let x?, let y?): return data[x].elementsEqual(data[y])
        default: return false
        }
    }

    private static func describe(_ object: PDFIndirectObject) -> String {
        if let type = object.type { return "/\(type)" }
        if let subtype = object.dictionary?["Subtype"]?.name { return "/\(subtype)" }
        if object.stream != nil { return "stream" }
        return object.value.array != nil ? "array" : "untyped"
    }

    private static func list(_ keys: Set<String>) -> String { keys.sorted().map { "/" + $0 }.joined(separator: " ") }
}
