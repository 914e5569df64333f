import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Claims complete entries out of outboxes into `queue/<id>/files/`, and
/// finds or opens the submission each belongs to (SPEC §3).
extension Pipeline {
    /// Takes one settled top-level entry of an outbox. Returns the submission
    /// it joined, or nil when nothing was claimed.
    @discardableResult
    func claim(root: String, name: String, now: Date) -> OpenSubmission? {
        if let group = settings.officeAddress(forOutbox: root) { return claimOutbound(root: root, group: group, name: name, now: now) }
        guard let unit = settings.unit(forOutbox: root) else { return nil }
        let source = root + "/" + name
        var st = stat()
        guard lstat(source, &st) == 0 else { return nil }
        if settings.ignore.matches(name) { return nil }
        do {
            if (st.st_mode & S_IFMT) == S_IFDIR {
                return try claimFolder(unit: unit, name: name, source: source, now: now)
            }
            // A loose file takes the one claim path, as a batch of one.
            return claimFiles([(unit, name, source, nil)], now: now).first
        } catch let error as SpoolError where error.code == ENOENT {
            return nil  // the sender took it back before we could claim it
        } catch {
            log.log(.error, "could not claim \(source): \(error); will retry", fields: [(JournalField.unit, unit.id)])
            retryLater.insert(FileName(source))
            return nil
        }
    }

    /// Seals claimed files of one submission, staging in its queue folder.
    func seal(_ sub: OpenSubmission, _ paths: [String]) throws {
        let staging = settings.layout.queued(sub.id)
        try EvidenceSeal.seal(paths.map { ($0, staging) }, maxSize: Int64(settings.config.intake.maxFileSize))
    }

    /// Claim intents not yet marked claimed (a crash, a failed fsync or seal
    /// after the rename): fsync the folders, seal what arrived, and settle
    /// each intent — claimed when its file is in the queue, forgotten when
    /// the rename never happened. Runs before anything of the submission is
    /// decided, and at start (Recovery).
    func settleIntents(_ sub: OpenSubmission, now: Date) throws {
        let rows = try ledger.files(of: sub.id).filter { !$0.claimed }
        guard !rows.isEmpty else { return }
        let files = settings.layout.queuedFiles(sub.id)
        if DurableFS.exists(files) {
            try DurableFS.syncDirectory(files)
            try DurableFS.syncDirectory(settings.layout.queued(sub.id))
        }
        try DurableFS.syncDirectory(settings.layout.queue)
        for source in Set(rows.map { ($0.source as NSString).deletingLastPathComponent }) where DurableFS.exists(source) {
            try DurableFS.syncDirectory(source)
        }
        if rows.contains(where: { FileName($0.name) == FileName(Pipeline.folderMarker) }) {
            if DurableFS.exists(files) {
                try adoptFolderContents(sub, at: now)
            } else {
                try ledger.forgetFile(submission: sub.id, name: Pipeline.folderMarker)
            }
        }
        let loose = rows.filter { FileName($0.name) != FileName(Pipeline.folderMarker) }
        let arrived = loose.filter { DurableFS.exists(files + "/" + $0.name) }
        try seal(sub, arrived.map { files + "/" + $0.name })
        try ledger.batch {
            for row in loose {
                if DurableFS.exists(files + "/" + row.name) {
                    try ledger.markClaimed(submission: sub.id, name: row.name, at: now)
                } else {
                    try ledger.forgetFile(submission: sub.id, name: row.name)
                }
            }
        }
    }

    /// A folder dropped into an outbox is one submission whose key is its name;
    /// it is claimed whole with one rename.
    private func claimFolder(unit: LienThongCore.Unit, name: String, source: String, now: Date) throws -> OpenSubmission {
        let key = SubmissionKey.key(forFolderName: name)
        return try claimWholeFolder(unit: unit.id, key: key, pairing: SubmissionPairing(.folder(key)), outboundGroup: nil, source: source, now: now)
    }

    /// Claims a dropped folder as one new submission (inbound, or the
    /// office's own when `outboundGroup` is set): the intent in the ledger,
    /// one rename into the queue, then its entries sealed and recorded; only
    /// a failed rename takes the submission back.
    func claimWholeFolder(unit: String, key: String, pairing: SubmissionPairing, outboundGroup: String?, source: String, now: Date) throws -> OpenSubmission {
        let id = try ledger.newSubmissionID(now: now, timeZone: settings.timeZone)
        try ledger.createSubmission(id: id, unit: unit, key: key, pairing: pairing, isFolder: true, at: now)
        let sub = OpenSubmission(id: id, unit: unit, key: key, isFolder: true, identities: [], firstArrival: now, lastArrival: now)
        sub.outboundGroup = outboundGroup
        try DurableFS.makeDirectories(settings.layout.queued(id))
        try ledger.addFile(submission: id, name: Pipeline.folderMarker, source: source, at: now)
        do {
            try DurableFS.move(source, to: settings.layout.queuedFiles(id))
        } catch let error as SpoolError where error.renameDone {
            log.log(.error, "claimed \(source) but could not make the move durable: \(error); will sync again before deciding",
                    fields: [(JournalField.submission, id)])
            open[id] = sub
            return sub
        } catch {
            try? ledger.forgetFile(submission: id, name: Pipeline.folderMarker)
            dropOpen(sub, now: now)
            throw error
        }
        open[id] = sub
        do {
            try adoptFolderContents(sub, at: now)
        } catch {
            log.log(.error, "submission \(id): could not record the folder's files: \(error); will try again before deciding",
                    fields: [(JournalField.submission, id)])
        }
        return sub
    }

    /// Seals and records each entry of a claimed folder in the ledger, then
    /// removes the folder's intent row.
    func adoptFolderContents(_ sub: OpenSubmission, at: Date) throws {
        repairNames(inClaimed: sub.id)
        let rows = try ledger.files(of: sub.id)
        let known = Set(rows.map { FileName($0.name) })
        let source = rows.first { FileName($0.name) == FileName(Pipeline.folderMarker) }?.source ?? ""
        let root = settings.layout.queuedFiles(sub.id)
        let fresh = try SpoolTree.entries(under: root).filter { !known.contains(FileName($0.path)) }
        try seal(sub, fresh.map { root + "/" + $0.path })
        try ledger.batch {
            for entry in fresh {
                try ledger.addFile(submission: sub.id, name: entry.path, source: source + "/" + entry.path, at: at)
                try ledger.markClaimed(submission: sub.id, name: entry.path, at: at)
            }
            try ledger.forgetFile(submission: sub.id, name: Pipeline.folderMarker)
        }
    }

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
        withdrawPendingNotice(sub)
        try? ledger.dropEmptySubmission(sub.id, at: now)
        TrustedPath.unlink(settings.layout.queuedFiles(sub.id), folder: true)
        TrustedPath.unlink(settings.layout.queued(sub.id), folder: true)
        open[sub.id] = nil
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
