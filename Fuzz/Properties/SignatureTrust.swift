import Foundation
@testable import LienThongSignature

/// The TEST-ONLY PKI of scripts/make-test-pki.sh that the signature properties
/// validate against (as the signature tests do), so inputs reach the paths of a
/// document that verifies. The fuzz targets load it from the folder build.sh
/// made, the replay tests from one they make themselves.
struct SignatureTrust: Sendable {
    let validator: SignatureValidator
    /// The document the fixtures' detached signatures cover.
    let letter: [UInt8]
    /// A fixed arrival after every signing time of the fixtures (as in Fixtures.swift).
    let arrival = Date(timeIntervalSince1970: 1_736_899_200)  // 2025-01-15T00:00:00Z

    struct Missing: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    /// The PKI in `folder` (anchors/, crls/, tsa/, docs/letter.docx).
    init(folder: String) throws {
        let trust = try TrustStore(anchorsDirectory: folder + "/anchors", crlDirectory: folder + "/crls", tsaDirectory: folder + "/tsa")
        validator = SignatureValidator(trust: trust, maxClockSkew: 300)
        guard let data = FileManager.default.contents(atPath: folder + "/docs/letter.docx") else {
            throw Missing(description: "\(folder)/docs/letter.docx is missing; make the test PKI with scripts/make-test-pki.sh \(folder)")
        }
        letter = [UInt8](data)
    }
}
