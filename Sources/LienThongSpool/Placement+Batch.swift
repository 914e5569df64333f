import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Placement of many decided submissions with shared barriers (see
/// `SyncBatch`): a burst of N decisions costs a handful of journal commits,
/// not N times a dozen. The order of what becomes durable is the same as for
/// one submission:
///
/// 1. `receipt.json` and `validation.json` durable inside each queue folder;
/// 2. each queue folder renamed whole into the archive, durable;
/// 3. the office copies: marker first, then the files (each whole, fsynced
///    before it gets its name);
/// 4. the text receipts, then the JSON receipts: a JSON receipt in a unit's
///    folder means everything before it is on disk.
///
/// Every phase is idempotent; a crash anywhere is finished by running
/// `placeAll` again (Recovery does).
extension Placement {
    /// Places every plan; returns the JSON receipt path of each, in order.
    /// Throws on the first step that cannot be made durable: nothing then
    /// counts as placed (the caller keeps the submissions `decided`), and a
    /// later run takes up from where the folders are.
    @discardableResult
    public func placeAll(_ plans: [Plan]) throws -> [String] {
        let batch = SyncBatch()
        defer { batch.abandon() }
        let moving = try writeReportsBesideFiles(plans, batch: batch)
        // 2. Into the archive, whole.
        for plan in moving { try batch.move(layout.queued(plan.submission), to: plan.archiveDir) }
        try batch.syncDirectories()
        try makeOfficeCopies(plans, batch: batch)
        return try writeReceipts(plans, batch: batch)
    }

    /// 1. Receipt and report beside the files, wherever the folder is now.
    /// Returns the plans whose folder is still in the queue.
    private func writeReportsBesideFiles(_ plans: [Plan], batch: SyncBatch) throws -> [Plan] {
        var moving: [Plan] = []
        for plan in plans {
            let queued = layout.queued(plan.submission)
            let home: String
            if DurableFS.exists(queued) {
                try Self.clearEmptyArchiveFolder(plan.archiveDir)
                home = queued
                moving.append(plan)
            } else if DurableFS.exists(plan.archiveDir) {
                home = plan.archiveDir  // moved already; the receipt may not be there yet
            } else {
                throw SpoolError("find submission folder (neither queued nor archived)", queued, errno: ENOENT)
            }
            try batch.stage(home + "/receipt.json", text: plan.receiptJSON)
            try batch.stage(home + "/validation.json", text: plan.report)
        }
        try batch.publishStaged()
        for plan in moving { try batch.makeDirectories((plan.archiveDir as NSString).deletingLastPathComponent) }
        try batch.syncDirectories()
        return moving
    }

    /// 3. The clerks' copies (own inodes, never links to the archive). A
    /// link planted where a copy's folder should be skips that copy.
    private func makeOfficeCopies(_ plans: [Plan], batch: SyncBatch) throws {
        var folders: [String: String] = [:]
        var reserved: Set<String> = []
        for plan in plans where plan.officeCopy {
            do {
                folders[plan.submission] = try officeFolder(plan, batch: batch, reserved: &reserved)
            } catch let e as SpoolError where e.plantedSymlink != nil {
                refusedOfficeCopy(plan.submission, e)
            }
        }
        try batch.publishStaged()
        try batch.syncDirectories()
        for plan in plans where plan.officeCopy {
            guard let folder = folders[plan.submission] else { continue }
            let source = plan.archiveDir + "/files"
            for relative in try SpoolTree.regularFiles(under: source) {
                let target = folder + "/" + relative
                if DurableFS.exists(target) { continue }
                do {
                    try batch.makeDirectories((target as NSString).deletingLastPathComponent)
                    try batch.stageCopy(from: source + "/" + relative, to: target)
                } catch let e as SpoolError where e.plantedSymlink != nil {
                    // A link planted inside the copy since its folder was made.
                    refusedOfficeCopy(plan.submission, e)
                    break
                }
            }
        }
        try batch.publishStaged()
        try batch.syncDirectories()
    }

    /// 4. Receipts: every text, then the pending notices they replace, then
    /// every JSON, so a program that sees a receipt's JSON sees no notice. The
    /// removal is durable before the caller marks the submission placed; a
    /// restart files a decided submission again and so finishes it.
    private func writeReceipts(_ plans: [Plan], batch: SyncBatch) throws -> [String] {
        var stems: [String] = []
        var taken: Set<String> = []
        for plan in plans {
            let stem = try receiptStem(plan, batch: batch, taken: &taken)
            stems.append(stem)
            try batch.stage(stem + ".txt", text: plan.receiptText)
        }
        try batch.publishStaged()
        try batch.syncDirectories()
        let notices = PendingNoticeFiles(layout: layout)
        for plan in plans {
            if let dir = try notices.removeUnsynced(unit: plan.unit, key: plan.key, submission: plan.submission) { batch.note(dir) }
        }
        for (plan, stem) in zip(plans, stems) { try batch.stage(stem + ".json", text: plan.receiptJSON) }
        try batch.publishStaged()
        try batch.syncDirectories()
        return stems.map { $0 + ".json" }
    }

    /// An archive folder left empty (made by hand or by an interrupted
    /// restore) must not block the rename of the queue folder into its place.
    /// A non-empty one is never touched: that needs a person.
    static func clearEmptyArchiveFolder(_ dir: String) throws {
        guard DurableFS.exists(dir) else { return }
        if (try? TrustedPath.names(dir))?.isEmpty == true, TrustedPath.unlink(dir, folder: true) { return }
        throw SpoolError("archive folder already exists while the submission is still queued; move one of them aside", dir, errno: EEXIST)
    }

    /// `office/inbox/<unit>/<key>/`, or `<key> (2)/`… when an earlier
    /// submission's copy holds the name. The marker that names the submission
    /// is staged; folders chosen earlier in the same batch are not reused.
    func officeFolder(_ plan: Plan, batch: SyncBatch, reserved: inout Set<String>) throws -> String {
        let base = layout.officeInbox(plan.unit)
        try batch.makeDirectories(base)
        var n = 1
        while true {
            let folder = base + "/" + Self.name(plan.key, n == 1 ? "" : " (\(n))")
            n += 1
            if reserved.contains(folder) { continue }
            let marker = folder + "/.lienthong-submission"
            if !DurableFS.exists(folder) {
                try batch.makeDirectories(folder)
                try batch.stage(marker, text: plan.submission + "\n")
            } else if let bytes = TrustedPath.read(marker) {
                let owner = String(decoding: bytes, as: UTF8.self)
                guard owner.trimmingCharacters(in: .whitespacesAndNewlines) == plan.submission else { continue }
            } else if !DurableFS.exists(marker), (try? TrustedPath.names(folder))?.isEmpty == true {
                // An empty folder left by a crash between mkdir and the marker.
                try batch.stage(marker, text: plan.submission + "\n")
            } else {
                continue
            }
            reserved.insert(folder)
            return folder
        }
    }

    /// `<key>.<verdict>` in the unit's `receipts/` (the path without its
    /// extension), or `<key> (2).<verdict>`… when an earlier submission's
    /// receipt holds the name. A JSON receipt with exactly this plan's bytes
    /// is this plan's own (a redo).
    func receiptStem(_ plan: Plan, batch: SyncBatch, taken: inout Set<String>) throws -> String {
        let dir = layout.receipts(plan.unit)
        try batch.makeDirectories(dir)
        var n = 1
        while true {
            let stem = dir + "/" + Self.name(plan.key, (n == 1 ? "" : " (\(n))") + "." + plan.verdict.rawValue, reserving: ".json")
            n += 1
            if taken.contains(stem) { continue }
            let json = stem + ".json"
            if !DurableFS.exists(json) || TrustedPath.read(json).map({ String(decoding: $0, as: UTF8.self) }) == plan.receiptJSON {
                taken.insert(stem)
                return stem
            }
        }
    }
}
