import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `units/<id>/receipts/<key>.pending.txt` and `.json`: written while a
/// submission waits, removed when its decision is filed. The JSON names the
/// submission and is the mark of ownership: a notice is removed only by the
/// submission it names, and its `.txt` goes first, so an interrupted removal
/// is finished when the same submission is filed again after a restart.
public struct PendingNoticeFiles: Sendable {
    public let layout: SpoolLayout
    public init(layout: SpoolLayout) { self.layout = layout }

    public func stem(unit: String, key: String) -> String {
        layout.receipts(unit) + "/" + Placement.name(key, ".pending", reserving: ".json")
    }

    /// Writes both files durably (text first, then the JSON that owns them).
    /// A notice already there with exactly these bytes is left as it is:
    /// after a restart every reopened submission tells its clerk again what
    /// it told before, and writing 10,000 identical notices one fsync at a
    /// time held the loop for minutes (the bench's backlog).
    public func write(unit: String, key: String, json: String, text: String) throws {
        let stem = stem(unit: unit, key: key)
        if holds(stem + ".txt", text), holds(stem + ".json", json) { return }
        try DurableFS.makeDirectories(layout.receipts(unit))
        try DurableFS.writeFile(stem + ".txt", text: text)
        try DurableFS.writeFile(stem + ".json", text: json)
    }

    /// `path` holds exactly `text`'s bytes (read through the guarded walk).
    private func holds(_ path: String, _ text: String) -> Bool {
        let expected = Array(text.utf8)
        return TrustedPath.read(path, limit: expected.count) == expected
    }

    /// Unlinks the notice of `submission`, if there is one, without syncing
    /// the folder; returns the folder to sync, or nil when nothing was removed.
    public func removeUnsynced(unit: String, key: String, submission: String) throws -> String? {
        let stem = stem(unit: unit, key: key)
        guard OutboundPlacement.owner(of: stem + ".json") == submission else { return nil }
        // Through the guarded walk, as every path under the spool: a link
        // swapped in for a folder since the owner was read is refused.
        for path in [stem + ".txt", stem + ".json"] {
            try TrustedPath.remove(path, "remove the pending notice (the decision's receipt replaces it)")
        }
        return layout.receipts(unit)
    }

    /// Removes the notice of `submission` and makes the removal durable.
    public func remove(unit: String, key: String, submission: String) throws {
        if let dir = try removeUnsynced(unit: unit, key: key, submission: submission) { try DurableFS.syncDirectory(dir) }
    }
}
