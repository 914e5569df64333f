import Foundation
import LienThongCore
import PropertyBased
import Testing

/// How the claim names a second file of the same name (integrity issue,
/// defect 5), checked over generated names: Vietnamese stems in NFC and NFD,
/// compound extensions, names up to the 255-byte limit.
@Suite struct NumberedNameTests {
    static let extensions = [".docx", ".pdf", ".PDF", ".jpg", ".abc", "", ".tar.gz", ".scan.pdf", ".json"]
    static let alphabet = Array("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ -_0123456789")
    static let stems = Gen.int(in: 0...(alphabet.count - 1)).array(of: 1...140).map { String($0.map { NumberedNameTests.alphabet[$0] }) }
    static let anyExtension = Gen.int(in: 0...(extensions.count - 1)).map { NumberedNameTests.extensions[$0] }
    static let someExtension = Gen.int(in: 0...(extensions.count - 2)).map { NumberedNameTests.extensions[$0] }
    static let forms = Gen.bool

    static func form(_ s: String, nfd: Bool) -> String {
        nfd ? s.decomposedStringWithCanonicalMapping : s.precomposedStringWithCanonicalMapping
    }

    @Test func aDocumentAndItsSignatureGetTheSameNumberAndStillPair() async {
        await propertyCheck(count: 400, input: Self.stems, Self.someExtension, Self.forms, Gen.int(in: 2...120)) { stem, ext, nfd, n in
            let document = Self.form(stem.trimmingCharacters(in: .whitespaces).isEmpty ? "x" : stem, nfd: nfd) + ext
            let numberedDocument = NumberedName.numbered(document, n)
            let numberedSignature = NumberedName.numbered(document + ".p7s", n)
            #expect(numberedSignature == numberedDocument + ".p7s")
            #expect(Array(numberedSignature.utf8) == Array(numberedDocument.utf8) + Array(".p7s".utf8))
            #expect(numberedSignature.utf8.count <= 255)
        }
    }

    @Test func theNumberGoesBeforeTheWholeCompoundExtensionAndTheNameFits() async {
        await propertyCheck(count: 400, input: Self.stems, Self.anyExtension, Self.forms, Gen.int(in: 2...9999)) { stem, ext, nfd, n in
            let name = Self.form("đ" + stem, nfd: nfd) + ext + (n % 2 == 0 ? ".p7s" : "")
            let numbered = NumberedName.numbered(name, n)
            let split = NumberedName.split(name)
            #expect(numbered.hasSuffix(" (\(n))" + split.extensions))
            #expect(numbered.utf8.count <= 255)
            // Never normalised: the stem kept is a byte prefix of the original stem.
            let kept = Array(numbered.utf8.dropLast((" (\(n))" + split.extensions).utf8.count))
            #expect(Array(split.stem.utf8).starts(with: kept))
            // Another number, another name.
            #expect(NumberedName.numbered(name, n + 1) != numbered)
        }
    }

    @Test func nfcAndNFDTwinsStayTwoNamesWhenNumbered() async {
        // Short enough that neither form is cut (an NFD name has more bytes,
        // so at the limit it loses more of its stem than its NFC twin).
        let short = Gen.int(in: 0...(Self.alphabet.count - 1)).array(of: 1...30).map { String($0.map { NumberedNameTests.alphabet[$0] }) }
        await propertyCheck(count: 300, input: short, Gen.int(in: 2...50)) { stem, n in
            let nfc = Self.form("Báo cáo " + stem, nfd: false) + ".docx"
            let nfd = Self.form("Báo cáo " + stem, nfd: true) + ".docx"
            #expect(FileName(NumberedName.numbered(nfc, n)) != FileName(NumberedName.numbered(nfd, n)))
            #expect(NumberedName.numbered(nfd, n).precomposedStringWithCanonicalMapping == NumberedName.numbered(nfc, n))
        }
    }

    @Test(arguments: [
        ("X.docx", "X (2).docx"), ("X.docx.p7s", "X (2).docx.p7s"), ("4116-UBND-CN_scan.pdf", "4116-UBND-CN_scan (2).pdf"),
        ("notes.abc", "notes (2).abc"), ("README", "README (2)"), (".hidden", ".hidden (2)"), ("a.tar.gz", "a.tar (2).gz"),
    ])
    func examples(_ name: String, _ expected: String) {
        #expect(NumberedName.numbered(name, 2) == expected)
    }
}
