import Foundation
import LienThongCore

/// One run of PDF validation: find the signatures through the signature
/// fields, check each ByteRange, verify each signature against its own
/// revision, check that the updates after each signature are allowed ones,
/// including those after the last. All of it spends one budget; past a bound
/// the whole file is `unreadable` and the report names the bound.
struct PDFValidation {
    let validator: SignatureValidator
    let data: [UInt8]
    let name: String
    let arrival: Date
    let budget: ValidationBudget

    /// Trailing bytes after the last signature that change nothing (line ends, padding).
    static let harmlessTrailerLength = 32

    func run() -> DocumentValidation {
        let report = checkAll()
        return budget.isExhausted ? stopped() : report
    }

    /// The verdict when a bound was passed: no signature counts as checked.
    private func stopped() -> DocumentValidation {
        DocumentValidation(file: name, problems: [.unreadable], notes: [budget.message ?? "PDF validation stopped", budget.spent],
                           stopped: budget.stop)
    }

    /// A signature field's value, located in the revision it signed.
    struct Located {
        var signature: PDFSignatureDictionary
        var layout: ByteRangeCheck.Layout?
        var problems: [ReasonCode] = []
        var notes: [String] = []
    }

    private func checkAll() -> DocumentValidation {
        var report = DocumentValidation(file: name)
        guard SignatureValidator.looksLikePDF(data) else {
            report.problems = [.unreadable]
            report.notes = ["not a PDF (no %PDF- header in the first 1024 bytes)"]
            return report
        }
        let index = PDFObjectIndex(data, budget: budget)
        let fields = SignatureFields(index: index, budget: budget)
        let found = fields.find()
        if budget.isExhausted { return report }
        if found.truncated {
            report.problems = [.signatureInvalid]
            report.notes = ["more than \(SignatureFields.maxSignatures) signature fields hold a signature: not a genuine signed document"]
            return report
        }
        if !found.problems.isEmpty {
            report.problems.append(.signatureInvalid)
            report.notes += found.problems.prefix(8)
        }
        var located: [Located] = []
        for value in found.values {
            if let why = compressedProblem(value, fields) {
                report.problems.append(.signatureInvalid)
                report.notes.append(why)
            } else {
                located.append(locate(value, fields))
            }
        }
        located.sort { $0.signature.span.lowerBound < $1.signature.span.lowerBound }
        guard !located.isEmpty else {
            if report.problems.isEmpty { missing(into: &report, notes: found.notes) }
            return report
        }
        let context = DocumentContext(revocation: DocumentSecurityStore.read(fields, data: data, budget: budget))
        report.notes += context.revocation.notes
        report.signatures = findings(located, index: index, context: context)
        if budget.isExhausted { return report }
        checkTail(after: located.compactMap { $0.layout?.revisionEnd }.max(), index: index, into: &report)
        report.problems = Array(Set(report.problems)).sorted()
        return report
    }

    /// No signature field holds a signature: say so, and name the signature
    /// dictionaries the bytes hold that no field names (not signatures of the document).
    private func missing(into report: inout DocumentValidation, notes: [String]) {
        report.problems = [.signatureMissing]
        report.notes = ["no signature field with a signature (/FT /Sig with a /V) in the PDF"] + notes
        let orphans = PDFSignatureScanner.scanBounded(data, budget: budget).signatures
        if !orphans.isEmpty {
            let at = orphans.prefix(4).map { "\($0.span.lowerBound)" }.joined(separator: ", ")
            report.notes.append("\(orphans.count) signature dictionar\(orphans.count == 1 ? "y" : "ies") (at byte \(at)) belong to no signature field: not signatures of this document")
        }
    }

    /// A signature dictionary inside an object stream cannot have its /Contents
    /// left out of the signed bytes: its /ByteRange refers to the file, it does not.
    private func compressedProblem(_ value: SignatureFields.Value, _ fields: SignatureFields) -> String? {
        let end = ByteRangeCheck.declaredEnd(value.dictionary) ?? Int.max
        let compressed = fields.signedVersion(of: value, revisionEnd: end)?.compressed ?? value.compressed
        return compressed ? "signature field \(value.field) (object \(value.holder)): the signature dictionary is inside an object stream, where no /ByteRange can leave out its /Contents" : nil
    }

    /// The field's signature dictionary as its signature signed it (an update
    /// may have written the object again since), with its ByteRange checked.
    private func locate(_ value: SignatureFields.Value, _ fields: SignatureFields) -> Located {
        let label = "signature field \(value.field.isEmpty ? "(unnamed)" : value.field) (object \(value.holder))"
        var located = Located(signature: PDFSignatureDictionary(dictionary: value.dictionary, label: label))
        if let end = ByteRangeCheck.declaredEnd(value.dictionary), let signed = fields.signedVersion(of: value, revisionEnd: end) {
            if signed.dictionary != value.dictionary {
                located.problems.append(.modifiedAfterSigning)
                located.notes.append("\(label): the signature dictionary was written again after signing with other values")
            }
            located.signature.dictionary = signed.dictionary
        }
        if case .ok(let layout) = ByteRangeCheck.check(located.signature, fileLength: data.count) { located.layout = layout }
        return located
    }

    /// Every signature's finding. Document timestamps first: a valid one
    /// proves the signatures it covers existed at its time (DocumentContext).
    private func findings(_ located: [Located], index: PDFObjectIndex, context: DocumentContext) -> [SignatureFinding] {
        var context = context
        var results = [SignatureFinding?](repeating: nil, count: located.count)
        let lastEnd = located.compactMap { $0.layout?.revisionEnd }.max() ?? 0
        for (i, item) in located.enumerated() where item.signature.isDocumentTimestamp {
            guard budget.checkTime() else { return [] }
            let finding = checked(item, lastEnd: lastEnd, index: index, context: context)
            results[i] = finding
            if finding.valid, let layout = item.layout, let time = finding.signingTime {
                let source = "the document timestamp of \(item.signature.label ?? "signature at byte \(item.signature.span.lowerBound)")"
                context.proofs.append(.init(covers: layout.ranges[0].upperBound, time: time, source: source))
            }
        }
        for (i, item) in located.enumerated() where results[i] == nil {
            guard budget.checkTime() else { return [] }
            results[i] = checked(item, lastEnd: lastEnd, index: index, context: context)
        }
        return results.compactMap { $0 }
    }

    /// One signature: its own checks, then the updates after its revision up
    /// to the last signature (what follows that is the document's: checkTail).
    private func checked(_ item: Located, lastEnd: Int, index: PDFObjectIndex, context: DocumentContext) -> SignatureFinding {
        var finding = validate(item.signature, layout: item.layout, context: context)
        if !item.problems.isEmpty {
            finding.problems = Array(Set(finding.problems + item.problems)).sorted()
            finding.notes += item.notes
            finding.valid = false
        }
        guard let layout = item.layout, layout.revisionEnd < lastEnd else { return finding }
        let check = IncrementalUpdateCheck(data: data, index: index, budget: budget).check(revisionEnd: layout.revisionEnd)
        if !check.allowed {
            finding.problems = Array(Set(finding.problems + [.modifiedAfterSigning])).sorted()
            finding.notes += check.violations.prefix(8).map { "after this signature: \($0)" }
            finding.valid = false
        } else {
            finding.notes.append("later updates only add signatures, timestamps, validation data or widgets")
        }
        return finding
    }

    /// What follows the last signature: nothing, a little whitespace, or
    /// incremental updates that only add validation data (SPEC §5).
    private func checkTail(after lastEnd: Int?, index: PDFObjectIndex, into report: inout DocumentValidation) {
        guard let lastEnd, lastEnd < data.count else { return }
        let added = data.count - lastEnd
        if RevisionTail.isBlank(data, from: lastEnd, upTo: Self.harmlessTrailerLength) {
            report.notes.append("\(added) whitespace bytes after the last signature ignored")
            return
        }
        let check = IncrementalUpdateCheck(data: data, index: index, budget: budget).check(revisionEnd: lastEnd)
        if let problem = RevisionTail.problem(in: data, from: lastEnd, budget: budget) {
            report.problems.append(.modifiedAfterSigning)
            report.notes.append("\(added) bytes were added after the last signature (it covers \(lastEnd) of \(data.count) bytes): \(problem)")
        } else if !check.allowed {
            report.problems.append(.modifiedAfterSigning)
            report.notes.append("an update after the last signature (it covers \(lastEnd) of \(data.count) bytes) changes the document")
        } else {
            report.notes.append("the \(added) bytes after the last signature are incremental updates that only add validation data, timestamps or widgets")
        }
        report.notes += check.violations.prefix(8).map { "after the last signature: \($0)" }
    }

    private func validate(_ dictionary: PDFSignatureDictionary, layout: ByteRangeCheck.Layout?, context: DocumentContext) -> SignatureFinding {
        let label = dictionary.label ?? "signature at byte \(dictionary.span.lowerBound)"
        let contents = dictionary.contents ?? []
        let message = CMSSignedData(der: contents, cache: validator.trust.certificateCache)

        guard let layout else { return unlocated(dictionary, message: message, label: label) }
        let signed = CMSIntegrity.Content(data, ranges: layout.ranges)
        if dictionary.isDocumentTimestamp {
            return validateDocumentTimestamp(contents, signed: signed, label: label)
        }
        guard let message, !message.signers.isEmpty else {
            return SignatureFinding(file: name, signingTime: dictionary.modified ?? arrival,
                                    timeSource: dictionary.modified == nil ? .arrival : .pdfModified,
                                    problems: [.signatureInvalid], notes: ["\(label): /Contents is not a CMS SignedData"])
        }
        var target = SignerEvaluation.Target(content: signed, mismatch: .modifiedAfterSigning, pdfModified: dictionary.modified,
                                             documentRevocation: context.revocation.archive,
                                             existedBy: context.existence(ofRevisionEndingAt: layout.revisionEnd))
        switch dictionary.subFilter {
        case "adbe.pkcs7.detached", "ETSI.CAdES.detached":
            break
        case "adbe.pkcs7.sha1":
            guard let encapsulated = message.encapsulatedContent else {
                return SignatureFinding(file: name, problems: [.signatureInvalid], notes: ["\(label): adbe.pkcs7.sha1 without encapsulated digest"])
            }
            target.content = CMSIntegrity.Content(encapsulated)
            target.sha1Of = signed
        default:
            return SignatureFinding(file: name, problems: [.signatureInvalid],
                                    notes: ["\(label): unsupported /SubFilter \(dictionary.subFilter ?? "(none)")"])
        }
        var finding = evaluateSigners(message, target: target, label: label)
        finding.notes.insert("\(label), /SubFilter \(dictionary.subFilter ?? "?"), covers bytes 0..<\(layout.ranges[0].upperBound) and \(layout.ranges[1].lowerBound)..<\(layout.revisionEnd)", at: 0)
        return finding
    }

    /// More SignerInfos than any signing tool writes into one PDF signature.
    static let maxSignerInfos = 8

    /// Every SignerInfo must verify: one bad SignerInfo makes the signature
    /// bad. The finding is the first signer's (its name goes on the receipt),
    /// with the problems and notes of every other.
    private func evaluateSigners(_ message: CMSSignedData, target: SignerEvaluation.Target, label: String) -> SignatureFinding {
        let signers = message.signers
        guard signers.count <= Self.maxSignerInfos else {
            return SignatureFinding(file: name, problems: [.signatureInvalid],
                                    notes: ["\(label): \(signers.count) SignerInfos, more than the \(Self.maxSignerInfos) a signature may have"])
        }
        let evaluation = SignerEvaluation(validator: validator)
        var finding = evaluation.evaluate(signers[0], target: target, file: name, arrival: arrival)
        for (n, signer) in signers.enumerated().dropFirst() {
            let other = evaluation.evaluate(signer, target: target, file: name, arrival: arrival)
            let who = "\(label), SignerInfo \(n + 1) of \(signers.count) (\(other.signer.isEmpty ? "unknown signer" : other.signer))"
            finding.problems = Array(Set(finding.problems + other.problems)).sorted()
            finding.notes += (other.problems.isEmpty ? ["verified"] : other.notes).map { "\(who): \($0)" }
            finding.crlsUsed += other.crlsUsed.filter { !finding.crlsUsed.contains($0) }
            if let wait = other.revocationWait { finding.revocationWait = (finding.revocationWait ?? []) + wait }
            finding.valid = finding.valid && other.valid
        }
        return finding
    }

    /// A signature whose /ByteRange is unusable: invalid, but the report still
    /// says who it claims to be.
    private func unlocated(_ dictionary: PDFSignatureDictionary, message: CMSSignedData?, label: String) -> SignatureFinding {
        var finding = SignatureFinding(file: name, problems: [.signatureInvalid])
        if case .invalid(let why) = ByteRangeCheck.check(dictionary, fileLength: data.count) { finding.notes.append("\(label): \(why)") }
        if let signer = message?.signers.first, let cert = signer.signerCertificate(extra: validator.trust.anchors) {
            (finding.signer, finding.organization, finding.subject) = (cert.subject.commonName, cert.subject.organization, cert.subject.oneLine)
        }
        finding.signingTime = dictionary.modified ?? arrival
        finding.timeSource = dictionary.modified == nil ? .arrival : .pdfModified
        return finding
    }

    /// A document timestamp (ETSI.RFC3161): the token must imprint the ByteRange
    /// bytes and come from a trusted TSA.
    private func validateDocumentTimestamp(_ contents: [UInt8], signed: CMSIntegrity.Content, label: String) -> SignatureFinding {
        let token = TimestampToken.verify(der: contents, imprinted: signed, trust: validator.trust)
        var finding = SignatureFinding(file: name)
        if let tsa = token.tsa {
            (finding.signer, finding.organization, finding.subject) = (tsa.subject.commonName, tsa.subject.organization, tsa.subject.oneLine)
        }
        finding.chain = token.chain.map(\.subject.oneLine)
        finding.signingTime = token.genTime ?? arrival
        finding.timeSource = token.genTime == nil ? .arrival : .timestamp
        finding.notes.append("\(label): document timestamp (ETSI.RFC3161)")
        switch token.failure {
        case nil: break
        case .malformed(let why)?:
            finding.problems.append(.signatureInvalid)
            finding.notes.append(why)
        case .imprintMismatch(let why)?:
            finding.problems.append(.modifiedAfterSigning)
            finding.notes.append(why)
        case .untrusted(let why)?:
            finding.problems.append(.certificateUntrusted)
            finding.notes.append(why)
        case .notValidAtTime(let why)?:
            finding.problems.append(.certificateNotValidAtSigning)
            finding.notes.append(why)
        }
        if let genTime = token.genTime, genTime > arrival.addingTimeInterval(validator.maxClockSkew) {
            finding.problems.append(.signingTimeInFuture)
            finding.notes.append("the document timestamp \(genTime.rfc3339) is after the arrival \(arrival.rfc3339)")
        }
        finding.valid = finding.problems.isEmpty
        return finding
    }
}
