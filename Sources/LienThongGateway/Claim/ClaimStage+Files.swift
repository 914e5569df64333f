import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Loose files are claimed in groups (group commit): every file that settled
/// in one loop turn with one ledger transaction for the intents, the
/// renames, one fsync per touched folder and the seal, and one transaction
/// marking them claimed. The order per file is that of one file.
extension ClaimStage {
    private struct Intent {
        let sub: OpenSubmission
        let target: String
        let source: String
        let identities: Set<PairingKey>
    }

    /// The one claim path of loose files (a single file is a batch of one):
    /// intents in one transaction, the renames, one fsync per touched folder
    /// and the seal, then the claims marked in one transaction.
    func claimFiles(_ files: [LooseFile], now: Date) -> [OpenSubmission] {
        // Each outbox opened once a turn, not once a file (`FolderHold`).
        TrustedPath.holdingFolders { claimHeld(files, now: now) }
    }

    private func claimHeld(_ files: [LooseFile], now: Date) -> [OpenSubmission] {
        guard let intents = recordIntents(files, now: now) else { return [] }
        afterIntents()
        clock.claimBatches += 1
        clock.claimedFiles += files.count
        let batch = SyncBatch()
        let (moved, undone) = renameIntoQueue(intents, batch: batch)
        let durable = makeDurableAndSeal(moved, batch: batch)
        do {
            // An intent left open by a crash is settled again at start.
            try ledger.batchOfMarks {
                if durable { for i in moved { try ledger.markClaimed(submission: i.sub.id, name: i.target, at: now) } }
                for i in undone { try ledger.forgetFile(submission: i.sub.id, name: i.target) }
            }
        } catch {
            log.log(.error, "could not mark \(moved.count) claims in the ledger: \(error); they are settled before deciding", fields: [])
        }
        for i in moved {
            i.sub.identities.formUnion(i.identities)
            i.sub.lastArrival = now
        }
        let kept = Set(moved.map(\.sub.id))
        for sub in Set(undone.map(\.sub.id)).subtracting(kept).compactMap({ open[$0] }) {
            if (try? ledger.files(of: sub.id))?.isEmpty ?? false { dropOpen(sub, now: now) }
        }
        return moved.map(\.sub)
    }

    /// 1. Each file's submission found or opened and its queue name chosen,
    /// the intents in one transaction. nil when the ledger refused (nothing
    /// claimed; the files are tried again).
    private func recordIntents(_ files: [LooseFile], now: Date) -> [Intent]? {
        var intents: [Intent] = []
        var created: [OpenSubmission] = []
        var reserved: Set<FileName> = []
        do {
            try ledger.batch {
                for f in files {
                    let key = SubmissionKey.key(forFileName: f.name)
                    let identities = Pairing.keys(forKey: key)
                    let before = open.count
                    let sub = try openSubmission(unit: f.unit.id, key: key, identities: identities, isFolder: false,
                                                 outboundGroup: f.outboundGroup, now: now)
                    if open.count > before { created.append(sub) }
                    let dir = settings.layout.queuedFiles(sub.id)
                    let target = uniqueName(f.name, in: dir, avoiding: reserved)
                    reserved.insert(FileName(dir + "/" + target))
                    try ledger.addFile(submission: sub.id, name: target, source: f.source, at: now)
                    intents.append(Intent(sub: sub, target: target, source: f.source, identities: identities))
                }
            }
        } catch {
            for sub in created { open[sub.id] = nil }
            log.log(.error, "could not record the claim of \(files.count) files in the ledger: \(error); nothing was claimed, will retry",
                    fields: [])
            for f in files { retryLater.insert(FileName(f.source)) }
            return nil
        }
        return intents
    }

    /// 2. The renames. A file its sender took back, or one that could not be
    /// moved, is undone (and retried later when that was an error).
    private func renameIntoQueue(_ intents: [Intent], batch: SyncBatch) -> (moved: [Intent], undone: [Intent]) {
        var moved: [Intent] = []
        var undone: [Intent] = []
        // A submission's queue folder made once a batch, not once a file:
        // it is the daemon's own (queue/), nothing else removes it meanwhile.
        var made: Set<String> = []
        for i in intents {
            do {
                if !made.contains(i.sub.id) {
                    try batch.makeDirectories(settings.layout.queuedFiles(i.sub.id))
                    made.insert(i.sub.id)
                }
                try batch.move(i.source, to: settings.layout.queuedFiles(i.sub.id) + "/" + i.target)
                moved.append(i)
            } catch let error as SpoolError where error.code == ENOENT {
                undone.append(i)  // the sender took it back before we could claim it
            } catch {
                log.log(.error, "could not claim \(i.source): \(error); will retry", fields: [(JournalField.unit, i.sub.unit)])
                retryLater.insert(FileName(i.source))
                undone.append(i)
            }
        }
        return (moved, undone)
    }

    /// 3. Each claimed file sealed into a daemon-owned read-only inode
    /// (EvidenceSeal): the copies are written first, so that the barrier that
    /// makes the renames durable (one fsync per touched folder) carries their
    /// data in the same journal commit; then they replace the claimed names,
    /// and their folders are synced. False when any of it failed: the
    /// renames happened but may not survive a crash, or are not sealed yet,
    /// so the intents stay open and are settled (fsync and seal again)
    /// before anything is decided.
    private func makeDurableAndSeal(_ moved: [Intent], batch: SyncBatch) -> Bool {
        do {
            try EvidenceSeal.stage(moved.map { (settings.layout.queuedFiles($0.sub.id) + "/" + $0.target, settings.layout.queued($0.sub.id)) },
                                   maxSize: Int64(settings.config.intake.maxFileSize), in: batch)
            try batch.syncDirectories()
            try batch.publishStaged()
            try batch.syncDirectories()
            return true
        } catch {
            log.log(.error, "claimed \(moved.count) files but could not make it durable: \(error); will sync again before deciding", fields: [])
            return false
        }
    }
}
