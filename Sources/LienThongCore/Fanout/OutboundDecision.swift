import Foundation

/// What happens to a document the office issues (SPEC §7). Pure.
public enum OutboundOutcome: Sendable, Equatable {
    /// Validly signed by the office, an electronic-only type: deliver to these units.
    case fanOut(recipients: [String])
    /// Validly signed, but the type still needs paper: filed in `office/paper/`.
    case paper
    case reject([Finding])
}

public enum OutboundDecision {
    /// What the office's own document still waits for, if anything.
    public enum Wait: Sendable, Equatable {
        /// A file of the same key still arriving in its drop folder (the
        /// manifest, the `.p7s`): one receipt covers what the clerk dropped together.
        case twinArriving
        /// Only its manifest so far: the document it describes may be copied in after it.
        case manifestOnly
    }

    /// Until when the office's own document waits instead of being decided
    /// (nil: decide now). Like an inbound submission's waits (`Decision`),
    /// never past the end of the pairing window that began with its first file.
    public static func waitUntil(_ wait: Wait?, firstArrival: Date, now: Date, policy: DecisionPolicy) -> Date? {
        let windowEnd = firstArrival.addingTimeInterval(policy.pairingWindow)
        guard let wait, now < windowEnd else { return nil }
        switch wait {
        case .twinArriving: return min(windowEnd, now.addingTimeInterval(max(0.2, policy.settle)))
        case .manifestOnly: return windowEnd
        }
    }

    /// `office` is the office's registry row: when it names a signer, at least
    /// one valid signature must come from it, exactly as for inbound units.
    public static func decide(
        parts: [SubmissionPart], office: Unit, type: DocumentType, subject: String?,
        recipients: RecipientResolver.Resolution, electronicOnly: ElectronicOnlyList, language: ReceiptLanguage
    ) -> OutboundOutcome {
        let fileProblems = parts.compactMap(\.problem)
        if !fileProblems.isEmpty { return .reject(fileProblems) }
        let electronic = parts.filter { $0.role == .electronic }
        if electronic.isEmpty {
            let names = parts.filter { $0.role != .manifest }.map(\.name)
            let detail: FindingDetail = names.isEmpty ? .onlyManifest : .officeUnsigned(names: names)
            return .reject([Finding(.signatureMissing, detail.text(language))])
        }
        var problems: [Finding] = []
        for part in electronic {
            guard let v = part.validation else {
                problems.append(Finding(.unreadable, FindingDetail.notValidated(name: part.name).text(language)))
                continue
            }
            if !v.isValid { problems += (v.reasons.isEmpty ? [.signatureInvalid] : v.reasons).map { Finding($0, part.name) } }
        }
        if !problems.isEmpty { return .reject(problems) }
        if let binding = Decision.signerBinding(unit: office, electronic: electronic) { return .reject([binding]) }
        // The type is judged by the symbol and, for công văn and quyết định, the
        // subject (mời họp, giao việc, thành lập Ban Chỉ đạo …), by the configured list.
        guard electronicOnly.covers(type, subject: subject) else { return .paper }
        if recipients.units.isEmpty {
            let gaps = !recipients.unknown.isEmpty || !recipients.emptyGroups.isEmpty || !recipients.inactive.isEmpty
            let detail: FindingDetail = gaps
                ? .noActiveRecipient(unknown: recipients.unknown, emptyGroups: recipients.emptyGroups, inactive: recipients.inactive)
                : .noRecipients
            return .reject([Finding(.unsupportedFile, detail.text(language))])
        }
        return .fanOut(recipients: recipients.units)
    }
}
