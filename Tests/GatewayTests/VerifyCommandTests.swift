import Foundation
import Testing

/// `lienthongctl verify` as an operator runs it: the built binary on the
/// generated test PKI's documents, its JSON, its text and its exit status.
@Suite("lienthongctl verify")
struct VerifyCommandTests {
    func verify(_ args: [String]) throws -> CommandResult {
        try runCommand(try ctlBinary(), ["verify"] + args)
    }

    func files(_ json: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["files"] as? [[String: Any]] ?? []
    }

    @Test func everyFixtureGetsTheReasonsTheRuleGives() throws {
        let pki = try Fixtures.testPKI()
        let cases = SignatureReasonTests.cases + [("unsigned.pdf", ["signature-missing"])]
        let r = try verify(["--trust", pki, "--at", "2025-01-15T00:00:00Z", "--json"] + cases.map { pki + "/docs/" + $0.0 })
        #expect(r.status == 1, "some fixtures are invalid: exit 1; stderr: \(r.stderr)")
        let reported = try files(r.stdout)
        #expect(reported.count == cases.count)
        for (entry, (fixture, expected)) in zip(reported, cases) {
            #expect(entry["file"] as? String == fixture)
            #expect(entry["valid"] as? Bool == expected.isEmpty, "\(fixture): \(entry)")
            #expect(Set(entry["reasons"] as? [String] ?? ["?"]) == Set(expected), "\(fixture): \(entry["reasons"] ?? "none")")
            if fixture != "unsigned.pdf" {
                let signatures = entry["signatures"] as? [[String: Any]] ?? []
                #expect(!signatures.isEmpty, "\(fixture) lists its signatures")
            }
        }
    }

    @Test func allValidExitsZeroAndDetachedPairsAreFound() throws {
        let pki = try Fixtures.testPKI()
        let docs = pki + "/docs/"
        let r = try verify(["--trust", pki, docs + "valid.pdf", docs + "letter.docx", docs + "letter-pem.docx.p7s"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("valid.pdf") && r.stdout.contains("letter.docx") && r.stdout.contains("letter-pem.docx"))
        #expect(r.stdout.contains("TEST-ONLY Nguyen Van A"), "the text names the signer: \(r.stdout)")

        let tampered = try verify(["--trust", pki, "--json", docs + "tampered.docx"])
        #expect(tampered.status == 1)
        #expect(try files(tampered.stdout).first?["reasons"] as? [String] == ["signature-invalid"])
    }

    @Test func atChoosesTheArrivalTheSigningTimeIsJudgedAgainst() throws {
        let pki = try Fixtures.testPKI()
        let doc = pki + "/docs/local-time-mislabelled.pdf"
        // Written as 14:00 "UTC" by a tool that meant 14:00 in Vietnam: fine
        // once that time has passed, in the future before it.
        let later = try verify(["--trust", pki, "--at", "2024-03-01T10:00:00Z", "--json", doc])
        #expect(later.status == 0, "\(later.stdout)")
        let earlier = try verify(["--trust", pki, "--at", "2024-03-01T07:00:00Z", "--json", doc])
        #expect(earlier.status == 1)
        #expect(try files(earlier.stdout).first?["reasons"] as? [String] == ["signing-time-in-future"])
        // valid.pdf was signed in May 2024: judged as of April 2024 it lies ahead.
        let before = try verify(["--trust", pki, "--at", "2024-04-30T00:00:00+07:00", "--json", pki + "/docs/valid.pdf"])
        #expect(try files(before.stdout).first?["reasons"] as? [String] == ["signing-time-in-future"])
    }

    @Test func withoutAnchorsIntegrityIsStillJudged() throws {
        let pki = try Fixtures.testPKI()
        let empty = try DaemonHarness.makeTempDir()
        let r = try verify(["--trust", empty, "--at", "2025-01-15T00:00:00Z", "--json", pki + "/docs/valid.pdf", pki + "/docs/modified-content.pdf"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no trust anchors"), "\(r.stderr)")
        let reported = try files(r.stdout)
        #expect(reported.first?["reasons"] as? [String] == ["certificate-untrusted"])
        let lastReasons = (reported.last?["reasons"] as? [String]) ?? []
        #expect(lastReasons.contains("modified-after-signing"), "\(reported.last ?? [:])")
    }

    /// Issue 18: with only an expired CRL, verify neither passes nor fails the
    /// document on it: UNDECIDED, naming the CA whose CRL expired.
    @Test func anExpiredCRLLeavesTheDocumentUndecided() throws {
        let pki = try Fixtures.testPKI()
        let trust = try DaemonHarness.makeTempDir()
        try FileManager.default.copyItem(atPath: pki + "/anchors", toPath: trust + "/anchors")
        try FileManager.default.createDirectory(atPath: trust + "/crls", withIntermediateDirectories: true)
        for name in ["intermediate-stale.crl", "root-current.crl"] {
            try FileManager.default.copyItem(atPath: pki + "/crl-cases/" + name, toPath: trust + "/crls/" + name)
        }
        let r = try verify(["--trust", trust, "--at", "2025-01-15T00:00:00Z", pki + "/docs/valid.pdf"])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("valid.pdf: UNDECIDED"), "\(r.stdout)")
        #expect(r.stdout.contains("waiting for revocation data: CRL of TEST-ONLY Intermediate CA expired 2024-02-01T00:00:00Z"), "\(r.stdout)")
    }

    @Test func theDaemonsConfigGivesTheSameTrust() throws {
        let pki = try Fixtures.testPKI()
        let d = try DaemonHarness(trust: pki)
        let r = try verify(["--config", d.configPath, pki + "/docs/valid.pdf"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let bad = try verify(["--config", d.configPath, pki + "/docs/revoked-before-signing.pdf"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("certificate-revoked"), "\(bad.stdout)")
    }

    @Test func usageAndIOErrorsExitTwo() throws {
        let pki = try Fixtures.testPKI()
        let missing = try verify(["--trust", pki, "/nonexistent/x.pdf"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/x.pdf"), "\(missing.stderr)")
        #expect(try verify(["--trust", pki]).status == 2)
        #expect(try verify(["--trust", pki, "--at", "yesterday", pki + "/docs/valid.pdf"]).status == 2)
        #expect(try verify(["--trust", pki, "--config", "/etc/none.toml", pki + "/docs/valid.pdf"]).status == 2)
        // Hostile input: never a crash, a verdict.
        let dir = try DaemonHarness.makeTempDir()
        try Data("%PDF-1.7\n/ByteRange [0 99999999999999999999 5 -3] /Contents <zz>".utf8).write(to: URL(fileURLWithPath: dir + "/evil.pdf"))
        let evil = try verify(["--trust", pki, "--json", dir + "/evil.pdf"])
        #expect(evil.status == 1, "\(evil.stdout)\(evil.stderr)")
    }
}
