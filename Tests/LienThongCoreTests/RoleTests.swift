import Foundation
import Testing
@testable import LienThongCore

@Suite("File roles by content (SPEC §3)")
struct RoleTests {
    static let pdfHead = Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n1 0 obj".utf8)
    static let jpegHead: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46]
    static let pngHead: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00]
    static let tiffLE: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00]
    static let tiffBE: [UInt8] = [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x08]
    static let docxHead: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]

    @Test("Sniffing by magic bytes")
    func sniff() {
        #expect(RoleClassifier.sniff(head: Self.pdfHead, isSignedPDF: true) == .signedPDF)
        #expect(RoleClassifier.sniff(head: Self.pdfHead, isSignedPDF: false) == .unsignedPDF)
        #expect(RoleClassifier.sniff(head: Self.jpegHead, isSignedPDF: false) == .image)
        #expect(RoleClassifier.sniff(head: Self.pngHead, isSignedPDF: false) == .image)
        #expect(RoleClassifier.sniff(head: Self.tiffLE, isSignedPDF: false) == .image)
        #expect(RoleClassifier.sniff(head: Self.tiffBE, isSignedPDF: false) == .image)
        #expect(RoleClassifier.sniff(head: Self.docxHead, isSignedPDF: false) == .unknown)
        #expect(RoleClassifier.sniff(head: Array("{\"number\": \"4116\"}".utf8), isSignedPDF: false) == .json)
        #expect(RoleClassifier.sniff(head: [0xEF, 0xBB, 0xBF] + Array("\n  {}".utf8), isSignedPDF: false) == .json)
        #expect(RoleClassifier.sniff(head: Array("[1,2]".utf8), isSignedPDF: false) == .unknown)
        #expect(RoleClassifier.sniff(head: [], isSignedPDF: false) == .unknown)
        #expect(RoleClassifier.sniff(head: [0xFF, 0xD8], isSignedPDF: false) == .unknown, "truncated JPEG magic")
        #expect(RoleClassifier.sniff(head: Array("%PDF".utf8), isSignedPDF: false) == .unknown)
        #expect(RoleClassifier.sniff(head: Array("Hello, this is text".utf8), isSignedPDF: true) == .unknown,
                "a signature flag does not make text a PDF")
    }

    @Test("%PDF- after junk within 1024 bytes is a PDF, beyond is not")
    func pdfHeaderOffset() {
        let early = [UInt8](repeating: 0x20, count: 500) + Self.pdfHead
        #expect(RoleClassifier.sniff(head: early, isSignedPDF: false) == .unsignedPDF)
        let late = [UInt8](repeating: 0x20, count: 1100) + Self.pdfHead
        #expect(RoleClassifier.sniff(head: late, isSignedPDF: false) == .unknown)
    }

    @Test("Signed PDF → electronic; unsigned PDF, JPEG, PNG, TIFF → scan")
    func singleFileRoles() {
        let names: [FileName] = ["a.pdf", "b.pdf", "c.jpg", "d.png", "e.tif", "f.tiff"]
        let content: [FileName: RoleClassifier.Content] = [
            "a.pdf": .signedPDF, "b.pdf": .unsignedPDF, "c.jpg": .image, "d.png": .image, "e.tif": .image, "f.tiff": .image,
        ]
        let roles = RoleClassifier.roles(names: names, content: content, key: "k")
        #expect(roles["a.pdf"] == .electronic)
        for n in names.dropFirst() { #expect(roles[n] == .scan, "\(n)") }
    }

    @Test("A .pdf name with bytes that are not PDF is other")
    func fakePDF() {
        let sniffed = RoleClassifier.sniff(head: Self.docxHead, isSignedPDF: false)
        let roles = RoleClassifier.roles(names: ["4116-UBND-CN.pdf"], content: ["4116-UBND-CN.pdf": sniffed], key: "4116-UBND-CN")
        #expect(roles["4116-UBND-CN.pdf"] == .other)
        // Even if the signature module said "signed", text is not a PDF.
        let text = RoleClassifier.sniff(head: Array("not a pdf".utf8), isSignedPDF: true)
        #expect(RoleClassifier.roles(names: ["x.pdf"], content: ["x.pdf": text], key: "x")["x.pdf"] == .other)
    }

    @Test("An image named .pdf is still a scan: content decides")
    func imageNamedPDF() {
        let roles = RoleClassifier.roles(names: ["x.pdf"], content: ["x.pdf": .image], key: "x")
        #expect(roles["x.pdf"] == .scan)
    }

    @Test("X.docx + X.docx.p7s → electronic + signature")
    func detachedSignature() {
        let roles = RoleClassifier.roles(
            names: ["X.docx", "X.docx.p7s"], content: ["X.docx": .unknown, "X.docx.p7s": .unknown], key: "X")
        #expect(roles["X.docx"] == .electronic)
        #expect(roles["X.docx.p7s"] == .signature)
    }

    @Test("A detached signature beside a PDF makes it electronic even when it has no embedded one")
    func detachedOnPDF() {
        let roles = RoleClassifier.roles(names: ["X.pdf", "X.pdf.p7s"], content: ["X.pdf": .unsignedPDF], key: "X")
        #expect(roles["X.pdf"] == .electronic)
        #expect(roles["X.pdf.p7s"] == .signature)
    }

    @Test("Upper-case .P7S signs its file", arguments: ["X.docx.P7S", "X.docx.P7s", "X.docx.p7S"])
    func upperCaseSignature(_ sig: String) {
        let roles = RoleClassifier.roles(names: ["X.docx", FileName(sig)], content: [:], key: "X")
        #expect(roles["X.docx"] == .electronic)
        #expect(roles[FileName(sig)] == .signature)
    }

    @Test("An orphan .p7s is other")
    func orphanSignature() {
        let roles = RoleClassifier.roles(names: ["X.docx.p7s"], content: [:], key: "X")
        #expect(roles["X.docx.p7s"] == .other)
        let r2 = RoleClassifier.roles(names: ["Y.docx", "X.docx.p7s"], content: [:], key: "X")
        #expect(r2["X.docx.p7s"] == .other)
        #expect(r2["Y.docx"] == .other)
    }

    @Test("<key>.json is the manifest; another JSON is other")
    func manifest() {
        let roles = RoleClassifier.roles(
            names: ["4116-UBND-CN.json", "note.json", "4116-UBND-CN.pdf"],
            content: ["4116-UBND-CN.json": .json, "note.json": .json, "4116-UBND-CN.pdf": .signedPDF],
            key: "4116-UBND-CN")
        #expect(roles["4116-UBND-CN.json"] == .manifest)
        #expect(roles["note.json"] == .other)
        #expect(roles["4116-UBND-CN.pdf"] == .electronic)
    }

    @Test("A manifest whose bytes are not a JSON object is other")
    func brokenManifest() {
        let roles = RoleClassifier.roles(names: ["K.json"], content: ["K.json": .unknown], key: "K")
        #expect(roles["K.json"] == .other)
    }

    @Test("Manifest name in NFD matches the NFC key")
    func manifestNFD() {
        let key = "Báo cáo 45-BC-STTTT"
        let name = FileName(Fixture.nfd(key + ".json"))
        let roles = RoleClassifier.roles(names: [name], content: [name: .json], key: key)
        #expect(roles[name] == .manifest)
    }

    @Test("Parts inside a dropped folder keep their path")
    func folderParts() {
        let names: [FileName] = ["Hồ sơ/van-ban.pdf", "Hồ sơ/van-ban.pdf.p7s", "Hồ sơ/scan.jpg"]
        let roles = RoleClassifier.roles(names: names, content: ["Hồ sơ/scan.jpg": .image, "Hồ sơ/van-ban.pdf": .unsignedPDF], key: "Hồ sơ")
        #expect(roles["Hồ sơ/van-ban.pdf"] == .electronic)
        #expect(roles["Hồ sơ/van-ban.pdf.p7s"] == .signature)
        #expect(roles["Hồ sơ/scan.jpg"] == .scan)
    }

    @Test("Every name gets a role")
    func everyName() {
        let names: [FileName] = ["a", "b.pdf", "c.p7s", ".p7s", "d.json", ""]
        let roles = RoleClassifier.roles(names: names, content: [:], key: "k")
        #expect(Set(roles.keys) == Set(names))
    }

    @Test("NFC and NFD twins of one name are two files: a .p7s signs only the file whose name is its own bytes")
    func nfcAndNFDTwinsAreTwoFiles() {
        let nfc = FileName("Báo cáo.pdf")
        let nfd = FileName(Fixture.nfd("Báo cáo.pdf"))
        #expect(nfc != nfd)
        #expect(nfc.string == nfd.string)  // Swift's String equality would merge them
        let roles = RoleClassifier.roles(
            names: [nfc, nfd, FileName(Fixture.nfd("Báo cáo.pdf") + ".p7s")],
            content: [nfc: .unsignedPDF, nfd: .unsignedPDF], key: "Báo cáo")
        #expect(roles.count == 3)
        #expect(roles[nfd] == .electronic)
        #expect(roles[nfc] == .scan)
    }

    /// Issue 18: a Mac client sends "Báo cáo.docx" in NFD; the signing tool
    /// named "Báo cáo.docx.p7s" in NFC. With no exact-bytes partner, the one
    /// canonically equivalent file is what the signature signs.
    @Test("An NFC .p7s signs its NFD document when that is the only equivalent name")
    func nfcSignatureBesideNFDDocument() {
        let document = FileName(Fixture.nfd("Báo cáo.docx"))
        let signature = FileName(Fixture.nfc("Báo cáo.docx") + ".p7s")
        let roles = RoleClassifier.roles(names: [document, signature], content: [:], key: "Báo cáo")
        #expect(roles[document] == .electronic)
        #expect(roles[signature] == .signature)
        #expect(RoleClassifier.signature(of: document, among: [document, signature]) == signature)
        // Two equivalent candidates and no exact one: which was signed is unknowable.
        let other = FileName(Fixture.nfc("Báo cáo.docx"))
        let twins = RoleClassifier.roles(names: [document, other, FileName(Fixture.nfd("Báo cáo.docx") + ".p7s")], content: [:], key: "Báo cáo")
        #expect(twins[document] == .electronic && twins[other] == .other)
    }
}
