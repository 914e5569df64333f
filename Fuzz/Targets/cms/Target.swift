import Foundation
import LienThongCore
@testable import LienThongSignature

/// A dropped `.p7s` (DER or PEM) over the fixtures' letter, against the test
/// trust: always at least one finding, an invalid one with its problem, and
/// the parse agrees with the validator.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let signature = bytes(data, size)
    let report = TestTrust.validator.validateDetached(content: TestTrust.letter, signature: signature, name: "letter.docx", arrival: TestTrust.arrival)
    require(!report.signatures.isEmpty, "no finding for a .p7s")
    require(report.signatures.allSatisfy { $0.valid || !$0.problems.isEmpty }, "an invalid signature without a problem")
    require(report.isValid || !report.reasons.isEmpty, "rejected without a reason")
    if report.isValid {
        require(CMSSignedData.parseSignatureFile(signature) != nil, "valid, but the file does not parse as CMS")
    }
    let encoded = (try? JSONEncoder().encode(report)) ?? Data()
    require(encoded.count <= 256 * 1024 + signature.count, "a \(encoded.count)-byte report")
    return 0
}
