import Foundation
import LienThongSpool
import LienThongSystemd
import LienThongWatch

/// Symbolic links a clerk planted where a spool folder should be (an
/// outbox, a group folder, an office inbox). The daemon never goes through
/// them and never removes them: it says where they are, in the journal once
/// per link and in STATUS for as long as they stay.
extension Gateway {
    /// True when `folder` (an outbox) is not reachable as a folder without
    /// following a link; reported the first time it is seen.
    func isPlantedLink(_ folder: String) -> Bool {
        guard let refusal = TrustedPath.check(folder), refusal.plantedSymlink != nil else {
            plantedLinks.remove(folder)
            return false
        }
        if plantedLinks.insert(folder).inserted {
            log.log(.warning, "\(refusal); not watched, nothing taken from it",
                    fields: [(JournalField.messageID, MessageID.watchImpaired)])
        }
        return true
    }

    /// An event on an outbox's own entry in its parent (a group folder in
    /// `office/outbox/`): it was removed, renamed, or something took its place.
    func isOutboxEntry(_ event: WatchEvent) -> Bool {
        !event.name.isEmpty && settings.isOutbox(event.directory + "/" + event.name)
    }

    /// Made again when gone, as for a watched folder that went away; a link
    /// in its place is reported and left (its own watch was dropped with the
    /// move, so no folderGone event comes for it).
    func outboxReplaced(_ outbox: String, now: Date) {
        if TrustedPath.status(outbox) == nil {
            try? DurableFS.makeDirectories(outbox, mode: SpoolLayout.clerkFolderMode, exact: true)
        }
        watchOutbox(outbox, now: now)
    }

    /// For STATUS: how many links are left alone, and where the first is.
    var plantedLinksStatus: String? {
        guard let first = plantedLinks.sorted().first else { return nil }
        return "\(plantedLinks.count) symbolic link(s) where folders should be, left alone (\(first))"
    }
}
