import Foundation
import Testing
@testable import LienThongGateway
import LienThongControl
import LienThongCore
import LienThongSpool

/// What `lienthongctl` asks, answered by the gateway object in this process
/// (never started: no loop, no socket), with the clock as an argument. The
/// process tests (CtlEndToEndTests) go through the real socket; these read
/// each answer and each change exactly.
@Suite("Control")
struct ControlStageTests {
    static let peer = ControlServer.Peer(pid: 4242, uid: 1000)

    func gatewayWithAScan(_ rig: StageRig) throws -> (Gateway, OpenSubmission) {
        let gateway = try Gateway(configPath: rig.config.configPath, settings: rig.settings, log: rig.log)
        try rig.drop("12-UBND_scan.pdf", "%PDF-1.4 a scan, no signature")
        let sub = try #require(gateway.pipeline.claim.claimAll([(rig.outbox, "12-UBND_scan.pdf")], now: rig.t0).first)
        return (gateway, sub)
    }

    @Test func aHoldIsRecordedAndAReleasePastTheWindowDecidesAtOnce() throws {
        let rig = try StageRig()
        let (gateway, sub) = try gatewayWithAScan(rig)
        let held = gateway.perform(ControlRequest(command: "hold", id: sub.id), peer: Self.peer, now: rig.t0)
        #expect(held.ok && held.affected == 1)
        #expect(sub.held && sub.wakeAt == nil)
        #expect(try rig.ledger.isHeld(sub.id))
        let again = gateway.perform(ControlRequest(command: "hold", id: sub.id), peer: Self.peer, now: rig.t0)
        #expect(again.ok && again.affected == 0 && again.message.contains("already held"))

        // Held past its window: nothing decides it until the release.
        let later = rig.t0.addingTimeInterval(rig.settings.config.intake.pairingWindow + 1)
        gateway.pipeline.decide.evaluateDue(now: later)
        #expect(try rig.state(sub.id) == .gathering)
        let released = gateway.perform(ControlRequest(command: "release", id: sub.id), peer: Self.peer, now: later)
        #expect(released.ok && released.message.contains("decided: rejected"))
        #expect(try rig.state(sub.id) == .placed && !rig.ledger.isHeld(sub.id))
        // Decided: no longer something to hold.
        let tooLate = gateway.perform(ControlRequest(command: "hold", id: sub.id), peer: Self.peer, now: later)
        #expect(!tooLate.ok && tooLate.message.contains("already decided"))
    }

    @Test func allMustBeWrittenInCapitalsAndUnknownsAreNamed() throws {
        let rig = try StageRig()
        let (gateway, sub) = try gatewayWithAScan(rig)
        let lower = gateway.perform(ControlRequest(command: "hold", id: "all"), peer: Self.peer, now: rig.t0)
        #expect(!lower.ok && lower.message.contains("ALL in capitals"))
        #expect(!sub.held)
        let all = gateway.perform(ControlRequest(command: "hold", id: "ALL"), peer: Self.peer, now: rig.t0)
        #expect(all.ok && all.affected == 1 && sub.held)
        let unknown = gateway.perform(ControlRequest(command: "retry", id: "20261201-000099-beef"), peer: Self.peer, now: rig.t0)
        #expect(!unknown.ok && unknown.message.contains("no submission 20261201-000099-beef"))
        let retryAll = gateway.perform(ControlRequest(command: "retry", id: "ALL"), peer: Self.peer, now: rig.t0)
        #expect(retryAll.ok && retryAll.affected == 0)
        let bogus = gateway.perform(ControlRequest(command: "format-disk"), peer: Self.peer, now: rig.t0)
        #expect(!bogus.ok && bogus.message.contains("known: status, hold, release, retry, reload"))
    }

    @Test func statusShowsTheOpenSubmissionAndWhatItWaitsFor() throws {
        let rig = try StageRig()
        let (gateway, sub) = try gatewayWithAScan(rig)
        gateway.pipeline.decide.evaluateDue(now: rig.t0)  // its file read on a worker
        try awaitWorkers(of: gateway.pipeline.assess, now: rig.t0)
        gateway.pipeline.decide.evaluateDue(now: rig.t0)  // a scan alone: waits for its twin
        let status = gateway.perform(ControlRequest(command: "status"), peer: Self.peer, now: rig.t0)
        #expect(status.ok)
        let open = try #require(status.status?.open.first)
        #expect(open.id == sub.id && open.key == "12-UBND")
        #expect(open.wakeAt == rig.t0.addingTimeInterval(rig.settings.config.intake.pairingWindow))
    }
}
