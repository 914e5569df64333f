import Foundation
import Testing
@testable import LienThongGateway
import LienThongCore
import LienThongSpool

/// The deliver stage on its own: the office's filed documents into the
/// recipients' inboxes from the ledger's plan, with the clock it is given.
@Suite("Deliver stage")
struct DeliverStageTests {
    static let recipients = ["000.00.21.H41", "000.00.41.H41", "000.41.01.H41"]

    func filedFanOut(_ rig: StageRig) throws -> (FileStage, DeliverStage, Ledger.SubmissionRecord) {
        let office = rig.settings.officeOutbox(forAddress: "")
        let decided = try rig.decided(["30-TB-UBND.pdf"], from: office, recipients: Self.recipients, at: rig.t0)
        let file = try rig.fileStage()
        try file.placeOutbound(decided, now: rig.t0)
        let record = try #require(try rig.ledger.submission(decided.id))
        #expect(record.state == .placed)
        return (file, DeliverStage(settings: rig.settings, ledger: rig.ledger, log: rig.log, file: file), record)
    }

    @Test func everyRecipientGetsTheSignedDocumentAndTheOfficeReceiptSaysSo() throws {
        let rig = try StageRig()
        let (_, deliver, record) = try filedFanOut(rig)
        #expect(deliver.nextWake(now: rig.t0) != nil)  // due at once
        deliver.run(now: rig.t0)
        for unit in Self.recipients {
            #expect(rig.contents(rig.settings.layout.inbox(unit) + "/30-TB-UBND.pdf") == "bytes of 30-TB-UBND.pdf")
        }
        let rows = try rig.ledger.deliveries(of: record.id)
        #expect(rows.count == 3 && rows.allSatisfy { $0.state == .delivered })
        #expect(deliver.nextWake(now: rig.t0) == nil)
        let receipt = try #require(rig.contents(rig.settings.layout.officeReceipts + "/30-TB-UBND.accepted.json"))
        #expect(receipt.contains("\"delivered\""))
    }

    /// A clerk replaced one recipient's inbox with a link: that delivery is
    /// deferred with a time to try again, never written through the link;
    /// the others go out. Once the inbox is a folder again, an operator's
    /// retry makes it due at once.
    @Test func anInboxReplacedByALinkIsDeferredNotWrittenThrough() throws {
        let rig = try StageRig()
        let (_, deliver, record) = try filedFanOut(rig)
        let inbox = rig.settings.layout.inbox("000.00.41.H41")
        let elsewhere = try DaemonHarness.makeTempDir()
        try FileManager.default.removeItem(atPath: inbox)
        #expect(symlink(elsewhere, inbox) == 0)

        deliver.run(now: rig.t0)
        #expect(try rig.names(elsewhere).isEmpty)
        let rows = try rig.ledger.deliveries(of: record.id)
        let deferred = try #require(rows.first { $0.recipient == "000.00.41.H41" })
        #expect(deferred.state == .deferred && deferred.attempts == 1)
        let retryAt = try #require(deferred.nextAttempt)
        #expect(retryAt > rig.t0)
        #expect(rows.filter { $0.state == .delivered }.count == 2)
        #expect(try #require(deliver.nextWake(now: rig.t0)) <= retryAt)

        // The operator puts the folder back and says retry (lienthongctl
        // retry, through the control socket): due now, not at its backoff.
        try FileManager.default.removeItem(atPath: inbox)
        try DurableFS.makeDirectories(inbox)
        let now = rig.t0.addingTimeInterval(1)
        #expect(now < retryAt)
        #expect(deliver.retryDeferred(submission: record.id, now: now) == 1)
        #expect(try #require(deliver.nextWake(now: now)) <= now)
        deliver.run(now: now)
        #expect(try rig.ledger.deliveries(of: record.id).allSatisfy { $0.state == .delivered })
        #expect(rig.contents(inbox + "/30-TB-UBND.pdf") == "bytes of 30-TB-UBND.pdf")
    }
}
