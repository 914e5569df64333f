import Foundation
import LienThongCore

/// The `<key>.json` a clerk drops beside a document (SPEC §3, §7): nil or a
/// manifest within its bounds, its strings NFC, its number one the file-name
/// reader finds too; and a manifest written back reads back the same.
enum ManifestProperty {
    static func check(_ input: [UInt8], _ p: PropertyCheck) {
        guard let m = Manifest.parse(input) else { return }
        p.require(input.count <= 1 << 20, "a manifest larger than 1 MiB was read")
        p.require(m.recipients.count <= 10_000, "\(m.recipients.count) recipients")
        let nfc = { (s: String) in s == s.precomposedStringWithCanonicalMapping }
        p.require(m.subject.map(nfc) ?? true, "subject not NFC")
        p.require(m.recipients.allSatisfy(nfc), "a recipient not NFC")
        if let number = m.document {
            p.require(DocumentNumber.find(in: number.display) == number, "number \(number.display) does not read back")
        }

        var object: [String: Any] = ["recipients": m.recipients]
        if let s = m.subject { object["subject"] = s }
        if let n = m.document { object["number"] = n.display }
        if let t = m.type { object["type"] = t.code }
        guard let again = try? JSONSerialization.data(withJSONObject: object) else {
            p.require(false, "a parsed manifest cannot be written back")
            return
        }
        p.require(Manifest.parse([UInt8](again)) == m, "a manifest written back reads differently")
    }
}
