import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// The pending notice of a waiting submission (SPEC §6): written the first
/// time the rule says "wait" for a reason the sender can act on, and again
/// only when the reason or the deadline changes. Placement removes it when
/// the decision's receipt is filed (`PendingNoticeFiles`).
extension DecideStage {
    func noticePending(_ sub: OpenSubmission, assessment a: Assessment, unit: LienThongCore.Unit, until: Date, reason: WaitReason) {
        guard reason.tellsSender, sub.outboundGroup == nil else { return }
        if let told = sub.noticed, told.reason == reason, told.until == until { return }
        let language = settings.config.language
        let notice = PendingNotice(
            submission: sub.id, unit: unit.id, unitName: unit.name, officeName: settings.officeUnit.name, key: sub.key,
            document: a.document, type: a.type, reason: reason, receivedAt: sub.firstArrival, until: until,
            rule: settings.config.rule.citation)
        // A batch in flight filing a submission of this key removes the
        // key's notice: it goes first, so it cannot remove this one.
        file.waitForFiling(unit: sub.unit, key: sub.key, now: Date())
        do {
            try PendingNoticeFiles(layout: settings.layout).write(
                unit: unit.id, key: sub.key,
                json: notice.json(language: language, timeZone: settings.timeZone).serialized(),
                text: notice.file(language: language, timeZone: settings.timeZone))
            sub.noticed = (reason, until)
        } catch {
            // The notice is a courtesy: failing to write it (disk full) must
            // not hold the submission up. It is tried again next time round.
            log.log(.warning, "submission \(sub.id): could not write its pending notice: \(error)",
                    fields: [(JournalField.submission, sub.id), (JournalField.unit, sub.unit)])
        }
    }
}
