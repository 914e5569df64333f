import Foundation
import LienThongCore
import LienThongSystemd

/// Submissions that wait for revocation data the gateway lacks (SPEC §5):
/// never decided on stale or missing CRLs, validated again when the trust is
/// reloaded (fetch-crls asks for that) and every `revocationRecheck` by
/// themselves, held for an operator once their pairing window has passed.
extension DecideStage {
    /// Also looked at again by itself this often: a CRL whose thisUpdate was
    /// still ahead becomes current with time alone.
    static let revocationRecheck: Double = 900

    func awaitRevocationData(_ sub: OpenSubmission, reasons: [String], windowPassed: Bool, now: Date) {
        let fields = [(JournalField.messageID, MessageID.revocationWait), (JournalField.submission, sub.id),
                      (JournalField.unit, sub.unit), (JournalField.key, sub.key)]
        if sub.revocationWait != reasons {
            log.log(.warning, "submission \(sub.id) of \(sub.unit) is not decided, \(reasons.joined(separator: "; ")); "
                + "it is decided when current CRLs arrive (lienthongctl fetch-crls)", fields: fields)
        }
        sub.revocationWait = reasons
        // Validations that lacked data are redone on the next look, with the
        // clock and trust of that moment.
        for (name, validation) in sub.validations where !validation.waitingForRevocation.isEmpty { sub.validations[name] = nil }
        guard windowPassed else {
            let windowEnds = sub.firstArrival.addingTimeInterval(settings.config.intake.pairingWindow)
            sub.wakeAt = min(now.addingTimeInterval(Self.revocationRecheck), max(windowEnds, now))
            return
        }
        holdForOperator(sub, now: now)
    }

    /// The window is over and the data still missing: neither rejecting (the
    /// fault is the gateway's) nor accepting unchecked; an operator decides.
    private func holdForOperator(_ sub: OpenSubmission, now: Date) {
        let who = "lienthongd (pairing window passed while waiting for revocation data)"
        do {
            _ = try ledger.setHeld(sub.id, true, by: who, at: now)
        } catch {
            log.log(.error, "submission \(sub.id): could not record its hold: \(error); will try again in 60 s",
                    fields: [(JournalField.submission, sub.id), (JournalField.unit, sub.unit)])
            sub.wakeAt = now.addingTimeInterval(60)
            return
        }
        sub.held = true
        sub.wakeAt = nil
        log.log(.warning, "submission \(sub.id) of \(sub.unit) held: its pairing window passed while it waited for revocation data "
            + "(\(sub.revocationWait.joined(separator: "; "))); get current CRLs (lienthongctl fetch-crls), then lienthongctl release \(sub.id)",
            fields: [(JournalField.messageID, MessageID.revocationHeld), (JournalField.submission, sub.id),
                     (JournalField.unit, sub.unit), (JournalField.key, sub.key)])
    }

    /// A reload brought a new trust store (anchors, CRLs): every open
    /// submission's validations are dropped and done again now, and those
    /// under way on the workers will not be taken.
    func trustReloaded(now: Date) {
        assess.workers.trustChanged()
        for sub in open.values {
            sub.validations = [:]
            if !sub.held { sub.wakeAt = now }
        }
    }

    /// What revocation data the electronic parts lack, when nothing else is
    /// wrong with any part (a part's own fault is decided at once).
    static func revocationLacking(_ parts: [SubmissionPart]) -> [String] {
        guard parts.allSatisfy({ $0.problem == nil }) else { return [] }
        let electronic = parts.filter { $0.role == .electronic }
        guard electronic.allSatisfy({ $0.validation.map { $0.isValid || !$0.waitingForRevocation.isEmpty } ?? false }) else { return [] }
        return electronic.flatMap { part in (part.validation?.waitingForRevocation ?? []).map { "\(part.name): \($0)" } }
    }

    /// Open submissions waiting for revocation data right now (STATUS).
    var revocationWaitingCount: Int { open.values.filter { !$0.revocationWait.isEmpty && !$0.held }.count }
}
