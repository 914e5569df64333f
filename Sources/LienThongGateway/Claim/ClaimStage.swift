import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Claim (SPEC §3): takes settled entries out of the outboxes into
/// `queue/<id>/files/`, each sealed into a daemon-owned inode and recorded in
/// the ledger, and finds or opens the submission each joins. Its own state is
/// the sources to try again; the open submissions are the table it shares
/// with the later stages. The clock is the `now:` it is given.
///
/// Order per file: the intent is durable in the ledger before the rename; the
/// claim counts only after the rename and the seal are durable. A crash
/// anywhere in between is settled by `settleIntents` (before a decision, and
/// at start).
final class ClaimStage {
    /// The ledger row that stands for a whole folder while it is being claimed.
    static let folderMarker = "/"
    /// The most files per ledger transaction and folder barrier: a loop
    /// turn's claims (`Gateway.claimsPerTurn`) in one.
    static let batchLimit = 512

    var settings: GatewaySettings
    let ledger: Ledger
    let log: EventLog
    let open: OpenSubmissions
    let clock: StageClock
    /// Sources whose claim failed for lack of space or an I/O error, by
    /// their exact path bytes (an NFD twin is another source).
    var retryLater: Set<FileName> = []
    /// Called before a pending notice of (unit, key) is removed: the file
    /// stage waits there for a batch in flight that files that key
    /// (`FileStage.waitForFiling`), the notice's other writer.
    var beforeNoticeChange: (_ unit: String, _ key: String) -> Void = { _, _ in }
    /// Called once a batch's intents have committed, before its renames:
    /// the turn's decisions committed without waiting are durable with them,
    /// and their filing starts here rather than after the claim's rounds
    /// (`DecideStage.fileIfAlreadyDurable`).
    var afterIntents: () -> Void = {}

    init(settings: GatewaySettings, ledger: Ledger, log: EventLog, open: OpenSubmissions, clock: StageClock) {
        self.settings = settings
        self.ledger = ledger
        self.log = log
        self.open = open
        self.clock = clock
    }

    /// Takes settled top-level entries of outboxes. Returns the submissions
    /// they joined, due for a decision at once. Loose files are claimed
    /// together (group commit); a folder is one rename of its own.
    @discardableResult
    func claimAll(_ entries: [(root: String, name: String)], now: Date) -> [OpenSubmission] {
        var claimed: [OpenSubmission] = []
        var files: [LooseFile] = []
        for (root, name) in entries {
            guard let entry = classify(root: root, name: name) else { continue }
            switch entry {
            case .file(let file): files.append(file)
            case .folder(let unit, let group, let source):
                if let sub = claimFolder(unit: unit, group: group, name: name, source: source, now: now) { claimed.append(sub) }
            }
        }
        var start = 0
        while start < files.count {
            claimed += claimFiles(Array(files[start..<min(files.count, start + Self.batchLimit)]), now: now)
            start += Self.batchLimit
        }
        var seen: Set<String> = []
        let subs = claimed.filter { seen.insert($0.id).inserted }
        for sub in subs { sub.wakeAt = now }
        return subs
    }

    /// A settled loose file: the unit whose outbox held it, and for the
    /// office's own documents the group folder it was dropped in.
    typealias LooseFile = (unit: LienThongCore.Unit, name: String, source: String, outboundGroup: String?)

    enum Entry {
        case file(LooseFile)
        case folder(unit: LienThongCore.Unit, group: String?, source: String)
    }

    /// What an entry of an outbox is to the claim: a loose file, a folder
    /// (one submission), or nothing to take (ignored, gone, or in the
    /// office's outbox a group folder, a hidden name, or a link planted in a
    /// group folder's place — left where it is and reported by the watch).
    func classify(root: String, name: String) -> Entry? {
        let group = settings.officeAddress(forOutbox: root)
        guard let unit = group == nil ? settings.unit(forOutbox: root) : settings.officeUnit,
              !settings.ignore.matches(name) else { return nil }
        let source = root + "/" + name
        var st = stat()
        guard lstat(source, &st) == 0 else { return nil }
        let isDir = (st.st_mode & S_IFMT) == S_IFDIR
        if let group {
            let isLink = (st.st_mode & S_IFMT) == S_IFLNK
            if group.isEmpty, isDir || isLink, settings.recipientResolver.isGroup(name) { return nil }
            if name.hasPrefix(".") { return nil }
        }
        return isDir ? .folder(unit: unit, group: group, source: source) : .file((unit, name, source, group))
    }

    /// A folder dropped into an outbox is one submission whose key is its
    /// name, claimed whole with one rename.
    private func claimFolder(unit: LienThongCore.Unit, group: String?, name: String, source: String, now: Date) -> OpenSubmission? {
        let key = SubmissionKey.key(forFolderName: name)
        do {
            return try claimWholeFolder(unit: unit.id, key: key, pairing: SubmissionPairing(.folder(key), outboundGroup: group),
                                        outboundGroup: group, source: source, now: now)
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

    /// Inside a claimed folder, names that are not valid UTF-8 get a safe
    /// name (`RawNames`), all the way down.
    func repairNames(inClaimed id: String) {
        for r in RawNames.repair(settings.layout.queuedFiles(id), recursive: true) {
            log.log(.warning, "submission \(id): a name that is not valid UTF-8 (\(r.from)) was renamed to \(r.to)",
                    fields: [(JournalField.submission, id)])
        }
    }
}
