import Foundation
import Testing
@testable import LienThongCore

@Suite("Submission keys from file names (SPEC §3)")
struct SubmissionKeyTests {
    @Test("Scan markers and extensions are stripped", arguments: [
        "4116-UBND-CN.pdf", "4116-UBND-CN_scan.pdf", "4116-UBND-CN-scan.pdf", "4116-UBND-CN.scan.pdf",
        "4116-UBND-CN scan.pdf", "4116-UBND-CN_SCAN.PDF", "4116-UBND-CN_Scan.jpg", "4116-UBND-CN.docx",
        "4116-UBND-CN.docx.p7s", "4116-UBND-CN.pdf.p7s", "4116-UBND-CN.json", "4116-UBND-CN_scan.tif",
        "4116-UBND-CN.PDF.P7S", "4116-UBND-CN", "4116-UBND-CN_scan",
    ])
    func sameKey(_ name: String) {
        #expect(SubmissionKey.key(forFileName: name) == "4116-UBND-CN")
    }

    @Test("X.docx and X.docx.p7s share key X")
    func docxAndSignature() {
        #expect(SubmissionKey.key(forFileName: "X.docx") == "X")
        #expect(SubmissionKey.key(forFileName: "X.docx.p7s") == "X")
    }

    /// U+0605 (ARABIC NUMBER MARK ABOVE) is a prepended mark: it joins the
    /// character after it, here the dot, into one grapheme cluster.
    @Test("A dot after a prepended mark still starts an extension (the names fuzzer's finding)")
    func prependedMarkBeforeTheDot() {
        let stem = "4116-UBND-CN\u{605}"
        #expect(SubmissionKey.key(forFileName: stem + ".pdf") == stem)
        #expect(SubmissionKey.key(forFileName: stem + ".p7s") == stem)
        #expect(SubmissionKey.key(forFileName: stem) == stem)
        #expect(SubmissionKey.key(forFileName: "X\u{605}_scan.pdf") == "X\u{605}")
        #expect(SubmissionKey.hasScanMarker("X\u{605}_scan.pdf"))
        #expect(RoleClassifier.isP7s(FileName(stem + ".p7s")))
        #expect(NumberedName.split(stem + ".docx.p7s") == (stem, ".docx.p7s"))
        #expect(NumberedName.split("a.tar.gz\u{605}.p7s") == ("a.tar", ".gz\u{605}.p7s"))
        let roles = RoleClassifier.roles(names: [FileName(stem + ".json")], content: [FileName(stem + ".json"): .json], key: stem)
        #expect(roles[FileName(stem + ".json")] == .manifest)
    }

    @Test("Unknown extensions stay part of the key")
    func unknownExtension() {
        #expect(SubmissionKey.key(forFileName: "Báo cáo v1.2.pdf") == "Báo cáo v1.2")
        #expect(SubmissionKey.key(forFileName: "X.exe") == "X.exe")
    }

    @Test("An NFD name gives the NFC key")
    func nfdName() {
        let name = "Công văn số 4116-UBND-CN về chữ ký số_scan.pdf"
        let key = SubmissionKey.key(forFileName: Fixture.nfd(name))
        #expect(key == "Công văn số 4116-UBND-CN về chữ ký số")
        #expect(Array(key.utf8) == Array(Fixture.nfc("Công văn số 4116-UBND-CN về chữ ký số").utf8))
        #expect(Array(SubmissionKey.key(forFolderName: Fixture.nfd("Hồ sơ dự án")).utf8) == Array(Fixture.nfc("Hồ sơ dự án").utf8))
    }

    @Test("A name that is only a marker keeps a usable key", arguments: [
        "scan.pdf", "_scan.pdf", "-scan.pdf", ".scan.pdf", " scan.pdf", "SCAN.PDF", "_scan",
    ])
    func onlyMarker(_ name: String) {
        let key = SubmissionKey.key(forFileName: name)
        #expect(!key.isEmpty)
        #expect(!key.trimmingCharacters(in: .whitespaces).isEmpty)
        #expect(key != "." && key != "..")
    }

    @Test("scan.pdf is keyed scan, and pairs with its signature")
    func plainScanWord() {
        #expect(SubmissionKey.key(forFileName: "scan.pdf") == "scan")
        #expect(SubmissionKey.key(forFileName: "scan.pdf.p7s") == "scan")
        #expect(!SubmissionKey.hasScanMarker("scan.pdf"))
    }

    @Test("A marker-only name and its detached signature share a key")
    func markerOnlyPair() {
        #expect(SubmissionKey.key(forFileName: "_scan.pdf") == SubmissionKey.key(forFileName: "_scan.pdf.p7s"))
        #expect(SubmissionKey.key(forFileName: "_scan.pdf") == "_scan")
        #expect(SubmissionKey.key(forFileName: "-scan.jpg") == "-scan")
        #expect(SubmissionKey.key(forFileName: ".scan.pdf") == ".scan")
        #expect(SubmissionKey.key(forFileName: " scan.pdf") == "scan")
        #expect(SubmissionKey.key(forFileName: "...scan.pdf") == "...scan")
    }

    @Test("Words that merely end in scan are not markers", arguments: [
        "scanner.pdf", "Xscan.pdf", "4116-UBND-CN_scanned.pdf", "rescan.pdf", "4116_scans.pdf",
    ])
    func notAMarker(_ name: String) {
        #expect(!SubmissionKey.hasScanMarker(name))
    }

    @Test("Markers are recognised", arguments: [
        "X_scan.pdf", "X-scan.pdf", "X.scan.pdf", "X scan.pdf", "X_SCAN.PDF", "X_scan", "X-Scan.jpeg",
    ])
    func marker(_ name: String) {
        #expect(SubmissionKey.hasScanMarker(name))
        #expect(SubmissionKey.key(forFileName: name) == "X")
    }

    @Test("scanner.pdf keeps its whole word")
    func scannerKey() {
        #expect(SubmissionKey.key(forFileName: "scanner.pdf") == "scanner")
        #expect(SubmissionKey.key(forFileName: "Xscan.pdf") == "Xscan")
    }

    @Test("Keys never become path tricks", arguments: [
        "..pdf", "...pdf", ".pdf", "..pdf.p7s", "...scan.pdf", ". .pdf", ".._scan.pdf",
    ])
    func noDotKeys(_ name: String) {
        let key = SubmissionKey.key(forFileName: name)
        #expect(key != "." && key != "..", "\(name) → \(key)")
        #expect(!key.isEmpty)
        #expect(!key.contains("/"))
    }

    @Test("Folder keys are the folder name")
    func folderKey() {
        #expect(SubmissionKey.key(forFolderName: "Hồ sơ 4116-UBND-CN") == "Hồ sơ 4116-UBND-CN")
        #expect(SubmissionKey.key(forFolderName: "X.pdf") == "X.pdf")
    }

    @Test("Long names are fast")
    func longNames() {
        let clock = ContinuousClock()
        let names = [
            String(repeating: ".pdf", count: 20_000),
            String(repeating: "a", count: 100_000) + "_scan.pdf",
            String(repeating: "_scan", count: 20_000) + ".pdf",
        ]
        for n in names {
            let elapsed = clock.measure { _ = SubmissionKey.key(forFileName: n); _ = SubmissionKey.hasScanMarker(n) }
            #expect(elapsed < .seconds(3))
        }
    }
}

@Suite("Ignore patterns (intake.ignore)")
struct IgnorePatternTests {
    let defaults = IgnorePatterns(GatewayConfig.Intake().ignore)

    @Test("The default list is the one of SPEC §8")
    func defaultList() {
        #expect(defaults.patterns == ["~$*", "*.tmp", "*.part", ".~lock.*#", "Thumbs.db", "desktop.ini"])
    }

    @Test("Editor and system leftovers are ignored", arguments: [
        "~$4116-UBND-CN.docx", "~$", "~$x", "~WRL0001.tmp", ".tmp", "Báo cáo.docx.tmp", "4116-UBND-CN.pdf.part",
        ".part", ".~lock.Báo cáo.docx#", ".~lock.#", "Thumbs.db", "desktop.ini",
    ])
    func ignored(_ name: String) {
        #expect(defaults.matches(name))
        #expect(defaults.matches(Fixture.nfd(name)))
    }

    @Test("Documents are not ignored", arguments: [
        "4116-UBND-CN.pdf", "4116-UBND-CN_scan.pdf", "X.docx", "X.docx.p7s", "$~x.docx", "x~$y.docx",
        "report.tmp.pdf", "file.parts", "file.partial", ".~lock.x", "lock.x#", "Thumbs.db.pdf", "myThumbs.db",
        "desktop.ini.pdf", "xdesktop.ini", "tmp", "part",
    ])
    func notIgnored(_ name: String) {
        #expect(!defaults.matches(name))
    }

    @Test("? matches exactly one character, * any run")
    func wildcards() {
        let p = IgnorePatterns(["a?c", "x*y*z"])
        #expect(p.matches("abc"))
        #expect(p.matches("aĐc"))
        #expect(!p.matches("ac"))
        #expect(!p.matches("abbc"))
        #expect(p.matches("xyz"))
        #expect(p.matches("x__y__z"))
        #expect(!p.matches("x__z__y"))
        #expect(IgnorePatterns(["*"]).matches("anything"))
        #expect(IgnorePatterns(["*"]).matches(""))
        #expect(!IgnorePatterns([]).matches("Thumbs.db"))
        #expect(!IgnorePatterns([""]).matches("x"))
    }

    @Test("Vietnamese pattern matches an NFD name")
    func unicodePattern() {
        #expect(IgnorePatterns(["Bản nháp*"]).matches(Fixture.nfd("Bản nháp 1.docx")))
        #expect(IgnorePatterns([Fixture.nfd("Bản nháp*")]).matches("Bản nháp 1.docx"))
    }

    @Test("A pathological pattern and name finish quickly")
    func pathological() {
        let clock = ContinuousClock()
        let pattern = String(repeating: "*a", count: 30) + "b"
        let name = String(repeating: "a", count: 5_000)
        var matched = true
        let elapsed = clock.measure { matched = IgnorePatterns([pattern]).matches(name) }
        #expect(!matched)
        #expect(elapsed < .seconds(2), "took \(elapsed)")

        let many = IgnorePatterns(Array(repeating: "*.tmp", count: 100) + ["*" + String(repeating: "?", count: 200) + "x"])
        let longName = String(repeating: "y", count: 20_000)
        let elapsed2 = clock.measure { matched = many.matches(longName) }
        #expect(!matched)
        #expect(elapsed2 < .seconds(3), "took \(elapsed2)")
    }
}
