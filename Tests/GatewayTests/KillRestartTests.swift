import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64: a tiny seedable generator, so a failing run can be replayed.
struct SeededRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}

/// SQLite's lesson: "nothing is lost" is proven by killing the process at
/// random moments. A few hundred submissions arrive while a driver SIGKILLs
/// the daemon (claims, decisions, filing and start-up recovery all get hit)
/// and starts it again; at the end every promise of SPEC §10 is audited.
@Suite(.serialized)
struct KillRestartTests {
    let sto = "000.00.21.H41"
    let vinh = "000.00.41.H41"

    @Test(.timeLimit(.minutes(15)))
    func sigkillAtRandomMomentsLosesNothingAndNumbersWithoutGaps() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["LIENTHONG_KILL_SEED"] ?? "") ?? 0x4116_0612
        var rng = SeededRandom(state: seed)
        // Pairs (công văn: scan + electronic), reports alone (accepted at
        // once), scans alone (rejected when the short window ends).
        let pairs = (1...90).map { "\(1000 + $0)-UBND-VP" }
        let reports = (1...90).map { "\(2000 + $0)-BC-STTTT" }
        let scans = (1...50).map { "\(3000 + $0)-UBND-KT" }
        let samples = try Fixtures.batch(keys: pairs + reports + scans)
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "200ms", window: "3s")
        try d.start()

        // Each submission is one drop: its files, for one unit.
        var drops: [StagedDrops.Drop] = []
        for (i, k) in pairs.enumerated() { drops.append(.init(unit: i % 2 == 0 ? sto : vinh, files: ["\(k).pdf", "\(k)_scan.pdf"])) }
        for (i, k) in reports.enumerated() { drops.append(.init(unit: i % 2 == 0 ? sto : vinh, files: ["\(k).pdf"])) }
        for (i, k) in scans.enumerated() { drops.append(.init(unit: i % 2 == 0 ? sto : vinh, files: ["\(k)_scan.pdf"])) }
        let staged = try StagedDrops(drops, samples: samples, in: d, rng: &rng)

        var kills = 0
        var next = 0
        while next < drops.count {
            let wave = min(drops.count - next, 10 + rng.below(40))
            staged.drop(next..<(next + wave), into: d)
            next += wave
            // Kill at a random moment of the work this wave started.
            try await pause(50_000 + rng.below(900_000))
            d.killHard()
            kills += 1
            if rng.below(3) == 0 {
                // Sometimes in the middle of start-up recovery too.
                try d.start(waitReady: false)
                try await pause(rng.below(400_000))
                d.killHard()
                kills += 1
            }
            try d.start()
        }

        // Let it finish: every dropped file named in some receipt, queue empty.
        try await staged.waitUntilAllDecided(d, units: [sto, vinh], timeout: 300)
        #expect(d.stop() == 0)
        let audit = try SpoolAudit(spool: d.spool).check(dropped: staged.dropped, units: [sto, vinh])
        #expect(audit.problems.isEmpty, "seed \(seed), \(kills) kills: \(audit.problems.prefix(20))")
        let accepted = audit.submissions.values.filter { $0["verdict"] as? String == "accepted" }
        let reportKeys = Set(reports)
        #expect(accepted.filter { reportKeys.contains($0["key"] as? String ?? "") }.count == reports.count, "every report accepted once")
        print("KILL TEST: seed \(seed), \(kills) kills, \(audit.submissions.count) submissions, \(accepted.count) accepted")
    }
}
