import Foundation
import LienThongCore
import Testing
@testable import LienThongSignature

/// Detached CMS (`X.docx` + `X.docx.p7s`), DER and PEM.
@Suite struct DetachedSignatureTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    @Test(arguments: ["letter.docx", "letter-pem.docx", "letter-cms-pem.docx"])
    func validDERAndPEM(_ name: String) throws {
        let r = try f.detached(name)
        #expect(r.isValid, "\(r.dump)")
        #expect(r.signatures.first?.signer == "TEST-ONLY Nguyen Van A")
    }

    @Test func changedContentIsSignatureInvalid() throws {
        let r = try f.detached("tampered.docx")
        #expect(r.reasons == [.signatureInvalid], "\(r.dump)")
        #expect(r.signatures[0].notes.contains { $0.contains("digest") })
    }

    @Test func brokenSignatureValue() throws {
        #expect(try f.detached("badsig.docx").reasons == [.signatureInvalid])
    }

    @Test func garbageSignatureFile() throws {
        let r = try f.detached("garbage.docx")
        #expect(r.reasons == [.signatureInvalid], "\(r.dump)")
        #expect(!r.isValid)
    }

    /// Issue 18: OpenSSL takes sha256 out of sha256WithRSAEncryption and the
    /// signature used to pass; RFC 5652 wants a digest algorithm there.
    @Test func signatureAlgorithmInDigestAlgorithmIsRefusedSayingWhy() throws {
        let r = try f.detached("sigalg-as-digest.docx")
        #expect(r.reasons == [.signatureInvalid], "\(r.dump)")
        #expect(r.signatures[0].notes.contains { $0.contains("digestAlgorithm is sha256WithRSAEncryption, a signature algorithm") }, "\(r.dump)")
    }

    @Test func revokedSigner() throws {
        #expect(try f.detached("revoked.docx").reasons == [.certificateRevoked])
    }

    @Test func emptyInputs() throws {
        let r = f.validator.validateDetached(content: [], signature: [], name: "x", arrival: Fixtures.arrival)
        #expect(r.reasons == [.signatureInvalid])
    }
}
