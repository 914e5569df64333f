import Foundation
import Testing

/// Every signature reason code of SPEC §4, produced by the running daemon on a
/// matching document from the generated test PKI (scripts/make-test-pki.sh),
/// and the validation report that proves the decision later.
@Suite("Signatures through the daemon", .serialized)
struct SignatureReasonTests {
    static let sto = "000.00.21.H41"
    static let vinh = "000.00.41.H41"

    /// (fixture, reasons expected in the receipt; empty = accepted)
    static let cases: [(String, [String])] = [
        ("valid.pdf", []),
        ("expired-now-valid-then.pdf", []),
        ("revoked-after-signing.pdf", []),
        ("sha1-chain.pdf", []),
        ("pkcs7-sha1.pdf", []),
        ("timestamped.pdf", []),
        ("revoked-keycompromise-timestamped.pdf", []),
        ("two-signatures.pdf", []),
        ("doc-timestamp.pdf", []),
        ("broken-signature-value.pdf", ["signature-invalid"]),
        ("broken-byterange.pdf", ["signature-invalid"]),
        ("modified-content.pdf", ["modified-after-signing"]),
        ("appended-update.pdf", ["modified-after-signing"]),
        ("modified-between-signatures.pdf", ["modified-after-signing"]),
        ("untrusted-root.pdf", ["certificate-untrusted"]),
        ("lookalike-root.pdf", ["certificate-untrusted"]),
        ("expired-at-signing.pdf", ["certificate-not-valid-at-signing"]),
        ("not-yet-valid.pdf", ["certificate-not-valid-at-signing"]),
        ("revoked-before-signing.pdf", ["certificate-revoked"]),
        ("revoked-keycompromise-selfclaimed.pdf", ["certificate-revoked"]),
        ("wrong-key-usage.pdf", ["certificate-wrong-usage"]),
        ("future-signing-time.pdf", ["signing-time-in-future"]),
    ]

    @Test func eachSignedPDFGetsTheVerdictTheRuleGives() throws {
        let pki = try Fixtures.testPKI()
        let d = try DaemonHarness(trust: pki)
        try d.start()
        for (i, (fixture, _)) in Self.cases.enumerated() {
            try d.drop([pki + "/docs/" + fixture], into: Self.sto, names: ["\(i + 1)-BC-STTTT.pdf"])
        }
        for (i, (fixture, expected)) in Self.cases.enumerated() {
            let key = "\(i + 1)-BC-STTTT"
            let verdict = expected.isEmpty ? "accepted" : "rejected"
            let r = try d.receipt(Self.sto, key: key, verdict: verdict, timeout: 30)
            let reasons = (r["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
            #expect(Set(reasons) == Set(expected), "\(fixture): reasons \(reasons), expected \(expected)")
            // The receipt names each signature with signer, time and source.
            let signatures = r["signatures"] as? [[String: Any]] ?? []
            #expect(!signatures.isEmpty, "\(fixture): receipt lists no signature")
            for s in signatures {
                #expect(s["signer"] is String && s["time_source"] is String, "\(fixture): signature entry \(s)")
            }
        }
        // Both rejection and acceptance leave a validation report beside the
        // files, with the chain and the CRLs that were consulted.
        let revoked = try validationReport(d, key: "\(Self.index(of: "revoked-after-signing.pdf"))-BC-STTTT", shelf: "accepted")
        #expect(revoked.contains("\"crls_used\"") || revoked.contains("\"crlsUsed\""), "report: \(revoked.prefix(600))")
        #expect(revoked.contains("intermediate"), "the chain is named in the report")
        _ = try validationReport(d, key: "\(Self.index(of: "wrong-key-usage.pdf"))-BC-STTTT", shelf: "rejected")
        #expect(d.stop() == 0)
    }

    @Test func detachedSignaturesAndAnUnsignedDocument() throws {
        let pki = try Fixtures.testPKI()
        let d = try DaemonHarness(trust: pki, window: "2s")
        try d.start()
        let docs = pki + "/docs/"
        try d.drop([docs + "letter.docx", docs + "letter.docx.p7s"], into: Self.sto, names: ["1-BC-STTTT.docx", "1-BC-STTTT.docx.p7s"])
        try d.drop([docs + "tampered.docx", docs + "tampered.docx.p7s"], into: Self.sto, names: ["2-BC-STTTT.docx", "2-BC-STTTT.docx.p7s"])
        // The revoked signer signed the same bytes as letter.docx: from the same
        // unit that would be a duplicate, so it comes from another one.
        try d.drop([docs + "revoked.docx", docs + "revoked.docx.p7s"], into: Self.vinh, names: ["3-BC-STTTT.docx", "3-BC-STTTT.docx.p7s"])
        // A Word file with no signature at all: nothing to verify, refused
        // once the window has passed without a .p7s.
        try d.drop([docs + "letter.docx"], into: Self.sto, names: ["4-BC-STTTT.docx"])
        _ = try d.receipt(Self.sto, key: "1-BC-STTTT", verdict: "accepted", timeout: 30)
        // A detached signature cannot tell an edited file from a .p7s of another
        // file: the digest mismatch is signature-invalid (PDFs say modified).
        #expect(try reasons(d.receipt(Self.sto, key: "2-BC-STTTT", verdict: "rejected", timeout: 30)) == ["signature-invalid"])
        let revoked = try reasons(d.receipt(Self.vinh, key: "3-BC-STTTT", verdict: "rejected", timeout: 30))
        #expect(revoked == ["certificate-revoked"], "\(revoked)")
        #expect(try reasons(d.receipt(Self.sto, key: "4-BC-STTTT", verdict: "rejected", timeout: 30)) == ["signature-missing"])
        #expect(d.stop() == 0)
    }

    @Test func aUnitBoundToItsSignerRefusesAnotherSigner() throws {
        let pki = try Fixtures.testPKI()
        var units = DaemonHarness.defaultUnits
        units[1].signer = "Nguyễn Văn Không Có"
        let d = try DaemonHarness(trust: pki, units: units)
        try d.start()
        try d.drop([pki + "/docs/valid.pdf"], into: Self.sto, names: ["7-BC-STTTT.pdf"])
        let r = try d.receipt(Self.sto, key: "7-BC-STTTT", verdict: "rejected", timeout: 30)
        #expect(reasons(r) == ["signer-not-of-unit"])
        #expect(d.stop() == 0)

        // The same document from a unit whose signer column names the
        // fixture's signer is accepted.
        let signer = try signerCommonName(pki + "/docs/valid.pdf")
        var bound = DaemonHarness.defaultUnits
        bound[1].signer = signer
        let e = try DaemonHarness(trust: pki, units: bound)
        try e.start()
        try e.drop([pki + "/docs/valid.pdf"], into: Self.sto, names: ["8-BC-STTTT.pdf"])
        _ = try e.receipt(Self.sto, key: "8-BC-STTTT", verdict: "accepted", timeout: 30)
        #expect(e.stop() == 0)
    }

    static func index(of fixture: String) -> Int { (cases.firstIndex { $0.0 == fixture } ?? -1) + 1 }

    func reasons(_ receipt: [String: Any]) -> [String] {
        (receipt["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
    }

    /// The validation.json of the submission whose receipt carries `key`.
    func validationReport(_ d: DaemonHarness, key: String, shelf: String) throws -> String {
        let receipt = try d.receipt(Self.sto, key: key, verdict: shelf, timeout: 30)
        guard let id = receipt["submission"] as? String else { throw HarnessError("receipt without submission id") }
        let archive = d.spool + "/archive/" + shelf
        guard let enumerator = FileManager.default.enumerator(atPath: archive) else { throw HarnessError("no \(archive)") }
        for case let path as String in enumerator where path.hasSuffix(id + "/validation.json") {
            return try String(contentsOfFile: archive + "/" + path, encoding: .utf8)
        }
        throw HarnessError("no validation.json for \(id) under \(archive)")
    }

    /// The signer's CN as `lienthongctl verify --json` reports it.
    func signerCommonName(_ pdf: String) throws -> String {
        let out = try runCommand(try ctlBinary(), ["verify", "--trust", try Fixtures.testPKI(), "--json", pdf]).stdout
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let files = json?["files"] as? [[String: Any]] ?? []
        let signatures = files.first?["signatures"] as? [[String: Any]] ?? []
        guard let signer = signatures.first?["signer"] as? String, !signer.isEmpty else { throw HarnessError("no signer in \(out)") }
        return signer
    }
}
