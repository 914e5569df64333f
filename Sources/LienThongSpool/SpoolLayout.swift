import Foundation
import LienThongCore

/// The folders of SPEC §2 under the spool root. The single place that knows
/// where things go.
public struct SpoolLayout: Sendable {
    public let root: String

    /// The root is the operator's: every spool operation below it walks
    /// from it without following links (see `TrustedPath`).
    public init(root: String) {
        self.root = root
        SpoolRoots.trust(root)
    }

    /// Concatenated: an array joined was a few thousand instructions a path.
    private func path(_ parts: String...) -> String {
        var out = root
        out.reserveCapacity(parts.reduce(root.utf8.count) { $0 + 1 + $1.utf8.count })
        for part in parts {
            out += "/"
            out += part
        }
        return out
    }

    public var units: String { path("units") }
    public func outbox(_ unit: String) -> String { path("units", unit, "outbox") }
    public func inbox(_ unit: String) -> String { path("units", unit, "inbox") }
    public func receipts(_ unit: String) -> String { path("units", unit, "receipts") }
    public var officeOutbox: String { path("office", "outbox") }
    public var officeInbox: String { path("office", "inbox") }
    public func officeInbox(_ unit: String) -> String { path("office", "inbox", unit) }
    public var officePaper: String { path("office", "paper") }
    public var officeReceipts: String { path("office", "receipts") }
    public var queue: String { path("queue") }
    /// A submission's working folder; its files are under `files/`.
    public func queued(_ submission: String) -> String { path("queue", submission) }
    public func queuedFiles(_ submission: String) -> String { path("queue", submission, "files") }
    public var state: String { path("state") }
    public var ledger: String { path("state", "ledger.sqlite") }
    public var quarantine: String { path("archive", "quarantine") }

    public enum Shelf: String, Sendable { case accepted, rejected, quarantine }

    /// `archive/accepted/YYYY/MM/<id>/`, `archive/rejected/...`, or
    /// `archive/quarantine/<id>/` (SPEC §2).
    public func archive(_ shelf: Shelf, submission: String, year: Int, month: Int) -> String {
        switch shelf {
        case .quarantine: return path("archive", "quarantine", submission)
        // "%04d" and "%02d" without String(format:), once per decision (ZeroPadded).
        default: return path("archive", shelf.rawValue, ZeroPadded.decimal(year, width: 4), ZeroPadded.decimal(month, width: 2), submission)
        }
    }

    /// Folders clerks write in: outboxes and inboxes.
    public static let clerkFolderMode: mode_t = 0o770

    /// Creates every folder the gateway and the units rely on. A symbolic
    /// link where a clerk-writable folder should be is left alone and
    /// returned (the caller reports it); anything else that fails throws.
    ///
    /// Made in one batch, every touched parent fsynced once at the end: with
    /// 1,000 units a folder and an fsync at a time was 3,000 journal commits
    /// (24 s to a first READY on a journaled disk).
    @discardableResult
    public func create(units: [String]) throws -> [SpoolError] {
        var refused: [SpoolError] = []
        let batch = SyncBatch()
        func clerkFolder(_ dir: String) throws {
            do { try batch.makeDirectories(dir, mode: Self.clerkFolderMode, exact: true) } catch let e as SpoolError where e.plantedSymlink != nil {
                refused.append(e)
            }
        }
        for dir in [queue, state, officePaper, officeReceipts, quarantine,
                    path("archive", "accepted"), path("archive", "rejected")] {
            try batch.makeDirectories(dir)
        }
        // Clerks reach these through Samba shares that run as group
        // lienthong: they drop into outboxes and clear their inboxes, so
        // those are group-writable. No explicit setgid (the unit's
        // RestrictSUIDSGID forbids it); folders inherit it from the setgid
        // spool root that tmpfiles.d creates.
        for dir in [officeOutbox, officeInbox] { try clerkFolder(dir) }
        for unit in units {
            try batch.makeDirectories(receipts(unit))
            for dir in [outbox(unit), inbox(unit)] { try clerkFolder(dir) }
        }
        try batch.syncDirectories()
        return refused
    }
}
