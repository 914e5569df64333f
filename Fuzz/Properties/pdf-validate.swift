import Foundation
import LienThongCore
@testable import LienThongSignature

/// A dropped PDF end to end, against the test trust: whatever the bytes, a
/// verdict comes back, a rejection says why, a stopped budget says so, and the
/// report stays small. (Memory and time per input are the callers' limits.)
enum PDFValidateProperty {
    static func check(_ input: [UInt8], _ trust: SignatureTrust, _ p: PropertyCheck) {
        let report = trust.validator.validatePDF(input, name: "fuzz.pdf", arrival: trust.arrival)
        let signed = SignatureValidator.pdfHasSignature(input)

        p.require(report.isValid || !report.reasons.isEmpty, "a rejected PDF without a reason: \(report.notes)")
        p.require(report.signatures.allSatisfy { $0.valid || !$0.problems.isEmpty }, "an invalid signature without a problem")
        // The role check must never class a document that validates as unsigned.
        p.require(!report.isValid || signed, "validates, but pdfHasSignature says unsigned")
        if report.stopped != nil {
            p.require(report.problems.contains(.unreadable) && !report.isValid, "a stopped validation that is not unreadable")
        }
        // Each signature found is a signature field's value, within the walk's bound.
        p.require(report.signatures.count <= SignatureFields.maxSignatures, "\(report.signatures.count) signatures")
        // The report is stored in the ledger and the archive: it must not grow with hostile input.
        let encoded = (try? JSONEncoder().encode(report)) ?? Data()
        p.require(encoded.count <= 256 * 1024 + input.count, "a \(encoded.count)-byte report for a \(input.count)-byte file")
    }
}
