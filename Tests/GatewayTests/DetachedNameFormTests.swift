import Foundation
import Testing

/// Issue 18: a Mac client sends the document with an NFD name while the
/// signing tool named its `.p7s` in NFC. Before, the signature was looked up
/// by the document's own bytes + ".p7s", not found, and the pair was not
/// judged on its signature; now the `.p7s` signs the one equivalent file and
/// is checked against that file's real bytes.
@Suite("Detached signature named in NFC beside an NFD document")
struct DetachedNameFormTests {
    @Test func nfcSignatureBesideNFDDocumentIsAccepted() throws {
        let key = "Báo cáo 12-BC-STTTT"
        let pair = try Fixtures.detachedPair(key: key)
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "5s")
        try d.start()
        let unit = "000.00.21.H41"
        let document = (key + ".docx").decomposedStringWithCanonicalMapping
        let signature = (key + ".docx").precomposedStringWithCanonicalMapping + ".p7s"
        #expect(Array(document.utf8) != Array(signature.utf8.dropLast(4)), "the two names must differ in their bytes")
        try d.drop([pair.document, pair.signature], into: unit, names: [document, signature])
        // The JSON receipt under its final name (its .txt twin or a hidden temporary may come first).
        try d.waitFor("a JSON receipt", timeout: 60) { d.receiptNames(unit).contains { !$0.hasPrefix(".") && $0.hasSuffix(".json") } }
        let names = d.receiptNames(unit)
        #expect(names.contains { $0.hasSuffix(".accepted.json") }, "receipts: \(names); log:\n\(d.log)")
        d.stop()
    }
}
