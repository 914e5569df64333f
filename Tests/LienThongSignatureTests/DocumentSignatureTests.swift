import Foundation
import LienThongCore
import Testing
@testable import LienThongSignature

/// A trust store with the test anchors and TSA and a CRL folder holding
/// exactly `cases` (names in crl-cases/ of the test PKI).
private func trust(_ f: Fixtures, _ cases: [String], tsa: Bool = true) throws -> TrustStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lienthong-doccase-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for name in cases { try FileManager.default.copyItem(atPath: f.root + "/crl-cases/" + name, toPath: dir + "/" + name) }
    return try TrustStore(anchorsDirectory: f.root + "/anchors", crlDirectory: dir, tsaDirectory: tsa ? f.root + "/tsa" : "")
}

/// Issue 18, item 1: the signatures of a PDF are its signature fields'
/// values, not every /ByteRange the bytes hold.
@Suite struct SignatureFieldTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    @Test func aSignatureDictionaryWrittenAgainByAnUpdateIsOneValidSignature() throws {
        let bytes = try f.bytes("signature-dictionary-rewritten.pdf")
        #expect(PDFSignatureScanner.scan(bytes).count == 2, "the bytes hold the signed copy and the rewritten one")
        // Before: the rewritten copy was taken for a second signature whose gap "is not this dictionary's /Contents".
        let r = try f.pdf("signature-dictionary-rewritten.pdf")
        #expect(r.isValid, "\(r.dump)")
        #expect(r.signatures.count == 1, "\(r.dump)")
        #expect(r.signatures[0].notes.first?.hasPrefix("signature field Signature1 (object 6)") == true, "\(r.dump)")
        #expect(r.notes.contains { $0.contains("incremental updates that only add") }, "\(r.dump)")
    }

    @Test func aSignatureDictionaryNoFieldNamesIsNotASignature() throws {
        // Written into the document before it was signed: signed bytes, but no signature of it.
        let before = try f.pdf("orphan-signature-dictionary-before-signing.pdf")
        #expect(PDFSignatureScanner.scan(try f.bytes("orphan-signature-dictionary-before-signing.pdf")).count == 2)
        #expect(before.isValid && before.signatures.count == 1, "\(before.dump)")
        // Appended after the signature, in an update that changes nothing shown.
        let after = try f.pdf("orphan-signature-dictionary-appended.pdf")
        #expect(after.signatures.count == 1, "\(after.dump)")
        #expect(after.isValid, "\(after.dump)")
        // The only /Sig dictionary of an unsigned document.
        let only = try f.pdf("orphan-signature-dictionary-only.pdf")
        #expect(only.reasons == [.signatureMissing], "\(only.dump)")
        #expect(only.notes.contains { $0.contains("belong to no signature field") }, "\(only.dump)")
    }

    @Test func bytesAfterTheLastSignatureMustBeAnIncrementalUpdate() throws {
        let garbage = try f.pdf("appended-garbage.pdf")
        #expect(garbage.problems == [.modifiedAfterSigning], "\(garbage.dump)")
        #expect(garbage.notes.contains { $0.contains("are not part of an incremental update") }, "\(garbage.dump)")
    }
}

/// Issue 18, item 2: revocation data in the document's /DSS (PAdES-B-LT),
/// added by pyHanko after the signature.
@Suite struct DocumentSecurityStoreTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    private func validate(_ doc: String, _ cases: [String], arrival: Date = Fixtures.arrival) throws -> DocumentValidation {
        SignatureValidator(trust: try trust(f, cases), maxClockSkew: 300).validatePDF(try f.bytes(doc), name: doc, arrival: arrival)
    }

    @Test func currentCRLsInTheDSSDecideWhenTheFolderHasNone() throws {
        // pyHanko signs with the wall clock: the document arrives now.
        let without = try validate("pyhanko-signed.pdf", ["intermediate-stale.crl"], arrival: Date())
        #expect(without.reasons.isEmpty && without.waitingForRevocation.count == 2, "\(without.dump)")
        let r = try validate("pyhanko-dss-current-crls.pdf", ["intermediate-stale.crl"], arrival: Date())
        #expect(r.isValid, "\(r.dump)")
        let used = r.signatures[0].crlsUsed
        #expect(used.count == 2 && used.allSatisfy { $0.hasPrefix("CRL ") && $0.contains("in the document's /DSS (object ") }, "\(r.dump)")
    }

    @Test func aForgedCRLInTheDSSIsIgnored() throws {
        let r = try validate("pyhanko-dss-forged-crl.pdf", ["intermediate-stale.crl"], arrival: Date())
        #expect(r.reasons.isEmpty, "\(r.dump)")
        #expect(r.waitingForRevocation == ["waiting for revocation data: CRL of TEST-ONLY Intermediate CA expired 2024-02-01T00:00:00Z (intermediate-stale.crl)"], "\(r.dump)")
        #expect(r.signatures[0].notes.contains { $0.contains("in the document's /DSS") && $0.contains("not signed by its key") }, "\(r.dump)")
    }

    @Test func expiredDSSCRLsCountWhenIssuedAfterATrustedTimestamp() throws {
        let stamped = try validate("dss-expired-crls-after-timestamp.pdf", ["intermediate-stale.crl"])
        #expect(stamped.isValid, "\(stamped.dump)")
        #expect(stamped.signatures[0].crlsUsed.contains { $0.contains("/DSS") }, "\(stamped.dump)")
        let claimed = try validate("dss-expired-crls-selfclaimed.pdf", ["intermediate-stale.crl"])
        #expect(claimed.reasons.isEmpty && !claimed.waitingForRevocation.isEmpty, "\(claimed.dump)")
    }

    @Test func theDSSIsReadWithinBounds() throws {
        let r = try validate("dss-forty-crls.pdf", ["intermediate-stale.crl", "root-current.crl"])
        #expect(r.isValid, "\(r.dump)")
        #expect(r.notes.contains("the document's /DSS holds 40 /CRLs; only the first 32 were read"), "\(r.dump)")
        #expect(r.signatures[0].crlsUsed == ["CRL 1 in the document's /DSS (object 9)", "root-current.crl"], "each object is read once: \(r.dump)")
    }
}

/// Issue 18, items 3 and 4: every SignerInfo, and the ESS signing-certificate attribute.
@Suite struct SignerInfoTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    @Test func everySignerInfoMustVerify() throws {
        let ok = try f.pdf("two-signerinfos-ok.pdf")
        #expect(ok.isValid, "\(ok.dump)")
        #expect(ok.signatures[0].notes.contains { $0.contains("SignerInfo 2 of 2 (TEST-ONLY Tran Thi B): verified") }, "\(ok.dump)")
        let bad = try f.pdf("two-signerinfos-broken.pdf")
        #expect(bad.reasons == [.signatureInvalid], "\(bad.dump)")
        #expect(bad.signatures[0].signer == "TEST-ONLY Nguyen Van A")
        #expect(bad.signatures[0].notes.contains { $0.contains("SignerInfo 2 of 2") && $0.contains("does not verify") }, "\(bad.dump)")
    }

    @Test func theESSSigningCertificateMustBeTheVerifyingCertificate() throws {
        for name in ["ess-v2.pdf", "ess-v1.pdf"] {
            let r = try f.pdf(name)
            #expect(r.isValid, "\(r.dump)")
        }
        for (name, attribute) in [("ess-v2-other-certificate.pdf", "signing-certificate-v2"), ("ess-v1-other-certificate.pdf", "signing-certificate")] {
            let r = try f.pdf(name)
            #expect(r.reasons == [.signatureInvalid], "\(r.dump)")
            #expect(r.signatures[0].notes.contains { $0.contains("the signed \(attribute) attribute names another certificate") }, "\(r.dump)")
        }
    }
}

/// Issue 18, item 5: a trusted document timestamp proves the signatures
/// before it existed at its time.
@Suite struct DocumentTimestampProofTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    @Test func aDocumentTimestampBeforeAKeyCompromiseSavesTheSignature() throws {
        // Signed (claimed) 2022-06-01, revoked for key compromise 2023-01-01.
        let before = try f.pdf("keycompromise-doc-timestamp-before-revocation.pdf")
        #expect(before.isValid, "\(before.dump)")
        #expect(before.signatures[0].notes.contains { $0.contains("proves the signature existed at 2022-06-02T00:00:00Z") }, "\(before.dump)")
        let after = try f.pdf("keycompromise-doc-timestamp-after-revocation.pdf")
        #expect(after.reasons == [.certificateRevoked], "\(after.dump)")
        #expect(after.signatures[0].notes.contains { $0.contains("the earliest trusted timestamp over the signature, 2023-06-01T00:00:00Z, is not before it") }, "\(after.dump)")
    }

    @Test func revocationDataIssuedAfterADocumentTimestampCounts() throws {
        let stale = try trust(f, ["intermediate-stale.crl"])
        let v = SignatureValidator(trust: stale, maxClockSkew: 300)
        let name = "ltv-archived-crls-doc-timestamp.pdf"
        let r = v.validatePDF(try f.bytes(name), name: name, arrival: Fixtures.arrival)
        #expect(r.isValid, "\(r.dump)")
        #expect(r.signatures[0].crlsUsed.contains("CRL 1 archived in the signature (adbe-revocationInfoArchival)"), "\(r.dump)")
        // Without a trusted TSA the document timestamp proves nothing: the same data waits.
        let noTSA = SignatureValidator(trust: try trust(f, ["intermediate-stale.crl"], tsa: false), maxClockSkew: 300)
        let waits = noTSA.validatePDF(try f.bytes(name), name: name, arrival: Fixtures.arrival)
        #expect(waits.signatures[0].problems.isEmpty, "the signature itself is sound; only its proof is missing: \(waits.dump)")
        #expect(waits.signatures[0].revocationWait?.isEmpty == false, "\(waits.dump)")
    }
}

