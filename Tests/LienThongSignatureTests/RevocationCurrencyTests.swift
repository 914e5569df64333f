import Foundation
import LienThongCore
import Testing
@testable import LienThongSignature

/// SPEC §5 "Revocation data must be current": a CRL counts only when its
/// issuer signed it and thisUpdate ≤ now < nextUpdate (within max_clock_skew).
/// Otherwise the document waits, saying which CA's data is lacking; it is
/// never accepted or rejected on stale data. CRLs come from crl-cases/ of
/// the test PKI (dates around the wall clock, see make_pki.py).
@Suite struct RevocationCurrencyTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    /// A CRL folder holding exactly `cases` (names in crl-cases/).
    private func trust(_ cases: [String]) throws -> TrustStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lienthong-crlcase-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in cases { try FileManager.default.copyItem(atPath: f.root + "/crl-cases/" + name, toPath: dir + "/" + name) }
        return try TrustStore(anchorsDirectory: f.root + "/anchors", crlDirectory: dir, tsaDirectory: f.root + "/tsa")
    }

    private func validate(_ doc: String, _ cases: [String], grace: Double = 0, clock: Date? = nil) throws -> DocumentValidation {
        let v = SignatureValidator(trust: try trust(cases), maxClockSkew: 300, revocationGrace: grace, now: { clock ?? Date() })
        return v.validatePDF(try f.bytes(doc), name: doc, arrival: Fixtures.arrival)
    }

    @Test func aStaleCRLDoesNotCountAndTheDocumentWaits() throws {
        // Before: the expired CRL was used and the document accepted as "not revoked".
        let r = try validate("valid.pdf", ["intermediate-stale.crl", "root-current.crl"])
        #expect(!r.isValid && r.reasons.isEmpty, "\(r.dump)")
        #expect(r.waitingForRevocation == ["waiting for revocation data: CRL of TEST-ONLY Intermediate CA expired 2024-02-01T00:00:00Z (intermediate-stale.crl)"], "\(r.dump)")
        #expect(!r.signatures[0].crlsUsed.contains("intermediate-stale.crl"))
    }

    @Test func aStaleCRLThatRevokesIsNotARejectionEither() throws {
        let r = try validate("revoked-before-signing.pdf", ["intermediate-stale.crl", "root-current.crl"])
        #expect(r.reasons.isEmpty, "\(r.dump)")
        #expect(r.waitingForRevocation.count == 1, "\(r.dump)")
    }

    @Test func aCurrentCRLDecides() throws {
        let ok = try validate("valid.pdf", ["intermediate-stale.crl", "intermediate-current.crl", "root-current.crl"])
        #expect(ok.isValid, "\(ok.dump)")
        #expect(ok.signatures[0].crlsUsed == ["intermediate-current.crl", "root-current.crl"], "\(ok.dump)")
        let revoked = try validate("revoked-before-signing.pdf", ["intermediate-current.crl", "root-current.crl"])
        #expect(revoked.reasons == [.certificateRevoked], "\(revoked.dump)")
    }

    @Test func aCRLNotYetValidDoesNotCount() throws {
        let r = try validate("valid.pdf", ["intermediate-not-yet.crl", "root-current.crl"])
        #expect(r.waitingForRevocation.first?.hasPrefix("waiting for revocation data: CRL of TEST-ONLY Intermediate CA is not valid before ") == true, "\(r.dump)")
    }

    @Test func aForgedCurrentCRLIsIgnoredAndSaidSo() throws {
        // Named for the intermediate, signed by a look-alike key, revokes the valid signer.
        let r = try validate("valid.pdf", ["intermediate-forged-current.crl", "root-current.crl"])
        #expect(r.reasons.isEmpty, "\(r.dump)")
        #expect(r.waitingForRevocation == ["waiting for revocation data: no CRL of TEST-ONLY Intermediate CA signed by it in the CRL folder"], "\(r.dump)")
        #expect(r.signatures[0].notes.contains { $0.contains("intermediate-forged-current.crl names TEST-ONLY Intermediate CA as issuer but is not signed by its key") }, "\(r.dump)")
    }

    @Test func maxClockSkewAppliesAtNextUpdate() throws {
        // The stale CRL's nextUpdate is 2024-02-01T00:00:00Z; the skew is 5 minutes.
        let within = try validate("valid.pdf", ["intermediate-stale.crl", "root-current.crl"], clock: date("2024-02-01T00:04:00Z"))
        #expect(within.waitingForRevocation.filter { $0.contains("Intermediate") }.isEmpty, "\(within.dump)")
        let beyond = try validate("valid.pdf", ["intermediate-stale.crl", "root-current.crl"], clock: date("2024-02-01T00:06:00Z"))
        #expect(beyond.waitingForRevocation.contains { $0.contains("CRL of TEST-ONLY Intermediate CA expired") }, "\(beyond.dump)")
    }

    @Test func revocationGraceWaitsForACRLIssuedAfterTheSigningTime() throws {
        // valid.pdf was signed 2024-05-02T03:00Z; the current CRL was issued an hour ago.
        let sinceSigning = Date().timeIntervalSince(date("2024-05-02T03:00:00Z"))
        let short = try validate("valid.pdf", ["intermediate-current.crl", "root-current.crl"], grace: 3600)
        #expect(short.isValid, "\(short.dump)")
        let long = try validate("valid.pdf", ["intermediate-current.crl", "root-current.crl"], grace: sinceSigning + 86400)
        #expect(long.waitingForRevocation.contains { $0.contains("not after") && $0.contains("revocation_grace") }, "\(long.dump)")
    }

    // MARK: CRLs archived in the signature (adbe-revocationInfoArchival)

    @Test func archivedCRLsIssuedAfterATimestampedSigningTimeDecide() throws {
        // The folder's CRL expired; the signature carries CRLs issued after its trusted timestamp.
        let r = try validate("ltv-archived-crls-timestamped.pdf", ["intermediate-stale.crl"])
        #expect(r.isValid, "\(r.dump)")
        #expect(r.signatures[0].crlsUsed.contains("CRL 1 archived in the signature (adbe-revocationInfoArchival)"), "\(r.dump)")
    }

    @Test func archivedCRLsNoLongerCurrentDoNotCountWithoutATimestamp() throws {
        // Only the signer's own claim of the time: the archived CRLs must be current, and are not.
        let r = try validate("ltv-archived-crls-selfclaimed.pdf", ["intermediate-stale.crl"])
        #expect(r.reasons.isEmpty && !r.waitingForRevocation.isEmpty, "\(r.dump)")
    }

    @Test func aForgedArchivedCRLIsIgnored() throws {
        let r = try validate("ltv-archived-forged-crl-timestamped.pdf", ["intermediate-stale.crl"])
        #expect(r.waitingForRevocation.contains { $0.contains("CRL of TEST-ONLY Intermediate CA expired") }, "\(r.dump)")
        #expect(r.signatures[0].notes.contains { $0.contains("archived in the signature") && $0.contains("not signed by its key") }, "\(r.dump)")
    }
}

/// OCSP responses archived in the signature, checked with OpenSSL's OCSP API.
@Suite struct ArchivedOCSPTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    /// Only expired CRLs in the folder: the intermediate's answer must come from the OCSP response.
    private func validate(_ doc: String) throws -> DocumentValidation {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lienthong-ocspcase-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: f.root + "/crl-cases/intermediate-stale.crl", toPath: dir + "/intermediate-stale.crl")
        let trust = try TrustStore(anchorsDirectory: f.root + "/anchors", crlDirectory: dir, tsaDirectory: f.root + "/tsa")
        return SignatureValidator(trust: trust, maxClockSkew: 300).validatePDF(try f.bytes(doc), name: doc, arrival: Fixtures.arrival)
    }

    @Test func aGoodAnswerFromTheIssuerAfterTheTimestampDecides() throws {
        let r = try validate("ltv-archived-ocsp-timestamped.pdf")
        #expect(r.isValid, "\(r.dump)")
        #expect(r.signatures[0].crlsUsed.contains("OCSP response 1 archived in the signature (adbe-revocationInfoArchival)"), "\(r.dump)")
    }

    @Test func aRevokedAnswerRevokes() throws {
        let r = try validate("ltv-archived-ocsp-revoked-timestamped.pdf")
        #expect(r.reasons == [.certificateRevoked], "\(r.dump)")
        #expect(r.signatures[0].notes.contains { $0.contains("before the signing time") && $0.contains("OCSP response 1") }, "\(r.dump)")
    }

    @Test func anAnswerSignedByAnotherKeyIsNotUsed() throws {
        let r = try validate("ltv-archived-forged-ocsp-timestamped.pdf")
        #expect(r.reasons.isEmpty, "\(r.dump)")
        #expect(r.waitingForRevocation.contains { $0.contains("CRL of TEST-ONLY Intermediate CA expired") }, "\(r.dump)")
    }
}
