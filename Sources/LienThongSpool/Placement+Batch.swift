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
/// 3. the text receipts, then the JSON receipts: a receipt in a unit's
///    folder means the submission's files and reports are in the archive,
///    and a JSON receipt that its text is there too;
/// 4. the office copies: marker first, then the files (each whole, fsynced
///    before it gets its name).
///
/// The sender's receipt comes before the office's copy: it is the answer
/// the sender waits for and rests on the archive alone, while the copy is
/// the office's working file (the receipt does not mention it). Until 3
/// December 2026 the copy came first, and every receipt waited two more
/// rounds for it.
///
/// Every phase is idempotent; a crash anywhere is finished by running
/// `placeAll` again (Recovery does, for every submission still `decided`:
/// one whose receipt is out but whose copy is not is finished the same way).
///
/// Eight barriers per batch, each at least one journal commit: (a) report
/// data, (b) report names and the archive's month folders, (c) the moves,
/// (d) the DATA of every later file — text and JSON receipts, markers,
/// office copies — in one round, then names only: (e) texts, (f) pending
/// notices gone and JSONs, (g) markers, (h) copies. Steps 3 and 4 used to
/// fsync their data each in a round of its own (eleven barriers).
///
/// Why every promise above still holds: a temporary file is hidden and
/// names nothing, so making its data durable early promises nothing; each
/// step's NAMES still become durable in a round of their own, after the
/// round of the step before, in the order listed (the texts before the
/// JSONs, the receipts before the marker, the marker before any copy).
/// The later files are staged only after (c), so nothing of a receipt or
/// copy exists, even hidden, before the files are durable in the archive.
/// A crash after (d) and before (g) can leave an office folder without its
/// marker: its copies wait in its top level under hidden names (subfolders
/// are made only after (g)), which Recovery removes first
/// (`StaleTemporaries`), and an empty folder is taken up again as the
/// submission's own, as after a crash between mkdir and marker.
/// Receipts' temporaries wait in `receipts/`, where they always were.
extension Placement {
    /// Labels of the files staged ahead, published step by step.
    enum Step: Int { case marker = 1, copy, text, json }

    /// Places every plan; returns the JSON receipt path of each, in order.
    /// Throws on the first step that cannot be made durable: nothing then
    /// counts as placed (the caller keeps the submissions `decided`), and a
    /// later run takes up from where the folders are.
    @discardableResult
    public func placeAll(_ plans: [Plan]) throws -> [String] {
        try placeAll(plans, batch: SyncBatch())
    }

    /// `placeAll` with the caller's batch (tests read its barrier counts
    /// and inject a crash after any barrier).
    @discardableResult
    func placeAll(_ plans: [Plan], batch: SyncBatch) throws -> [String] {
        defer { batch.abandon() }
        try placeInArchive(plans, batch: batch)
        return try placeReceiptsAndCopies(plans, batch: batch)
    }

    /// Steps 1 and 2 alone: every plan's reports beside its files and its
    /// folder in the archive, durable (barriers a–c). `placeReceiptsAndCopies`
    /// finishes them, in another batch and on another thread if need be:
    /// it starts from what is on disk, nothing of this batch is left staged.
    public func placeInArchive(_ plans: [Plan]) throws {
        let batch = SyncBatch()
        defer { batch.abandon() }
        try placeInArchive(plans, batch: batch)
    }

    /// Steps 3 and 4 for plans whose step 2 is durable (`placeInArchive`
    /// has returned for them); returns the JSON receipt path of each.
    @discardableResult
    public func placeReceiptsAndCopies(_ plans: [Plan]) throws -> [String] {
        let batch = SyncBatch()
        defer { batch.abandon() }
        return try placeReceiptsAndCopies(plans, batch: batch)
    }

    func placeInArchive(_ plans: [Plan], batch: SyncBatch) throws {
        let moving = try writeReportsBesideFiles(plans, batch: batch)
        // 2. Into the archive, whole.
        for plan in moving { try batch.move(layout.queued(plan.submission), to: plan.archiveDir) }
        try batch.syncDirectories()
    }

    @discardableResult
    func placeReceiptsAndCopies(_ plans: [Plan], batch: SyncBatch) throws -> [String] {
        // The data of steps 3 and 4, durable in one round.
        let copies = try stageOfficeCopies(plans, batch: batch)
        let stems = try stageReceipts(plans, batch: batch)
        try batch.syncStaged()
        try publishReceipts(plans, batch: batch)
        // 4. Markers, then the copies.
        try batch.publishStaged(phase: Step.marker.rawValue)
        try batch.syncDirectories()
        try makeCopySubfolders(copies, batch: batch)
        try batch.publishStaged(phase: Step.copy.rawValue)
        try batch.syncDirectories()
        return stems.map { $0 + ".json" }
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
        for plan in moving { try batch.makeDirectories(TrustedPath.parent(of: plan.archiveDir)) }
        try batch.syncDirectories()
        return moving
    }

    /// A submission's office copy, staged: its folder and the subfolders
    /// its files need (made only once its marker is durable).
    struct OfficeCopy {
        var submission: String
        var folder: String
        var subfolders: [String]
    }

    /// 4, staged: the clerks' copies (own inodes, never links to the
    /// archive) and the marker that names the submission. A link planted
    /// where a copy's folder should be skips that copy.
    private func stageOfficeCopies(_ plans: [Plan], batch: SyncBatch) throws -> [OfficeCopy] {
        var copies: [OfficeCopy] = []
        var reserved: Set<String> = []
        for plan in plans where plan.officeCopy {
            var folder: String?
            do {
                let chosen = try officeFolder(plan, batch: batch, reserved: &reserved)
                folder = chosen
                copies.append(try stageCopies(plan, into: chosen, batch: batch))
            } catch let e as SpoolError where e.plantedSymlink != nil {
                refusedOfficeCopy(plan.submission, e)
                if let folder { batch.discardStaged(where: Self.isBelow(folder)) }
            }
        }
        return copies
    }

    /// The archived files of `plan` not yet in `folder`, each staged under
    /// a hidden name in the folder's top level: until the marker is durable
    /// the folder holds nothing a crash could leave behind but temporaries
    /// Recovery removes (an empty folder is taken up again as its own; one
    /// with subfolders would look taken and the redo would go to `(2)`).
    private func stageCopies(_ plan: Plan, into folder: String, batch: SyncBatch) throws -> OfficeCopy {
        let source = plan.archiveDir + "/files"
        var copy = OfficeCopy(submission: plan.submission, folder: folder, subfolders: [])
        for (n, relative) in try SpoolTree.regularFiles(under: source).enumerated() {
            let target = folder + "/" + relative
            if DurableFS.exists(target) { continue }
            let parent = TrustedPath.parent(of: target)
            // By bytes: the NFC and NFD spellings of a subfolder are two
            // folders, and each must be made (String equality merges them).
            if !parent.hasSameBytes(as: folder), !copy.subfolders.contains(where: { $0.hasSameBytes(as: parent) }) {
                copy.subfolders.append(parent)
            }
            let temporary = DurableFS.temporaryPath(for: folder + "/copy-\(n)", suffix: "part")
            let src = try TrustedPath.open(source + "/" + relative, O_RDONLY)
            defer { close(src) }
            try batch.stageCopy(descriptor: src, from: source + "/" + relative, to: target, mode: 0o644, limit: .max,
                                temporary: temporary, phase: Step.copy.rawValue)
        }
        return copy
    }

    /// 4, the copies' subfolders, once the markers are durable. A link
    /// planted inside a copy since its folder was made skips that copy.
    private func makeCopySubfolders(_ copies: [OfficeCopy], batch: SyncBatch) throws {
        for copy in copies {
            do {
                for folder in copy.subfolders { try batch.makeDirectories(folder) }
            } catch let e as SpoolError where e.plantedSymlink != nil {
                refusedOfficeCopy(copy.submission, e)
                batch.discardStaged(where: Self.isBelow(copy.folder))
            }
        }
    }

    /// 3, staged: each plan's text and JSON receipt, under hidden names in
    /// the unit's `receipts/`. Returns each plan's receipt path without its
    /// extension.
    private func stageReceipts(_ plans: [Plan], batch: SyncBatch) throws -> [String] {
        var stems: [String] = []
        var taken: Set<String> = []
        for plan in plans {
            let stem = try receiptStem(plan, batch: batch, taken: &taken)
            stems.append(stem)
            try batch.stage(stem + ".txt", text: plan.receiptText, phase: Step.text.rawValue)
            try batch.stage(stem + ".json", text: plan.receiptJSON, phase: Step.json.rawValue)
        }
        return stems
    }

    /// 3. Receipts: every text, then the pending notices they replace, then
    /// every JSON, so a program that sees a receipt's JSON sees no notice. The
    /// removal is durable before the caller marks the submission placed; a
    /// restart files a decided submission again and so finishes it.
    private func publishReceipts(_ plans: [Plan], batch: SyncBatch) throws {
        try batch.publishStaged(phase: Step.text.rawValue)
        try batch.syncDirectories()
        let notices = PendingNoticeFiles(layout: layout)
        for plan in plans {
            if let dir = try notices.removeUnsynced(unit: plan.unit, key: plan.key, submission: plan.submission) { batch.note(dir) }
        }
        try batch.publishStaged(phase: Step.json.rawValue)
        try batch.syncDirectories()
    }

    /// An archive folder left empty (made by hand or by an interrupted
    /// restore) must not block the rename of the queue folder into its place.
    /// A non-empty one is never touched: that needs a person.
    static func clearEmptyArchiveFolder(_ dir: String) throws {
        guard DurableFS.exists(dir) else { return }
        if (try? TrustedPath.names(dir))?.isEmpty == true, TrustedPath.unlink(dir, folder: true) { return }
        throw SpoolError("archive folder already exists while the submission is still queued; move one of them aside", dir, errno: EEXIST)
    }

    /// Whether a path lies below `folder`, by bytes: `String.hasPrefix`
    /// compares characters, and would take a twin folder whose name is the
    /// NFD spelling of this one's for this one.
    static func isBelow(_ folder: String) -> (String) -> Bool {
        let prefix = Array((folder + "/").utf8)
        return { $0.utf8.starts(with: prefix) }
    }

    /// The file in an office copy's folder that names its submission.
    static let marker = ".lienthong-submission"

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
            let marker = folder + "/" + Self.marker
            if !DurableFS.exists(folder) {
                try batch.makeDirectories(folder)
                try batch.stage(marker, text: plan.submission + "\n", phase: Step.marker.rawValue)
            } else if let bytes = TrustedPath.read(marker) {
                let owner = String(decoding: bytes, as: UTF8.self)
                guard owner.trimmingCharacters(in: .whitespacesAndNewlines) == plan.submission else { continue }
            } else if !DurableFS.exists(marker), (try? TrustedPath.names(folder))?.isEmpty == true {
                // An empty folder left by a crash between mkdir and the marker.
                try batch.stage(marker, text: plan.submission + "\n", phase: Step.marker.rawValue)
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
