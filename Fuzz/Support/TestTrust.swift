import Foundation
@testable import LienThongSignature

/// The TEST-ONLY PKI of scripts/make-test-pki.sh, made by scripts/fuzz/build.sh
/// into `LIENTHONG_FUZZ_PKI`: the same trust the signature tests validate
/// against, so the fuzzer reaches the paths of a document that verifies.
enum TestTrust {
    static let folder: String = {
        guard let path = ProcessInfo.processInfo.environment["LIENTHONG_FUZZ_PKI"] else {
            fatalError("LIENTHONG_FUZZ_PKI is not set (run the target through scripts/fuzz/run.sh)")
        }
        return path
    }()

    static let validator: SignatureValidator = {
        do {
            let trust = try TrustStore(anchorsDirectory: folder + "/anchors", crlDirectory: folder + "/crls", tsaDirectory: folder + "/tsa")
            return SignatureValidator(trust: trust, maxClockSkew: 300)
        } catch {
            fatalError("cannot load the test trust from \(folder): \(error)")
        }
    }()

    /// A fixed arrival after every signing time of the fixtures (as in Fixtures.swift).
    static let arrival = Date(timeIntervalSince1970: 1_736_899_200)  // 2025-01-15T00:00:00Z

    /// The document the fixtures' detached signatures cover.
    static let letter: [UInt8] = {
        guard let data = FileManager.default.contents(atPath: folder + "/docs/letter.docx") else {
            fatalError("missing \(folder)/docs/letter.docx")
        }
        return [UInt8](data)
    }()
}
