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
            return try claimFile(unit: unit, name: name, source: source, now: now)
        } catch let error as SpoolError where error.code == ENOENT {
            return nil  // the sender took it back before we could claim it
        } catch {
            log.log(.error, "could not claim \(source): \(error); will retry", fields: [(JournalField.unit, unit.id)])
            retryLater.insert(source)
            return nil
        }
    }

    private func claimFile(unit: LienThongCore.Unit, name: String, source: String, now: Date) throws -> OpenSubmission {
        let key = SubmissionKey.key(forFileName: name)
        let identities = OpenSubmission.identities(forKey: key)
        let sub = try openSubmission(unit: unit.id, key: key, identities: identities, isFolder: false, now: now)
        try moveIntoQueue(sub, name: name, source: source, identities: identities, now: now)
        return sub
    }

    /// Moves one dropped file into its submission's queue folder: the intent
    /// in the ledger first, the rename second (Recovery settles a crash in
    /// between); a failed rename takes the intent back.
    func moveIntoQueue(_ sub: OpenSubmission, name: String, source: String, identities: Set<String>, now: Date) throws {
        let dir = settings.layout.queuedFiles(sub.id)
        try DurableFS.makeDirectories(dir)
        let target = uniqueName(name, in: dir)
        try ledger.addFile(submission: sub.id, name: target, source: source, at: now)
        do {
            try DurableFS.move(source, to: dir + "/" + target)
        } catch {
            try? ledger.forgetFile(submission: sub.id, name: target)
            if (try? ledger.files(of: sub.id))?.isEmpty ?? false { dropOpen(sub, now: now) }
            throw error
        }
        try ledger.markClaimed(submission: sub.id, name: target, at: now)
        sub.identities.formUnion(identities)
        sub.lastArrival = now
    }

    /// A folder dropped into an outbox is one submission whose key is its name;
    /// it is claimed whole with one rename.
    private func claimFolder(unit: LienThongCore.Unit, name: String, source: String, now: Date) throws -> OpenSubmission {
        let key = SubmissionKey.key(forFolderName: name)
        return try claimWholeFolder(unit: unit.id, key: key, pairing: "folder:" + key, outboundGroup: nil, source: source, now: now)
    }

    /// Claims a dropped folder as one new submission (inbound, or the
    /// office's own when `outboundGroup` is set): the intent in the ledger,
    /// one rename into the queue, then its entries recorded; a failed rename
    /// takes the submission back.
    func claimWholeFolder(unit: String, key: String, pairing: String, outboundGroup: String?, source: String, now: Date) throws -> OpenSubmission {
        let id = try ledger.newSubmissionID(now: now, timeZone: settings.timeZone)
        try ledger.createSubmission(id: id, unit: unit, key: key, pairing: pairing, isFolder: true, at: now)
        let sub = OpenSubmission(id: id, unit: unit, key: key, isFolder: true, identities: [], firstArrival: now, lastArrival: now)
        sub.outboundGroup = outboundGroup
        try DurableFS.makeDirectories(settings.layout.queued(id))
        try ledger.addFile(submission: id, name: Pipeline.folderMarker, source: source, at: now)
        do {
            try DurableFS.move(source, to: settings.layout.queuedFiles(id))
        } catch {
            try? ledger.forgetFile(submission: id, name: Pipeline.folderMarker)
            try? ledger.dropEmptySubmission(id, at: now)
            try? FileManager.default.removeItem(atPath: settings.layout.queued(id))
            throw error
        }
        try adoptFolderContents(sub, at: now)
        open[id] = sub
        return sub
    }

    /// Records each entry of a claimed folder in the ledger and removes the
    /// folder's intent row.
    func adoptFolderContents(_ sub: OpenSubmission, at: Date) throws {
        repairNames(inClaimed: sub.id)
        let rows = try ledger.files(of: sub.id)
        let known = Set(rows.map(\.name))
        let source = rows.first { $0.name == Pipeline.folderMarker }?.source ?? ""
        for entry in try SpoolTree.entries(under: settings.layout.queuedFiles(sub.id)) where !known.contains(entry.path) {
            try ledger.addFile(submission: sub.id, name: entry.path, source: source + "/" + entry.path, at: at)
            try ledger.markClaimed(submission: sub.id, name: entry.path, at: at)
        }
        try ledger.forgetFile(submission: sub.id, name: Pipeline.folderMarker)
    }

    /// The open submission of this unit that shares the key or the document
    /// number, or a new one.
    func openSubmission(unit: String, key: String, identities: Set<String>, isFolder: Bool, now: Date) throws -> OpenSubmission {
        if let match = open.inUnit(unit)
            .filter({ $0.unit == unit && !$0.isFolder && $0.outboundGroup == nil && !$0.identities.isDisjoint(with: identities) })
            .min(by: { $0.firstArrival < $1.firstArrival })
        {
            return match
        }
        let id = try ledger.newSubmissionID(now: now, timeZone: settings.timeZone)
        let pairing = identities.first { $0.hasPrefix("doc:") } ?? "key:" + key
        try ledger.createSubmission(id: id, unit: unit, key: key, pairing: pairing, isFolder: false, at: now)
        let sub = OpenSubmission(id: id, unit: unit, key: key, isFolder: false, identities: identities, firstArrival: now, lastArrival: now)
        open[id] = sub
        return sub
    }

    func dropOpen(_ sub: OpenSubmission, now: Date) {
        try? ledger.dropEmptySubmission(sub.id, at: now)
        try? FileManager.default.removeItem(atPath: settings.layout.queued(sub.id))
        open[sub.id] = nil
    }

    /// `name`, or `name (2).ext`… when a file of that name is already queued
    /// (two drops of the same name into one submission): never overwrite.
    func uniqueName(_ name: String, in dir: String) -> String {
        if !DurableFS.exists(dir + "/" + name) { return name }
        let ext = (name as NSString).pathExtension
        let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        var n = 2
        while true {
            let candidate = ext.isEmpty ? "\(stem) (\(n))" : "\(stem) (\(n)).\(ext)"
            if !DurableFS.exists(dir + "/" + candidate) { return candidate }
            n += 1
        }
    }
}
