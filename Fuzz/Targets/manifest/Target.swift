import Foundation
import LienThongCore

/// The `<key>.json` a clerk drops beside a document (SPEC §3, §7): nil or a
/// manifest within its bounds, its strings NFC, its number one the file-name
/// reader finds too; and a manifest written back reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = bytes(data, size)
    guard let m = Manifest.parse(input) else { return 0 }
    require(input.count <= 1 << 20, "a manifest larger than 1 MiB was read")
    require(m.recipients.count <= 10_000, "\(m.recipients.count) recipients")
    let nfc = { (s: String) in s == s.precomposedStringWithCanonicalMapping }
    require(m.subject.map(nfc) ?? true, "subject not NFC")
    require(m.recipients.allSatisfy(nfc), "a recipient not NFC")
    if let number = m.document {
        require(DocumentNumber.find(in: number.display) == number, "number \(number.display) does not read back")
    }

    var object: [String: Any] = ["recipients": m.recipients]
    if let s = m.subject { object["subject"] = s }
    if let n = m.document { object["number"] = n.display }
    if let t = m.type { object["type"] = t.code }
    guard let again = try? JSONSerialization.data(withJSONObject: object) else {
        require(false, "a parsed manifest cannot be written back")
        return 0
    }
    require(Manifest.parse([UInt8](again)) == m, "a manifest written back reads differently")
    return 0
}
