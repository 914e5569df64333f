import Foundation
import LienThongCore
import Testing
@testable import LienThongSignature

@Suite struct TrustStoreTests {
    let f: Fixtures
    init() throws { f = try Fixtures.get() }

    @Test func loadsPEMAndDERAnchorsAndCRLs() throws {
        #expect(f.trust.anchorCount == 2)  // root.pem + intermediate.der
        #expect(f.trust.crlCount == 4)  // DER, PEM, the SHA-1 CA's, and the forged one (ignored at use: wrong key)
        #expect(f.trust.tsaCount == 1)
    }

    @Test func missingAnchorsFolderThrowsNamingThePath() {
        do {
            _ = try TrustStore(anchorsDirectory: "/nonexistent/anchors", crlDirectory: "", tsaDirectory: "")
            Issue.record("no error")
        } catch let error as TrustStoreError {
            #expect(error.description.contains("/nonexistent/anchors"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func anchorsPathThatIsAFileThrows() {
        #expect(throws: TrustStoreError.self) {
            try TrustStore(anchorsDirectory: f.root + "/manifest.json", crlDirectory: "", tsaDirectory: "")
        }
    }

    @Test func emptyAnchorsFolderMeansEverythingUntrusted() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("lt-empty-\(getpid())").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try "not a certificate".write(toFile: empty + "/junk.pem", atomically: true, encoding: .utf8)
        let store = try TrustStore(anchorsDirectory: empty, crlDirectory: empty + "/missing", tsaDirectory: "")
        #expect(store.anchorCount == 0 && store.crlCount == 0)
        #expect(store.warnings.contains { $0.contains("junk.pem") })
        let r = SignatureValidator(trust: store, maxClockSkew: 300).validatePDF(try f.bytes("valid.pdf"), name: "v.pdf", arrival: Fixtures.arrival)
        #expect(r.reasons == [.certificateUntrusted], "\(r.dump)")
    }
}
