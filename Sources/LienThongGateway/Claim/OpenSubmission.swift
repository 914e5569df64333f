import Foundation
import LienThongCore

/// A submission still gathering its files: a NiFi-style correlation bin
/// with a deadline. Lives in memory; the ledger and `queue/<id>/` hold the truth.
final class OpenSubmission {
    let id: String
    let unit: String
    let key: String
    let isFolder: Bool
    /// What pairs a new file with this submission: its key, and the document
    /// number and symbol when the key holds one.
    var identities: Set<PairingKey>
    var firstArrival: Date
    var lastArrival: Date
    /// When to look again without a new event (settle end or window end).
    var wakeAt: Date?
    /// Its last look found a validation under way (it is looked at again
    /// when the result is in); not counted against a turn's evaluations.
    var awaitingValidation = false
    /// Outbound (issued by the office): the group folder it was dropped in,
    /// "" for `office/outbox/` itself. nil for inbound submissions.
    var outboundGroup: String?
    /// Held by an operator (`lienthongctl hold`): never decided until released.
    var held = false
    /// The wait its pending notice last told the sender, if one was written.
    var noticed: (reason: WaitReason, until: Date)?
    /// Facts about each claimed file, read once (queued files are sealed),
    /// keyed by the name's exact bytes: NFC and NFD twins are two files.
    var facts: [FileName: FileFacts] = [:]
    var validations: [FileName: DocumentValidation] = [:]
    /// A worker found a file changed while it read it (AssessStage): the
    /// next look waits for it to be quiet.
    var changedWhileRead = false
    /// What revocation data its last look lacked (DecideStage+Revocation); empty when none.
    var revocationWait: [String] = []

    init(id: String, unit: String, key: String, isFolder: Bool, identities: Set<PairingKey>, firstArrival: Date, lastArrival: Date) {
        self.id = id
        self.unit = unit
        self.key = key
        self.isFolder = isFolder
        self.identities = identities
        self.firstArrival = firstArrival
        self.lastArrival = lastArrival
    }
}

/// What was learned from reading one claimed file.
struct FileFacts {
    var size: Int64
    var sha256: String
    var content: RoleClassifier.Content
    var problem: Finding?
    /// Not a regular file: the submission goes to quarantine.
    var quarantine: Bool
    /// For JSON content, the object it holds (nil when it is not one).
    var manifest: Manifest? = nil
    /// The file's inode, size, modification and change time when it was read.
    var stamp: FileStamp? = nil
}
