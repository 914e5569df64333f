import Foundation
import LienThongCore
import Testing
@testable import LienThongSignature

/// Every signature reason code of SPEC §4/§5 on generated PDFs, and the valid
/// cases that naive validators get wrong.
@Suite struct PDFSignatureTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    private func expectValid(_ name: String, arrival: Date = Fixtures.arrival, source: SigningTimeSource? = nil) throws {
        let r = try f.pdf(name, arrival: arrival)
        #expect(r.isValid, "\(r.dump)")
        #expect(r.reasons.isEmpty, "\(r.dump)")
        if let source { #expect(r.signatures.allSatisfy { $0.timeSource == source || $0.signer.contains("Time Stamping") }, "\(r.dump)") }
    }

    private func expectReasons(_ name: String, _ reasons: [ReasonCode], arrival: Date = Fixtures.arrival) throws {
        let r = try f.pdf(name, arrival: arrival)
        #expect(!r.isValid, "\(r.dump)")
        #expect(r.reasons == reasons.sorted(), "\(r.dump)")
    }

    @Test func validSignatureReportsSignerChainAndCRLs() throws {
        let r = try f.pdf("valid.pdf")
        #expect(r.isValid, "\(r.dump)")
        let s = try #require(r.signatures.first)
        #expect(s.signer == "TEST-ONLY Nguyen Van A")
        #expect(s.organization == "TEST-ONLY Sở Thông tin và Truyền thông")
        #expect(s.subject.hasPrefix("CN=TEST-ONLY Nguyen Van A, O=TEST-ONLY Sở"))
        #expect(s.timeSource == .signingTime)
        #expect(s.signingTime == date("2024-05-02T03:00:00Z"))
        #expect(s.chain.count == 3 && s.chain[2].contains("TEST-ONLY Root CA"), "\(r.dump)")
        #expect(s.crlsUsed.contains("intermediate.crl"))
        #expect(!s.crlsUsed.contains("forged.crl"), "a CRL with the issuer's name but another key must be ignored")
    }

    @Test func validVariants() throws {
        try expectValid("valid-leaf-only.pdf")  // intermediate from the trust folder
        try expectValid("valid-compressed.pdf")
        try expectValid("valid-pkcs7-m.pdf", source: .pdfModified)  // no signingTime: /M
        try expectValid("pkcs7-sha1.pdf")  // adbe.pkcs7.sha1
        try expectValid("sha1-chain.pdf")  // sha1WithRSA intermediate and leaf, SHA-1 digest
        try expectValid("expired-now-valid-then.pdf")
        try expectValid("revoked-after-signing.pdf")
        try expectValid("revoked-keycompromise-timestamped.pdf", source: .timestamp)
    }

    @Test func signatureMissing() throws { try expectReasons("unsigned.pdf", [.signatureMissing]) }

    @Test func signatureInvalid() throws {
        try expectReasons("broken-byterange.pdf", [.signatureInvalid])
        try expectReasons("broken-signature-value.pdf", [.signatureInvalid])
    }

    @Test func modifiedAfterSigning() throws {
        try expectReasons("modified-content.pdf", [.modifiedAfterSigning])  // digest mismatch
        try expectReasons("appended-garbage.pdf", [.modifiedAfterSigning])  // bytes after the last signature
        try expectReasons("appended-update.pdf", [.modifiedAfterSigning])  // a whole incremental update
        let r = try f.pdf("appended-update.pdf")
        #expect(r.problems == [.modifiedAfterSigning], "document level: \(r.dump)")
    }

    @Test func earlierSignatureCheckedAgainstItsRevision() throws {
        let ok = try f.pdf("two-signatures.pdf")
        #expect(ok.isValid && ok.signatures.count == 2, "\(ok.dump)")
        let bad = try f.pdf("modified-between-signatures.pdf")
        #expect(!bad.isValid)
        #expect(bad.signatures.count == 2)
        #expect(bad.signatures[0].problems == [.modifiedAfterSigning], "\(bad.dump)")
        #expect(bad.signatures[1].valid, "the second signature signed the forged revision and is itself intact: \(bad.dump)")
        #expect(bad.problems.isEmpty)
    }

    @Test func onlySignatureUpdatesMayFollowASignature() throws {
        let annot = try f.pdf("annotation-between-signatures.pdf")
        #expect(annot.signatures.first?.problems == [.modifiedAfterSigning], "\(annot.dump)")
        #expect(annot.signatures.first?.notes.contains { $0.contains("annotations other than signature widgets") } == true, "\(annot.dump)")
        let rewrite = try f.pdf("unchanged-rewrite-between-signatures.pdf")
        #expect(rewrite.isValid, "an object written again unchanged is not a modification: \(rewrite.dump)")
    }

    @Test func documentTimestampIsASignatureToo() throws {
        let r = try f.pdf("doc-timestamp.pdf")
        #expect(r.isValid, "\(r.dump)")
        #expect(r.signatures.count == 2)
        #expect(r.signatures[1].timeSource == .timestamp)
        #expect(r.signatures[1].signer == "TEST-ONLY Time Stamping Unit")
    }

    @Test func certificateUntrusted() throws {
        try expectReasons("untrusted-root.pdf", [.certificateUntrusted])
        try expectReasons("lookalike-root.pdf", [.certificateUntrusted])  // same subject as the root, other key
    }

    @Test func certificateNotValidAtSigning() throws {
        try expectReasons("expired-at-signing.pdf", [.certificateNotValidAtSigning])
        try expectReasons("not-yet-valid.pdf", [.certificateNotValidAtSigning])
    }

    @Test func certificateRevoked() throws {
        try expectReasons("revoked-before-signing.pdf", [.certificateRevoked])
        // Revoked after the claimed time, but for key compromise: a self-claimed time proves nothing.
        try expectReasons("revoked-keycompromise-selfclaimed.pdf", [.certificateRevoked])
    }

    @Test func certificateWrongUsage() throws { try expectReasons("wrong-key-usage.pdf", [.certificateWrongUsage]) }

    @Test func signingTimeInFuture() throws {
        try expectReasons("future-signing-time.pdf", [.signingTimeInFuture])
        // The same document arriving before its signing time.
        try expectReasons("valid.pdf", [.signingTimeInFuture], arrival: date("2024-05-01T00:00:00Z"))
    }

    @Test func vietnamLocalTimeMislabelledAsUTC() throws {
        // signingTime 15:00Z, arrival 10:00Z: 5 h ahead, within 7 h → local time, 08:00Z.
        let r = try f.pdf("local-time-mislabelled.pdf", arrival: date("2024-03-01T10:00:00Z"))
        #expect(r.isValid, "\(r.dump)")
        #expect(r.signatures[0].signingTime == date("2024-03-01T08:00:00Z"))
        #expect(r.signatures[0].notes.contains { $0.contains("local time") }, "\(r.dump)")
        // 8 h ahead is not explained by the time zone.
        try expectReasons("local-time-mislabelled.pdf", [.signingTimeInFuture], arrival: date("2024-03-01T07:00:00Z"))
    }

    @Test func trustedTimestampSettlesTheTime() throws {
        // Arrival 09:00Z: the claimed 15:00Z would be 6 h in the future, the timestamp says 08:00:30Z.
        let r = try f.pdf("timestamped.pdf", arrival: date("2024-03-01T09:00:00Z"))
        #expect(r.isValid, "\(r.dump)")
        #expect(r.signatures[0].timeSource == .timestamp)
        #expect(r.signatures[0].signingTime == date("2024-03-01T08:00:30Z"))
    }

    @Test func timestampFromUntrustedTSAIsNotProof() throws {
        // Without the TSA root, the keyCompromise case falls back to the claimed time and is revoked.
        let noTSA = try TrustStore(anchorsDirectory: f.root + "/anchors", crlDirectory: f.root + "/crls", tsaDirectory: "")
        let v = SignatureValidator(trust: noTSA, maxClockSkew: 300)
        let name = "revoked-keycompromise-timestamped.pdf"
        let r = v.validatePDF(try f.bytes(name), name: name, arrival: Fixtures.arrival)
        #expect(r.reasons == [.certificateRevoked], "\(r.dump)")
        #expect(r.signatures[0].timeSource == .signingTime)
        #expect(r.signatures[0].notes.contains { $0.contains("timestamp not used") }, "\(r.dump)")
    }

    /// SPEC §5: without revocation data a revoked certificate is neither
    /// accepted (as it was) nor rejected: the document waits, naming the CAs.
    @Test func withoutCRLsTheSignatureWaitsNamingEachIssuer() throws {
        let noCRL = try TrustStore(anchorsDirectory: f.root + "/anchors", crlDirectory: "", tsaDirectory: f.root + "/tsa")
        let r = SignatureValidator(trust: noCRL, maxClockSkew: 300).validatePDF(
            try f.bytes("revoked-before-signing.pdf"), name: "x.pdf", arrival: Fixtures.arrival)
        #expect(!r.isValid, "\(r.dump)")
        #expect(r.reasons.isEmpty, "\(r.dump)")
        #expect(r.waitingForRevocation == [
            "waiting for revocation data: no CRL of TEST-ONLY Intermediate CA signed by it in the CRL folder",
            "waiting for revocation data: no CRL of TEST-ONLY Root CA signed by it in the CRL folder",
        ], "\(r.dump)")
    }

    @Test func roleDetection() throws {
        #expect(SignatureValidator.pdfHasSignature(try f.bytes("valid.pdf")))
        #expect(!SignatureValidator.pdfHasSignature(try f.bytes("unsigned.pdf")))
        #expect(SignatureValidator.looksLikePDF(try f.bytes("unsigned.pdf")))
        #expect(!SignatureValidator.looksLikePDF(Array("hello".utf8)))
        #expect(!SignatureValidator.pdfHasSignature(try f.bytes("letter.docx")))
    }

    @Test func notAPDFIsUnreadable() throws {
        let r = f.validator.validatePDF(Array("GIF89a not a pdf".utf8), name: "x.pdf", arrival: Fixtures.arrival)
        #expect(r.problems == [.unreadable])
        #expect(f.validator.validatePDF([], name: "empty.pdf", arrival: Fixtures.arrival).problems == [.unreadable])
    }
}
