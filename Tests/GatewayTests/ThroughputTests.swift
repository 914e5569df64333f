import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// How fast durable filing is: N signed reports (báo cáo, accepted alone)
/// dropped at once, timed until the last receipt. The figure is printed, not
/// asserted (the machine is shared); what is asserted is that every one was
/// filed whole, once, with arrival numbers 1…N.
@Suite(.serialized)
struct ThroughputTests {
    let sto = "000.00.21.H41"

    @Test func threeHundredReportsAreFiledAndTimed() async throws {
        let n = Int(ProcessInfo.processInfo.environment["LIENTHONG_LOAD_N"] ?? "") ?? 300
        let keys = (1...n).map { "\($0)-BC-STTTT" }
        let samples = try Fixtures.batch(keys: keys)
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "300ms", window: "30s")
        try d.start()
        // Stage in the same filesystem, then move in: each file appears whole.
        let staging = d.dir + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        var dropped: [SpoolAudit.Dropped] = []
        for key in keys {
            try FileManager.default.copyItem(atPath: samples + "/\(key).pdf", toPath: staging + "/\(key).pdf")
            dropped.append(.init(unit: sto, name: "\(key).pdf", sha256: try sha256(samples + "/\(key).pdf")))
        }
        let started = Date()
        for key in keys { #expect(rename(staging + "/\(key).pdf", d.outbox(sto) + "/\(key).pdf") == 0) }
        try await d.waitUntil("\(n) receipts", timeout: 600) {
            ((try? FileManager.default.contentsOfDirectory(atPath: d.receipts(sto))) ?? []).filter(DaemonHarness.isDecisionReceipt).count >= n
        }
        let elapsed = Date().timeIntervalSince(started)
        print(String(format: "THROUGHPUT: %d signed reports filed in %.2f s (%.1f per second)", n, elapsed, Double(n) / elapsed))
        #expect(d.stop() == 0)
        let audit = try SpoolAudit(spool: d.spool).check(dropped: dropped, units: [sto], expectAccepted: n)
        #expect(audit.problems.isEmpty, "\(audit.problems.prefix(20))")
    }
}
