import Foundation
import LienThongCore
@testable import LienThongSignature

/// A dropped `.p7s` (DER or PEM) over the fixtures' letter, against the test
/// trust: always at least one finding, an invalid one with its problem, and
/// the parse agrees with the validator.
enum CMSProperty {
    static func check(_ signature: [UInt8], _ trust: SignatureTrust, _ p: PropertyCheck) {
        let report = trust.validator.validateDetached(content: trust.letter, signature: signature, name: "letter.docx", arrival: trust.arrival)
        p.require(!report.signatures.isEmpty, "no finding for a .p7s")
        p.require(report.signatures.allSatisfy { $0.valid || !$0.problems.isEmpty }, "an invalid signature without a problem")
        p.require(report.isValid || !report.reasons.isEmpty, "rejected without a reason")
        if report.isValid {
            p.require(CMSSignedData.parseSignatureFile(signature) != nil, "valid, but the file does not parse as CMS")
        }
        let encoded = (try? JSONEncoder().encode(report)) ?? Data()
        p.require(encoded.count <= 256 * 1024 + signature.count, "a \(encoded.count)-byte report")
    }
}
