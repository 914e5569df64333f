import CLibSSL
import Foundation

/// CRLs a PDF signer archived in the signature itself: the signed attribute
/// adbe-revocationInfoArchival (1.2.840.113583.1.1.8),
///
///     RevocationInfoArchival ::= SEQUENCE {
///         crl          [0] EXPLICIT SEQUENCE OF CertificateList OPTIONAL,
///         ocsp         [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL,
///         otherRevInfo [2] EXPLICIT SEQUENCE OF OtherRevInfo OPTIONAL }
///
/// CRLs and OCSP responses are read (other kinds are ignored). Hostile input:
/// a small bounded DER walk, at most `maxItems` each, anything malformed is ignored.
enum RevocationArchive {
    static let oid = "1.2.840.113583.1.1.8"
    /// Per list (CRLs, OCSP responses): more is not a signature but an attack.
    static let maxItems = 32

    struct Contents {
        var crls: [RevocationList] = []
        var ocsp: [OCSPEvidence] = []
    }

    static func contents(of signer: CMSSigner) -> Contents {
        var contents = Contents()
        guard let der = attributeDER(signer) else { return contents }
        var outer = DERReader(der[...])
        guard let archive = outer.next(), archive.tag == 0x30 else { return contents }
        var fields = DERReader(archive.content)
        while let field = fields.next() {
            guard field.tag == 0xA0 || field.tag == 0xA1 else { continue }
            var explicit = DERReader(field.content)
            guard let list = explicit.next(), list.tag == 0x30 else { continue }
            var items = DERReader(list.content)
            var n = 0
            while n < maxItems, let item = items.next(), item.tag == 0x30 {
                n += 1
                if field.tag == 0xA0 {
                    contents.crls += RevocationList.parseAll(Array(item.whole), fileName: "CRL \(n) archived in the signature (adbe-revocationInfoArchival)")
                } else if let response = OCSPEvidence.parse(Array(item.whole), source: "OCSP response \(n) archived in the signature (adbe-revocationInfoArchival)") {
                    contents.ocsp.append(response)
                }
            }
        }
        contents.crls.forEach { $0.embedded = true }
        return contents
    }

    private static func attributeDER(_ signer: CMSSigner) -> [UInt8]? {
        guard let object = OBJ_txt2obj(oid, 1) else { return nil }
        defer { ASN1_OBJECT_free(object) }
        let index = CMS_signed_get_attr_by_OBJ(signer.info, object, -1)
        guard index >= 0, let attribute = CMS_signed_get_attr(signer.info, index),
              X509_ATTRIBUTE_count(attribute) >= 1, let value = X509_ATTRIBUTE_get0_type(attribute, 0),
              value.pointee.type == V_ASN1_SEQUENCE, let sequence = value.pointee.value.sequence else { return nil }
        let bytes = OpenSSL.bytes(UnsafePointer(sequence))
        return bytes.isEmpty ? nil : bytes
    }
}

/// Reads DER TLVs one after another: definite lengths of at most 4 bytes,
/// never past the end of its slice; stops (nil) at anything else.
struct DERReader {
    struct Element {
        var tag: UInt8
        var content: ArraySlice<UInt8>
        var whole: ArraySlice<UInt8>
    }

    private var rest: ArraySlice<UInt8>
    init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

    var isAtEnd: Bool { rest.isEmpty }
    /// The bytes not read yet.
    var remaining: ArraySlice<UInt8> { rest }

    mutating func next() -> Element? {
        guard rest.count >= 2 else { return nil }
        let start = rest.startIndex
        let tag = rest[start]
        guard tag & 0x1F != 0x1F else { return nil }  // multi-byte tags do not occur here
        var length = Int(rest[start + 1])
        var header = 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard (1...4).contains(count), rest.count >= 2 + count else { return nil }
            length = rest[(start + 2)..<(start + 2 + count)].reduce(0) { $0 << 8 | Int($1) }
            header += count
        }
        guard length <= rest.count - header else { return nil }
        let end = start + header + length
        let element = Element(tag: tag, content: rest[(start + header)..<end], whole: rest[start..<end])
        rest = rest[end...]
        return element
    }
}
