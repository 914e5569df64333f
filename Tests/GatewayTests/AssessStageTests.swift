import Foundation
import Testing
@testable import LienThongGateway
import LienThongCore
import LienThongSpool

/// The assess stage on its own: claimed files read once each, given roles,
/// the electronic ones validated on the worker threads.
@Suite("Assess stage")
struct AssessStageTests {
    @Test func aSignedPairIsReadOnceValidatedOffTheLoopAndGivenRoles() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let pair = try rig.dropSignedPair(key: "41-UBND-VP")
        let sub = try #require(line.claim.claimAll(pair.names.map { (rig.outbox, $0) }, now: rig.t0).first)

        let first = try line.assess.assess(sub, now: rig.t0)
        #expect(first.validating)  // started on a worker; nothing to decide yet
        #expect(line.assess.validations.runningCount == 1)
        #expect(try line.assess.assess(sub, now: rig.t0).validating)  // not started twice
        #expect(line.assess.validations.runningCount == 1)

        try line.awaitValidations(now: rig.t0)
        #expect(sub.wakeAt == rig.t0)
        let done = try line.assess.assess(sub, now: rig.t0)
        #expect(!done.validating && !done.stillArriving && !done.quarantine)
        let roles = Dictionary(uniqueKeysWithValues: done.parts.map { ($0.name, $0.role) })
        #expect(roles == ["41-UBND-VP.pdf": .electronic, "41-UBND-VP_scan.pdf": .scan])
        let electronic = try #require(done.parts.first { $0.role == .electronic })
        #expect(electronic.validation?.isValid == true)
        #expect(electronic.sha256 == (try sha256(pair.electronic)))
    }

    /// A FIFO inside a dropped folder: never opened (a read would block the
    /// loop), the submission goes to quarantine with the finding named.
    @Test func aFIFOInAClaimedFolderIsQuarantinedWithoutBeingOpened() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        let folder = rig.outbox + "/Hồ sơ 5-UBND"
        try DurableFS.makeDirectories(folder)
        try rig.drop("5-UBND_scan.pdf", "%PDF-1.4 scan", in: folder)
        #expect(mkfifo(folder + "/5-UBND.pdf", 0o644) == 0)
        let sub = try #require(line.claim.claimAll([(rig.outbox, "Hồ sơ 5-UBND")], now: rig.t0).first)
        let started = Date()
        let a = try line.assess.assess(sub, now: rig.t0)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(a.quarantine && !a.validating)
        let fifo = try #require(a.parts.first { $0.name == "5-UBND.pdf" })
        #expect(fifo.problem?.code == .unsupportedFile)
        #expect(fifo.problem?.detail.contains("FIFO") == true)
    }

    /// A claimed file's facts hold for the bytes they were read from: one
    /// that changed since (an SMB client still writing through a handle it
    /// kept) is read again, and its old validation is not used.
    @Test func aFileThatChangedSinceItWasReadIsReadAgain() throws {
        let rig = try StageRig()
        let line = try StageLine(rig)
        try rig.drop("6-UBND_scan.pdf", "%PDF-1.4 first")
        let sub = try #require(line.claim.claimAll([(rig.outbox, "6-UBND_scan.pdf")], now: rig.t0).first)
        let before = try line.assess.assess(sub, now: rig.t0)
        let path = rig.settings.layout.queuedFiles(sub.id) + "/6-UBND_scan.pdf"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(" and more".utf8))
        try handle.close()
        let after = try line.assess.assess(sub, now: rig.t0)
        #expect(before.parts.first?.size == 14 && after.parts.first?.size == 23)
        #expect(before.parts.first?.sha256 != after.parts.first?.sha256)
    }
}
