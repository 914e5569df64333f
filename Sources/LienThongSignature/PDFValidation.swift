import Foundation
import LienThongCore

/// One run of PDF validation: find the signature dictionaries, check each
/// ByteRange, verify each signature against its own revision, check that the
/// updates after earlier signatures are allowed ones, and that the last
/// signature reaches the end of the file. All of it spends one budget; past
/// a bound the whole file is `unreadable` and the report names the bound.
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

    private func checkAll() -> DocumentValidation {
        var report = DocumentValidation(file: name)
        guard SignatureValidator.looksLikePDF(data) else {
            report.problems = [.unreadable]
            report.notes = ["not a PDF (no %PDF- header in the first 1024 bytes)"]
            return report
        }
        let scan = PDFSignatureScanner.scanBounded(data, budget: budget)
        if budget.isExhausted { return report }
        if scan.truncated {
            report.problems = [.signatureInvalid]
            report.notes = ["more than \(PDFSignatureScanner.maxOccurrences) /ByteRange keys: not a genuine signed document"]
            return report
        }
        let dictionaries = scan.signatures
        guard !dictionaries.isEmpty else {
            report.problems = [.signatureMissing]
            report.notes = ["no signature dictionary (/ByteRange with /Contents) in the PDF"]
            return report
        }
        var layouts: [ByteRangeCheck.Layout?] = []
        for dictionary in dictionaries {
            switch ByteRangeCheck.check(dictionary, fileLength: data.count) {
            case .ok(let layout): layouts.append(layout)
            case .invalid: layouts.append(nil)
            }
        }
        let lastEnd = layouts.compactMap { $0?.revisionEnd }.max()
        var index: PDFObjectIndex?  // built only when an earlier revision has updates after it
        for (dictionary, layout) in zip(dictionaries, layouts) {
            guard budget.checkTime() else { return report }
            var finding = validate(dictionary, layout: layout)
            if let layout, layout.revisionEnd < (lastEnd ?? 0) {
                if index == nil { index = PDFObjectIndex(data, budget: budget) }
                guard !budget.isExhausted else { return report }
                let check = IncrementalUpdateCheck(data: data, index: index!, budget: budget).check(revisionEnd: layout.revisionEnd)
                if !check.allowed {
                    finding.problems = Array(Set(finding.problems + [.modifiedAfterSigning])).sorted()
                    finding.notes += check.violations.prefix(8).map { "after this signature: \($0)" }
                    finding.valid = false
                } else {
                    finding.notes.append("later updates only add signatures, timestamps, validation data or widgets")
                }
            }
            report.signatures.append(finding)
        }
        if let lastEnd, lastEnd < data.count {
            let tail = data[lastEnd...]
            if tail.count <= Self.harmlessTrailerLength, tail.allSatisfy({ PDFParser.isWhitespace($0) }) {
                report.notes.append("\(tail.count) whitespace bytes after the last signature ignored")
            } else {
                report.problems.append(.modifiedAfterSigning)
                report.notes.append("\(data.count - lastEnd) bytes were added after the last signature (it covers \(lastEnd) of \(data.count) bytes)")
                // Say what the added bytes change, for the report.
                if index == nil { index = PDFObjectIndex(data, budget: budget) }
                guard !budget.isExhausted else { return report }
                let check = IncrementalUpdateCheck(data: data, index: index!, budget: budget).check(revisionEnd: lastEnd)
                report.notes += check.violations.prefix(8).map { "after the last signature: \($0)" }
            }
        }
        return report
    }

    private func validate(_ dictionary: PDFSignatureDictionary, layout: ByteRangeCheck.Layout?) -> SignatureFinding {
        let label = "signature at byte \(dictionary.span.lowerBound)"
        let contents = dictionary.contents ?? []
        let message = CMSSignedData(der: contents)
        let evaluation = SignerEvaluation(validator: validator)

        guard let layout else {
            // Still say who it claims to be, for the report.
            var finding = SignatureFinding(file: name, problems: [.signatureInvalid])
            if case .invalid(let why) = ByteRangeCheck.check(dictionary, fileLength: data.count) { finding.notes.append("\(label): \(why)") }
            if let signer = message?.signers.first, let cert = signer.signerCertificate(extra: validator.trust.anchors) {
                (finding.signer, finding.organization, finding.subject) = (cert.subject.commonName, cert.subject.organization, cert.subject.oneLine)
            }
            finding.signingTime = dictionary.modified ?? arrival
            finding.timeSource = dictionary.modified == nil ? .arrival : .pdfModified
            return finding
        }
        let signed = CMSIntegrity.Content(data, ranges: layout.ranges)
        if dictionary.isDocumentTimestamp {
            return validateDocumentTimestamp(contents, signed: signed, label: label)
        }
        guard let message, let signer = message.signers.first else {
            return SignatureFinding(file: name, signingTime: dictionary.modified ?? arrival,
                                    timeSource: dictionary.modified == nil ? .arrival : .pdfModified,
                                    problems: [.signatureInvalid], notes: ["\(label): /Contents is not a CMS SignedData"])
        }
        var target = SignerEvaluation.Target(content: signed, mismatch: .modifiedAfterSigning, pdfModified: dictionary.modified)
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
        var finding = evaluation.evaluate(signer, target: target, file: name, arrival: arrival)
        if message.signers.count > 1 { finding.notes.append("\(label): only the first of \(message.signers.count) SignerInfos was checked") }
        finding.notes.insert("\(label), /SubFilter \(dictionary.subFilter ?? "?"), covers bytes 0..<\(layout.ranges[0].upperBound) and \(layout.ranges[1].lowerBound)..<\(layout.revisionEnd)", at: 0)
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
