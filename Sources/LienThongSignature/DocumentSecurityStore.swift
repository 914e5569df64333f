import Foundation

/// What the document says about all of its signatures at once: the
/// revocation data in its /DSS, and the times its valid document timestamps
/// prove the signatures before them existed.
struct DocumentContext {
    /// A valid document timestamp: every revision ending at or before `covers`
    /// (its first signed range) existed at `time`.
    struct Proof {
        var covers: Int
        var time: Date
        var source: String
    }

    var revocation: DocumentSecurityStore.Contents
    var proofs: [Proof] = []

    /// The earliest proof that a signature whose revision ends at `end` existed.
    func existence(ofRevisionEndingAt end: Int) -> Proof? {
        proofs.filter { $0.covers >= end }.min { $0.time < $1.time }
    }
}

/// The document security store (ISO 32000-2 §12.8.4.3, PAdES-B-LT): the
/// catalog's /DSS with /CRLs and /OCSPs, arrays of streams holding DER CRLs and
/// OCSP responses. They count like the data archived in a signature
/// (RevocationArchive): issued by the certificate's issuer and current, or,
/// when a trusted timestamp proves when the signature existed, issued at or
/// after that time. /Certs and /VRI are not needed: certificates come from the
/// signature and the trust folder, and every item is tried for every
/// certificate. Hostile input: at most `maxItems` of each kind, each object
/// read once, each at most `maxItemBytes` and all together `maxTotalBytes`,
/// decoded within the file's budget; anything unreadable is skipped and said
/// in the report.
enum DocumentSecurityStore {
    static let maxItems = 32
    static let maxItemBytes = 8 << 20
    static let maxTotalBytes = 32 << 20

    struct Contents {
        var archive = RevocationArchive.Contents()
        var notes: [String] = []
    }

    static func read(_ fields: SignatureFields, data: [UInt8], budget: ValidationBudget) -> Contents {
        var contents = Contents()
        guard let catalog = fields.catalog(), let dss = fields.resolve(catalog["DSS"])?.dictionary else { return contents }
        var read = Set<Int>(), total = 0
        for key in ["CRLs", "OCSPs"] {
            guard let items = fields.resolve(dss[key])?.array else { continue }
            if items.count > maxItems {
                contents.notes.append("the document's /DSS holds \(items.count) /\(key); only the first \(maxItems) were read")
            }
            for (n, item) in items.prefix(maxItems).enumerated() {
                guard budget.checkTime() else { return contents }
                if let (number, _) = item.reference, !read.insert(number).inserted { continue }
                let source = "\(key == "CRLs" ? "CRL" : "OCSP response") \(n + 1) in the document's /DSS" + (item.reference.map { " (object \($0.0))" } ?? "")
                guard let der = streamData(item, fields, data: data, budget: budget), total + der.count <= maxTotalBytes else {
                    contents.notes.append("\(source) cannot be read (not a stream, over \(maxItemBytes >> 20) MiB or \(maxTotalBytes >> 20) MiB in all, or an unsupported filter): not used")
                    continue
                }
                total += der.count
                if key == "CRLs" {
                    let crls = RevocationList.parseAll(der, fileName: source)
                    if crls.isEmpty { contents.notes.append("\(source) is not a CRL: not used") }
                    crls.forEach { $0.embedded = true }
                    contents.archive.crls += crls
                } else if let response = OCSPEvidence.parse(der, source: source) {
                    contents.archive.ocsp.append(response)
                } else {
                    contents.notes.append("\(source) is not a successful OCSP response: not used")
                }
            }
        }
        return contents
    }

    private static func streamData(_ item: PDFObject, _ fields: SignatureFields, data: [UInt8], budget: ValidationBudget) -> [UInt8]? {
        guard let (number, _) = item.reference, let object = fields.object(number), let range = object.stream,
              let dictionary = object.dictionary, range.count <= maxItemBytes else { return nil }
        guard let decoded = StreamDecoder.decode(dictionary, Array(data[range]), budget: budget), decoded.count <= maxItemBytes else { return nil }
        return decoded
    }
}
