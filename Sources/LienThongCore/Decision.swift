import Foundation

/// Everything the rule needs to know about a submission at one moment.
public struct DecisionInput: Sendable {
    public var unit: Unit
    public var parts: [SubmissionPart]
    public var type: DocumentType
    /// From the manifest or the words of the key; decides công văn and quyết định.
    public var subject: String?
    public var firstArrival: Date
    public var lastArrival: Date
    /// The watcher still sees unsettled files in the outbox that may belong here.
    public var awaitingMoreFiles: Bool
    /// A file that may belong here has settled and is claimed at the loop's
    /// next turn: a burst larger than one turn's claims (`claimsPerTurn`)
    /// splits pairs over two turns, and deciding the first half alone would
    /// tell its clerk "waiting for the twin" (a pending notice written,
    /// fsynced and removed again) for a twin that is already there.
    public var twinClaimable: Bool

    public init(
        unit: Unit, parts: [SubmissionPart], type: DocumentType, subject: String?, firstArrival: Date,
        lastArrival: Date, awaitingMoreFiles: Bool, twinClaimable: Bool = false
    ) {
        self.unit = unit
        self.parts = parts
        self.type = type
        self.subject = subject
        self.firstArrival = firstArrival
        self.lastArrival = lastArrival
        self.awaitingMoreFiles = awaitingMoreFiles
        self.twinClaimable = twinClaimable
    }
}

/// The rule as data: timings and effective dates (SPEC §4, §8).
public struct DecisionPolicy: Sendable {
    public var settle: Double
    public var pairingWindow: Double
    public var effective: [UnitLevel: CivilDate]
    /// The calendar of the effective dates: the province's own (Asia/Ho_Chi_Minh).
    public var timeZone: TimeZone
    /// `[rule] electronic_only` and `electronic_only_subjects`.
    public var electronicOnly: ElectronicOnlyList
    /// Where a unit that ended finds its successor (for `unit-not-active`).
    public var registry: Registry
    /// The language of finding details (the receipt's).
    public var language: ReceiptLanguage

    public init(
        settle: Double, pairingWindow: Double, effective: [UnitLevel: CivilDate], timeZone: TimeZone,
        electronicOnly: ElectronicOnlyList = .congVan4116, registry: Registry = Registry(units: []), language: ReceiptLanguage = .vi
    ) {
        self.settle = settle
        self.pairingWindow = pairingWindow
        self.effective = effective
        self.timeZone = timeZone
        self.electronicOnly = electronicOnly
        self.registry = registry
        self.language = language
    }
}

public enum Outcome: Sendable, Equatable {
    /// Not decided yet: look again at this time (or when a file arrives).
    case wait(until: Date, reason: WaitReason)
    case accept(warnings: [DecisionWarning])
    case reject([Finding])
}

/// SPEC §4's decision table. Pure: the clock is an argument.
public enum Decision {
    public static func decide(_ s: DecisionInput, now: Date, policy: DecisionPolicy) -> Outcome {
        // While a twin is still being copied in, decide nothing: the receipt
        // should cover every file the clerk sent together.
        let settledAt = s.lastArrival.addingTimeInterval(policy.settle)
        if s.awaitingMoreFiles && now < settledAt { return .wait(until: settledAt, reason: .moreFiles) }
        // A settled twin is claimed next turn, which wakes this submission.
        if s.twinClaimable { return .wait(until: now.addingTimeInterval(max(policy.settle, 0.2)), reason: .moreFiles) }

        // A unit that had ended (or not begun) on the day its clerk sent is
        // refused whatever it sent: only its successor's share is the way in.
        if let inactive = UnitNotActive.finding(s.unit, sentAt: s.firstArrival, policy: policy) { return .reject([inactive]) }

        // A file that cannot be taken at all, or an invalid signature, is
        // refused at once: waiting cannot make it better.
        let fileProblems = s.parts.compactMap(\.problem)
        if !fileProblems.isEmpty { return .reject(fileProblems) }

        let electronic = s.parts.filter { $0.role == .electronic }
        if let outcome = signatureOutcome(electronic, s, now: now, policy: policy) { return outcome }
        if let binding = signerBinding(unit: s.unit, electronic: electronic) { return .reject([binding]) }
        return pairingOutcome(s, hasElectronic: !electronic.isEmpty, now: now, policy: policy)
    }

    /// A rejection for any invalid signature, or a wait for missing revocation
    /// data; nil when every electronic part validated.
    static func signatureOutcome(_ electronic: [SubmissionPart], _ s: DecisionInput, now: Date, policy: DecisionPolicy) -> Outcome? {
        var signatureProblems: [Finding] = []
        var revocationWait: [String] = []
        for part in electronic {
            guard let v = part.validation else {
                signatureProblems.append(Finding(.unreadable, "\(part.name): not validated"))
                continue
            }
            if !v.isValid {
                // Missing revocation data is the gateway's, not the sender's: wait.
                if !v.waitingForRevocation.isEmpty {
                    revocationWait += v.waitingForRevocation.map { "\(part.name): \($0)" }
                    continue
                }
                let reasons = v.reasons.isEmpty ? [ReasonCode.signatureInvalid] : v.reasons
                signatureProblems += reasons.map { Finding($0, part.name) }
            }
        }
        if !signatureProblems.isEmpty { return .reject(signatureProblems) }
        if !revocationWait.isEmpty {
            // Nothing is wrong with the documents, but the gateway lacks
            // current revocation data (SPEC §5): not decided until it
            // arrives, whatever the pairing window. `until` is the window's
            // end; once it has passed, the gateway holds the submission for
            // an operator instead of waiting by itself.
            let files = electronic.filter { $0.validation?.waitingForRevocation.isEmpty == false }.map(\.name)
            return .wait(until: s.firstArrival.addingTimeInterval(policy.pairingWindow),
                         reason: .revocationData(files: files, lacking: revocationWait))
        }
        return nil
    }

    /// The rule itself, once every file and signature is fine: accept what
    /// the rule asks for, wait for the rest until the pairing window ends,
    /// then refuse with what is still missing.
    static func pairingOutcome(_ s: DecisionInput, hasElectronic: Bool, now: Date, policy: DecisionPolicy) -> Outcome {
        let hasScan = s.parts.contains { $0.role == .scan }
        let electronicOnly = policy.electronicOnly.covers(s.type, subject: s.subject)

        if hasElectronic && (hasScan || electronicOnly) {
            return .accept(warnings: [])
        }
        if hasScan && !hasElectronic && !ruleInForce(for: s.unit, at: s.firstArrival, policy: policy) {
            return .accept(warnings: [.paperOnlyBeforeRule(level: s.unit.level, from: policy.effective[s.unit.level])])
        }
        let deadline = s.firstArrival.addingTimeInterval(policy.pairingWindow)
        if now < deadline { return .wait(until: deadline, reason: awaited(s.parts, hasElectronic: hasElectronic, hasScan: hasScan)) }
        return missingAfterWindow(s.parts, hasElectronic: hasElectronic, hasScan: hasScan)
    }

    /// The refusal once the pairing window is over, naming what never came.
    static func missingAfterWindow(_ parts: [SubmissionPart], hasElectronic: Bool, hasScan: Bool) -> Outcome {
        if hasElectronic {
            return .reject([Finding(.missingScan, parts.filter { $0.role == .electronic }.map(\.name).joined(separator: ", "))])
        }
        if hasScan {
            return .reject([Finding(.missingElectronic, parts.filter { $0.role == .scan }.map(\.name).joined(separator: ", "))])
        }
        let documents = parts.filter { $0.role == .other || $0.role == .signature }
        if documents.contains(where: { looksLikeDocument($0.name) }) {
            return .reject([Finding(.signatureMissing, documents.map(\.name).joined(separator: ", "))])
        }
        return .reject([Finding(.unsupportedFile, parts.map(\.name).joined(separator: ", "))])
    }

    /// What a submission without a decision yet is missing: the same order
    /// as the rejections after the window, so the notice announces the
    /// reason the receipt would give.
    static func awaited(_ parts: [SubmissionPart], hasElectronic: Bool, hasScan: Bool) -> WaitReason {
        if hasElectronic { return .scan(electronic: parts.filter { $0.role == .electronic }.map(\.name)) }
        if hasScan { return .electronicVersion(scans: parts.filter { $0.role == .scan }.map(\.name)) }
        return .signedDocument(files: parts.map(\.name))
    }

    /// The rule applies from its effective date for the sender's level, in the
    /// province's calendar.
    public static func ruleInForce(for unit: Unit, at date: Date, policy: DecisionPolicy) -> Bool {
        guard let effective = policy.effective[unit.level] else { return true }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = policy.timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        let day = CivilDate(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0)
        return day >= effective
    }

    /// A unit whose registry row names a signer must have at least one valid
    /// signature whose certificate subject contains that text.
    static func signerBinding(unit: Unit, electronic: [SubmissionPart]) -> Finding? {
        let required = unit.signer.trimmingCharacters(in: .whitespaces)
        guard !required.isEmpty, !electronic.isEmpty else { return nil }
        let needle = required.precomposedStringWithCanonicalMapping.lowercased()
        let subjects = electronic.compactMap(\.validation).flatMap(\.signatures).filter(\.valid).map(\.subject)
        if subjects.contains(where: { $0.precomposedStringWithCanonicalMapping.lowercased().contains(needle) }) {
            return nil
        }
        return SignerBindingDetail(required: required, signers: subjects).finding
    }

    static func looksLikeDocument(_ name: String) -> Bool {
        let ext = (name as NSString).pathExtension.lowercased()
        return ["doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "xml", "txt", "p7s"].contains(ext)
    }
}
