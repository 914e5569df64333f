import Foundation
import Testing
@testable import LienThongCore

/// SPEC §5: a document that lacks only the gateway's own revocation data
/// waits — it is neither accepted nor rejected, not even when its pairing
/// window passes (then the gateway hands it to an operator).
@Suite("Decision: waiting for revocation data")
struct RevocationWaitDecisionTests {
    static let lacking = "waiting for revocation data: CRL of Cục Chứng thực số expired 2026-11-01T00:00:00Z"

    static func pendingElectronic(_ name: String = "45-BC-STTTT.pdf") -> SubmissionPart {
        var v = D.validation(name)
        v.signatures[0].valid = false
        v.signatures[0].revocationWait = [lacking]
        return SubmissionPart(name: name, role: .electronic, size: 1000, sha256: String(repeating: "a", count: 64), validation: v)
    }

    @Test func aCompletePairWaitsInsteadOfBeingAccepted() {
        let o = D.decide(D.input([Self.pendingElectronic(), D.scan()]), at: D.t0)
        #expect(o == .wait(until: D.t0 + D.window, reason: .revocationData(files: ["45-BC-STTTT.pdf"], lacking: ["45-BC-STTTT.pdf: \(Self.lacking)"])))
    }

    @Test func pastTheWindowItStillWaitsAndSaysTheWindowPassed() {
        // Without the scan the window would reject it missing-scan; missing data must not decide it.
        let o = D.decide(D.input([Self.pendingElectronic()]), at: D.t0 + D.window + 1)
        // `until` is the window's end, already past: the gateway holds it for an operator.
        #expect(o == .wait(until: D.t0 + D.window, reason: .revocationData(files: ["45-BC-STTTT.pdf"], lacking: ["45-BC-STTTT.pdf: \(Self.lacking)"])))
    }

    @Test func aRealFaultIsStillDecidedAtOnce() {
        // Another file's invalid signature is the sender's fault: rejected, not held up.
        let o = D.decide(D.input([Self.pendingElectronic(), D.invalidElectronic("b.pdf", codes: [.signatureInvalid]), D.scan()]), at: D.t0)
        #expect(D.codes(o) == [.signatureInvalid])
        var both = Self.pendingElectronic()
        both.validation?.signatures[0].problems = [.certificateUntrusted]
        #expect(both.validation?.waitingForRevocation == [])
        #expect(D.codes(D.decide(D.input([both, D.scan()]), at: D.t0)) == [.certificateUntrusted])
    }

    @Test func olderFindingsWithoutTheFieldDecodeAsNotWaiting() throws {
        let json = #"{"file":"a.pdf","signer":"","organization":"","subject":"","timeSource":"arrival","valid":true,"problems":[],"chain":[],"crlsUsed":[],"notes":[]}"#
        let finding = try JSONDecoder().decode(SignatureFinding.self, from: Data(json.utf8))
        #expect(finding.revocationWait == nil && finding.valid)
    }
}
