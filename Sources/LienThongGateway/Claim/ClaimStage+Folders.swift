import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// Folders claimed whole, and the settling of claims a crash interrupted.
extension ClaimStage {
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
        try ledger.addFile(submission: id, name: Self.folderMarker, source: source, at: now)
        do {
            try DurableFS.move(source, to: settings.layout.queuedFiles(id))
        } catch let error as SpoolError where error.renameDone {
            log.log(.error, "claimed \(source) but could not make the move durable: \(error); will sync again before deciding",
                    fields: [(JournalField.submission, id)])
            open[id] = sub
            return sub
        } catch {
            try? ledger.forgetFile(submission: id, name: Self.folderMarker)
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
        let source = rows.first { FileName($0.name) == FileName(Self.folderMarker) }?.source ?? ""
        let root = settings.layout.queuedFiles(sub.id)
        let fresh = try SpoolTree.entries(under: root).filter { !known.contains(FileName($0.path)) }
        try seal(sub, fresh.map { root + "/" + $0.path })
        try ledger.batch {
            for entry in fresh {
                try ledger.addFile(submission: sub.id, name: entry.path, source: source + "/" + entry.path, at: at)
                try ledger.markClaimed(submission: sub.id, name: entry.path, at: at)
            }
            try ledger.forgetFile(submission: sub.id, name: Self.folderMarker)
        }
    }

    /// Claim intents not yet marked claimed (a crash, a failed fsync or seal
    /// after the rename): fsync the folders, seal what arrived, and settle
    /// each intent — claimed when its file is in the queue, forgotten when
    /// the rename never happened. Runs before anything of the submission is
    /// decided, and at start (Recovery). Returns how many files the ledger
    /// holds for the submission once its intents are settled.
    @discardableResult
    func settleIntents(_ sub: OpenSubmission, now: Date) throws -> Int {
        // Nearly always nothing to settle: two counts, no rows read.
        let counts = try ledger.fileCounts(of: sub.id)
        guard counts.unclaimed > 0 else { return counts.files }
        let rows = try ledger.files(of: sub.id).filter { !$0.claimed }
        let files = settings.layout.queuedFiles(sub.id)
        if DurableFS.exists(files) {
            try DurableFS.syncDirectory(files)
            try DurableFS.syncDirectory(settings.layout.queued(sub.id))
        }
        try DurableFS.syncDirectory(settings.layout.queue)
        // Each source folder once, told apart by bytes: a Set of Strings
        // took an NFD twin of a group folder for the other and left it unsynced.
        var sources: Set<FileName> = []
        for row in rows {
            let source = TrustedPath.parent(of: row.source)
            guard sources.insert(FileName(source)).inserted, DurableFS.exists(source) else { continue }
            try DurableFS.syncDirectory(source)
        }
        if rows.contains(where: { FileName($0.name) == FileName(Self.folderMarker) }) {
            if DurableFS.exists(files) {
                try adoptFolderContents(sub, at: now)
            } else {
                try ledger.forgetFile(submission: sub.id, name: Self.folderMarker)
            }
        }
        let loose = rows.filter { FileName($0.name) != FileName(Self.folderMarker) }
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
        return try ledger.fileCounts(of: sub.id).files
    }
}
