import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// Opening, reopening and dropping the submissions claimed files join.
extension ClaimStage {
    /// The open submission of this unit that shares the key or the document
    /// number, or a new one.
    func openSubmission(unit: String, key: String, identities: Set<PairingKey>, isFolder: Bool, outboundGroup: String? = nil,
                        now: Date) throws -> OpenSubmission {
        if let match = open.inUnit(unit)
            .filter({ $0.unit == unit && !$0.isFolder && $0.outboundGroup == outboundGroup && Pairing.pairs($0.identities, identities) })
            .min(by: { $0.firstArrival < $1.firstArrival })
        {
            return match
        }
        let id = try ledger.newSubmissionID(now: now, timeZone: settings.timeZone)
        // The office's own files pair by their name key within their group folder.
        let pairing = outboundGroup.map { SubmissionPairing(.name(key), outboundGroup: $0) } ?? Pairing.recorded(identities, key: key)
        try ledger.createSubmission(id: id, unit: unit, key: key, pairing: pairing, isFolder: false, at: now)
        let sub = OpenSubmission(id: id, unit: unit, key: key, isFolder: false, identities: identities, firstArrival: now, lastArrival: now)
        sub.outboundGroup = outboundGroup
        open[id] = sub
        return sub
    }

    /// Forgets a submission that holds nothing. Only empty folders are
    /// removed: nothing here ever deletes recursively what may hold a
    /// dropped file (a stray file keeps its folder; Recovery quarantines it).
    func dropOpen(_ sub: OpenSubmission, now: Date) {
        // A waiting submission that vanished (its files taken back) leaves no notice.
        beforeNoticeChange(sub.unit, sub.key)
        try? PendingNoticeFiles(layout: settings.layout).remove(unit: sub.unit, key: sub.key, submission: sub.id)
        try? ledger.dropEmptySubmission(sub.id, at: now)
        TrustedPath.unlink(settings.layout.queuedFiles(sub.id), folder: true)
        TrustedPath.unlink(settings.layout.queued(sub.id), folder: true)
        open[sub.id] = nil
    }

    /// A submission the ledger holds as gathering, opened again at start
    /// (Recovery) once its claim intents are settled; nil when it holds
    /// nothing and was dropped.
    @discardableResult
    func reopen(_ record: Ledger.SubmissionRecord, now: Date) throws -> OpenSubmission? {
        let sub = OpenSubmission(
            id: record.id, unit: record.unit, key: record.key, isFolder: record.isFolder, identities: [],
            firstArrival: record.firstArrival, lastArrival: record.lastArrival)
        sub.outboundGroup = record.pairing.outboundGroup
        try settleIntents(sub, now: now)
        let files = try ledger.files(of: record.id)
        if files.isEmpty {
            dropOpen(sub, now: now)
            return nil
        }
        if !record.isFolder {
            for file in files {
                // The name it was dropped under: a numbered queue name
                // (`X (2).docx`) would pair with nothing.
                let base = (file.source as NSString).lastPathComponent
                sub.identities.formUnion(Pairing.keys(forFileName: base))
            }
        }
        sub.wakeAt = now
        sub.held = try ledger.isHeld(record.id)
        open[sub.id] = sub
        return sub
    }

    /// `name`, or `name (2).ext`… (the number before the whole compound
    /// extension, the name cut to 255 bytes) when that name is queued
    /// already or was chosen earlier in the same batch: never overwrite.
    /// Names compare by their bytes: an NFD name is not taken by its NFC twin.
    func uniqueName(_ name: String, in dir: String, avoiding reserved: Set<FileName>) -> String {
        func free(_ candidate: String) -> Bool {
            !reserved.contains(FileName(dir + "/" + candidate)) && !DurableFS.exists(dir + "/" + candidate)
        }
        if free(name) { return name }
        var n = 2
        while true {
            let candidate = NumberedName.numbered(name, n)
            if free(candidate) { return candidate }
            n += 1
        }
    }
}
