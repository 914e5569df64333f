import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Documents the office issues (SPEC §7): claimed from `office/outbox/` (or a
/// group folder there) like inbound ones, validated, classified, filed, and
/// then fanned out (Deliver/DeliverStage.swift) or put aside for paper.
/// Outbound submissions live in the same ledger table with `unit` = the
/// office and a pairing that names the group folder (SubmissionPairing).
extension DecideStage {
    // MARK: decide

    func evaluateOutbound(_ sub: OpenSubmission, now: Date) {
        // A file of the same key still in the drop folder (settling, or
        // settled and about to be claimed in this very tick) is arriving.
        let arriving = isAwaitingMoreFiles(sub) || hasUnclaimedOutboundTwin(sub)
        if let until = OutboundDecision.waitUntil(arriving ? .twinArriving : nil, firstArrival: sub.firstArrival, now: now, policy: settings.policy) {
            sub.wakeAt = until
            return
        }
        let windowEnd = sub.firstArrival.addingTimeInterval(settings.config.intake.pairingWindow)
        do {
            let a = try assess.assess(sub, now: now)
            if a.validating {
                sub.wakeAt = nil  // woken when its files are read and validated
                return
            }
            if a.stillArriving {
                // Written to after it was claimed: read again once it is quiet.
                sub.wakeAt = now.addingTimeInterval(max(settings.config.intake.settle, 1))
                return
            }
            if a.parts.isEmpty {
                claim.dropOpen(sub, now: now)
                return
            }
            let manifestOnly = a.parts.allSatisfy { $0.role == .manifest }
            if let until = OutboundDecision.waitUntil(manifestOnly ? .manifestOnly : nil, firstArrival: sub.firstArrival, now: now,
                                                      policy: settings.policy) {
                sub.wakeAt = until
                return
            }
            let manifest = a.manifest ?? Manifest()
            var findings: [Finding] = []
            if a.manifestUnreadable, let part = a.parts.first(where: { $0.role == .manifest }) {
                findings.append(Finding(.unsupportedFile, settings.detail(.manifestUnreadable(name: part.name))))
            }
            let group = sub.outboundGroup ?? ""
            let requested = manifest.recipients + (group.isEmpty ? [] : [group])
            // Groups resolve to the units active on the decision day (SPEC §8).
            let resolution = settings.recipientResolver.resolve(requested, on: CivilDate(now, in: settings.timeZone))
            // The office's own documents wait for revocation data like inbound ones.
            let lacking = Self.revocationLacking(a.parts)
            if !lacking.isEmpty && findings.isEmpty {
                awaitRevocationData(sub, reasons: lacking, windowPassed: now >= windowEnd, now: now)
                return
            }
            sub.revocationWait = []
            var outcome = OutboundDecision.decide(
                parts: a.parts, office: settings.officeUnit, type: a.type, subject: a.subject, recipients: resolution,
                electronicOnly: settings.policy.electronicOnly, language: settings.config.language)
            if !findings.isEmpty {
                if case .reject(let r) = outcome { outcome = .reject(findings + r) } else { outcome = .reject(findings) }
            }
            try finalizeOutbound(sub, a, outcome: outcome, manifest: manifest, requested: requested, resolution: resolution, now: now)
        } catch {
            log.log(.error, "outbound submission \(sub.id): \(error); will retry in 5 s",
                    fields: [(JournalField.submission, sub.id), (JournalField.unit, sub.unit)])
            sub.wakeAt = now.addingTimeInterval(5)
        }
    }

    /// A top-level file in the submission's drop folder that would join it.
    private func hasUnclaimedOutboundTwin(_ sub: OpenSubmission) -> Bool {
        guard !sub.isFolder, let group = sub.outboundGroup,
              let names = try? TrustedPath.names(settings.officeOutbox(forAddress: group))
        else { return false }
        return names.contains { name in
            !name.hasPrefix(".") && !settings.ignore.matches(name)
                && Pairing.pairs(Pairing.keys(forFileName: name), sub.identities)
        }
    }

    private func finalizeOutbound(
        _ sub: OpenSubmission, _ a: Assessment, outcome: OutboundOutcome, manifest: Manifest, requested: [String],
        resolution: RecipientResolver.Resolution, now: Date
    ) throws {
        for part in a.parts {
            try ledger.recordFacts(submission: sub.id, name: part.name, size: part.size, sha256: part.sha256, role: part.role)
        }
        var reasons: [Finding] = []
        var warnings: [String] = []
        var disposition: String?
        switch outcome {
        case .reject(let r): reasons = r
        case .paper: disposition = "paper"
        case .fanOut: disposition = "fan-out"
        }
        if !resolution.unknown.isEmpty {
            warnings.append(DecisionWarning.unknownRecipients(resolution.unknown).text(settings.config.language))
        }
        let accepted = disposition != nil
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let ym = calendar.dateComponents([.year, .month], from: now)
        let shelf: SpoolLayout.Shelf = a.quarantine ? .quarantine : (accepted ? .accepted : .rejected)
        let archiveDir = settings.layout.archive(shelf, submission: sub.id, year: ym.year ?? 0, month: ym.month ?? 0)
        let office = settings.officeUnit
        let language = settings.config.language
        let tz = settings.timeZone
        let r = Receipt(
            submission: sub.id, unit: office.id, unitName: office.name, key: sub.key, document: a.document, type: a.type,
            accepted: accepted, reasons: reasons, warnings: warnings, arrivalNumber: nil,
            files: a.parts.map { .init(name: $0.name, role: $0.role, size: $0.size, sha256: $0.sha256) },
            signatures: a.parts.compactMap(\.validation).flatMap(\.signatures),
            receivedAt: sub.firstArrival, decidedAt: now, rule: settings.config.rule.citation)
        let facts = OutboundReceipt.Facts(
            group: sub.outboundGroup ?? "", electronicOnly: settings.policy.electronicOnly.covers(a.type, subject: a.subject),
            disposition: disposition, requested: requested, unknown: resolution.unknown, subject: manifest.subject,
            emptyGroups: resolution.emptyGroups, inactive: resolution.inactive)
        let codes = Array(Set(reasons.map(\.code))).sorted()
        try ledger.decide(
            submission: sub.id, accepted: accepted, numbered: false, year: ym.year ?? 0, reasons: codes, placement: archiveDir, at: now
        ) { _ in
            if case .fanOut(let units) = outcome {
                try ledger.planDeliveriesInDecision(submission: sub.id, recipients: units, at: now)
            }
            return (OutboundReceipt.baseJSON(r, facts, language: language, timeZone: tz),
                    OutboundReceipt.baseText(r, facts, language: language, timeZone: tz),
                    ValidationReport.render(submission: sub.id, parts: a.parts, settings: settings, decidedAt: now))
        }
        open[sub.id] = nil
        guard let record = try ledger.submission(sub.id) else { return }
        try file.placeOutbound(record, now: now)
        logOutbound(r, outcome: outcome, shelf: shelf, recipients: resolution)
        logRecipientGaps(r, recipients: resolution)
    }

    private func logOutbound(_ r: Receipt, outcome: OutboundOutcome, shelf: SpoolLayout.Shelf, recipients: RecipientResolver.Resolution) {
        let codes = r.reasons.map(\.code.rawValue)
        let fields: [(String, String)] = [
            (JournalField.messageID, r.accepted ? MessageID.accepted : (shelf == .quarantine ? MessageID.quarantined : MessageID.rejected)),
            (JournalField.submission, r.submission), (JournalField.unit, r.unit), (JournalField.key, r.key),
            (JournalField.verdict, r.verdict.rawValue), (JournalField.reason, codes.joined(separator: ",")),
        ]
        let what = r.document.map { "\($0.display) (\(r.key))" } ?? r.key
        switch outcome {
        case .fanOut(let units):
            log.log(.notice, "outbound \(what) accepted for fan-out to \(units.count) recipients", fields: fields)
        case .paper:
            log.log(.notice, "outbound \(what) accepted; its type still needs paper: filed in office/paper/", fields: fields)
        case .reject:
            log.log(.warning, "outbound \(what) rejected: \(Array(Set(codes)).sorted().joined(separator: ", ")); delivered nowhere", fields: fields)
        }
        if !recipients.unknown.isEmpty {
            log.log(.warning, "outbound \(what): unknown recipients, nothing delivered to them: \(recipients.unknown.joined(separator: ", "))",
                    fields: [(JournalField.submission, r.submission), (JournalField.unit, r.unit), (JournalField.key, r.key)])
        }
    }
}
