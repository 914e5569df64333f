import Foundation
import LienThongSpool
import LienThongSystemd

extension Gateway {
    /// Gives entries of an outbox whose names are not valid UTF-8 a safe name
    /// (see `RawNames`), so they are claimed and receipted like any other.
    func repairNames(in outbox: String) {
        for r in RawNames.repair(outbox, recursive: false) {
            log.log(.warning, "\(outbox): a name that is not valid UTF-8 (\(r.from)) was renamed to \(r.to) so it can be taken in",
                    fields: [])
        }
    }

    /// An event whose name came out of the kernel as invalid UTF-8 (decoded
    /// with U+FFFD) names nothing we can open: repair the outbox it is in.
    func repairIfMangled(_ event: WatchEventName) {
        guard event.name.unicodeScalars.contains("\u{FFFD}"),
              let entry = tracker.entry(forEventIn: event.directory, name: event.name) else { return }
        scan(entry.root, now: Date())  // repairs first
    }
}

/// The two fields of an inotify event the repair needs.
struct WatchEventName {
    var directory: String
    var name: String
}
