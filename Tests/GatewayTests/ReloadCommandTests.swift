import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `lienthongctl reload` (the unit's ExecReload=) waits for the daemon's
/// verdict: exit 0 when the new configuration runs, exit 1 with the errors
/// when it is refused, and then the old one keeps running.
@Suite(.serialized)
struct ReloadCommandTests {
    let sto = "000.00.21.H41"

    @Test func aGoodConfigReloadsAndABrokenOneFailsWithItsErrors() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s")
        try d.start()
        let good = try Ctl.run(d, ["reload"])
        #expect(good.status == 0, "reload of an unchanged config: \(good.err)")
        #expect(good.out.contains("reloaded"))
        try d.waitFor("the daemon's reload line", timeout: 10) { d.log.contains("reloaded \(d.configPath)") }

        let original = try String(contentsOfFile: d.configPath, encoding: .utf8)
        try original.replacingOccurrences(of: "settle = \"300ms\"", with: "settle = \"banana\"")
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let refused = try Ctl.run(d, ["reload"])
        #expect(refused.status == 1, "a refused config must fail the reload: \(refused.out) \(refused.err)")
        #expect(refused.err.contains("refused") && refused.err.contains("settle"), "the errors are not printed: \(refused.err)")
        #expect(refused.err.contains("lienthong.toml"), "the file is not named: \(refused.err)")
        #expect(d.process?.isRunning == true)

        // The previous configuration keeps running: a pair is still decided.
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        try d.drop([pair.electronic, pair.scan], into: sto)
        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted")
        #expect(d.stop() == 0)
        #expect(try Ctl.run(d, ["reload"]).status == 3, "no daemon: exit 3")
    }
}
