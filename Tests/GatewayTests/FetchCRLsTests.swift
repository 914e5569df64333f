import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 18 end to end, with the real daemon and the real lienthongctl: a
/// valid pair whose CA has only an expired CRL waits (no receipt; status and
/// queue say why); fetch-crls refuses forged CRLs, installs fresh ones from
/// the CAs' distribution points on a local HTTP server, makes the running
/// daemon reload, and the pair is accepted without a restart.
@Suite("fetch-crls and waiting for revocation data", .serialized)
struct FetchCRLsTests {
    /// A demo PKI whose CAs name CDPs on `port`, and a trust folder for the
    /// daemon holding only its stale CRLs.
    static func stalePKI(port: Int) throws -> (pki: String, trust: String) {
        let pki = try DaemonHarness.makeTempDir() + "/pki"
        try run("/bin/sh", [DaemonHarness.repoRoot + "/scripts/make-test-pki.sh", "--demo", pki],
                env: ["LIENTHONG_CDP_BASE": "http://127.0.0.1:\(port)"])
        let trust = try DaemonHarness.makeTempDir()
        let fm = FileManager.default
        for folder in ["anchors", "tsa"] { try fm.copyItem(atPath: pki + "/" + folder, toPath: trust + "/" + folder) }
        try fm.copyItem(atPath: pki + "/crl-stale", toPath: trust + "/crls")
        return (pki, trust)
    }

    static func samplePair(pki: String, key: String) throws -> [String] {
        let out = try DaemonHarness.makeTempDir()
        try run("/bin/sh", [DaemonHarness.repoRoot + "/scripts/make-sample-pair.sh", out, key], env: ["LIENTHONG_DEMO_TRUST": pki])
        return [out + "/\(key).pdf", out + "/\(key)_scan.pdf"]
    }

    static func crlFiles(_ trust: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: trust + "/crls")) ?? [] {
            files[name] = FileManager.default.contents(atPath: trust + "/crls/" + name)
        }
        return files
    }

    @Test func aPairWithOnlyStaleCRLsWaitsThenFetchCRLsDecidesItWithoutRestart() throws {
        let port = try CRLServer.freePort()
        let (pki, trust) = try Self.stalePKI(port: port)
        let server = try CRLServer(folder: try DaemonHarness.makeTempDir(), port: port)
        let d = try DaemonHarness(trust: trust, window: "10m")
        try d.start()
        let unit = "000.00.21.H41", key = "77-BC-STTTT"
        try d.drop(try Self.samplePair(pki: pki, key: key), into: unit)

        let expired = "waiting for revocation data: CRL of DEMO-ONLY Issuing CA expired 2024-02-01T00:00:00Z"
        try d.waitFor("the revocation wait in the journal", timeout: 20) { d.log.contains(expired) }
        // Not decided; the clerk's pending notice says why and that there is nothing to send.
        let pending = ["\(key).pending.json", "\(key).pending.txt"]
        try d.waitFor("the pending notice", timeout: 10) { d.receiptNames(unit) == pending }
        let notice = try String(contentsOfFile: d.receipts(unit) + "/\(key).pending.json", encoding: .utf8)
        #expect(notice.contains("revocation-data") && notice.contains("CRL of DEMO-ONLY Issuing CA expired"), "\(notice)")
        let noticeText = String(decoding: try Data(contentsOf: URL(fileURLWithPath: d.receipts(unit) + "/\(key).pending.txt")), as: UTF8.self)
        #expect(noticeText.contains("không cần gửi lại") && !noticeText.contains("sẽ bị trả lại"), "\(noticeText)")
        let queue = try Ctl.run(d, ["queue"])
        #expect(queue.out.contains(expired), "queue:\n\(queue.out)\(queue.err)")
        let status = try Ctl.run(d, ["status"])
        #expect(status.out.contains("1 waiting for revocation data"), "status:\n\(status.out)")
        #expect(status.out.contains(expired), "status:\n\(status.out)")

        // Forged CRLs (the CAs' names, another key) at the distribution points: nothing installed.
        try server.serve(pki + "/crl-forged")
        let before = Self.crlFiles(trust)
        let forged = try Ctl.run(d, ["fetch-crls"])
        #expect(forged.status == 1, "fetch-crls with forged CRLs:\n\(forged.out)\(forged.err)")
        #expect(forged.out.contains("is not signed by any CA of the anchors folder: not installed"), "\(forged.out)")
        #expect(forged.err.contains("DEMO-ONLY Issuing CA: no current CRL"), "\(forged.err)")
        #expect(forged.err.contains("DEMO-ONLY Root CA"), "\(forged.err)")
        #expect(Self.crlFiles(trust) == before, "a CRL its issuer did not sign was installed")
        #expect(d.receiptNames(unit) == pending, "decided on forged revocation data")

        // Fresh CRLs: installed, the daemon reloads, the pair is decided at once.
        try server.serve(pki + "/crl-fresh")
        let fresh = try Ctl.run(d, ["fetch-crls"])
        #expect(fresh.status == 0, "fetch-crls with fresh CRLs:\n\(fresh.out)\(fresh.err)")
        #expect(fresh.out.contains("lienthongd: reloaded"), "\(fresh.out)")
        #expect(fresh.out.contains("every CA has a current CRL"), "\(fresh.out)")
        let receipt = try d.receipt(unit, key: key, verdict: "accepted", timeout: 20)
        #expect(receipt["verdict"] as? String == "accepted" || receipt["status"] as? String == "03", "\(receipt)")

        // Run again: what is in place is as new as what is served, nothing is rewritten.
        let installed = Self.crlFiles(trust)
        let again = try Ctl.run(d, ["fetch-crls"])
        #expect(again.status == 0 && again.out.contains("kept"), "\(again.out)\(again.err)")
        #expect(Self.crlFiles(trust) == installed)
        // An older CRL (lower number, earlier thisUpdate) served later never replaces the newer one.
        try server.serve(pki + "/crl-stale")
        let older = try Ctl.run(d, ["fetch-crls"])
        #expect(older.status == 0 && older.out.contains("kept"), "\(older.out)\(older.err)")
        #expect(Self.crlFiles(trust) == installed, "an older CRL replaced a newer one")
        d.stop()
    }

    @Test func pastThePairingWindowItIsHeldForAnOperatorThenReleasedOnFreshData() throws {
        let port = try CRLServer.freePort()
        let (pki, trust) = try Self.stalePKI(port: port)
        let server = try CRLServer(folder: try DaemonHarness.makeTempDir(), port: port)
        let d = try DaemonHarness(trust: trust, window: "2s")
        try d.start()
        let unit = "000.00.21.H41", key = "78-BC-STTTT"
        // A report (BC) needs no scan: before issue 18 it was accepted at once on the expired CRL.
        try d.drop([try Self.samplePair(pki: pki, key: key)[0]], into: unit)
        try d.waitFor("the hold", timeout: 30) { d.log.contains("held: its pairing window passed while it waited for revocation data") }
        let pending = ["\(key).pending.json", "\(key).pending.txt"]
        #expect(d.receiptNames(unit) == pending, "\(d.receiptNames(unit))")
        let queue = try Ctl.run(d, ["queue"])
        #expect(queue.out.contains("held: its pairing window passed while"), "queue:\n\(queue.out)")

        try server.serve(pki + "/crl-fresh")
        #expect(try Ctl.run(d, ["fetch-crls"]).status == 0)
        #expect(d.receiptNames(unit) == pending, "a hold is the operator's: fresh data alone does not decide it")
        let id = try #require(queue.out.split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init))
        let release = try Ctl.run(d, ["release", id])
        #expect(release.status == 0, "\(release.out)\(release.err)")
        // Decided at once on the fresh data.
        _ = try d.receipt(unit, key: key, verdict: "accepted", timeout: 20)
        d.stop()
    }

    /// Behind the provincial proxy: the CAs' distribution points and a mirror
    /// of [trust] crl_urls name hosts this machine cannot resolve; only
    /// through http_proxy are they reached. The daemon is not running, which
    /// fetch-crls says without failing.
    @Test func fetchesThroughTheProxyAndDistributionPointsAndMirrors() throws {
        let pki = try DaemonHarness.makeTempDir() + "/pki"
        try run("/bin/sh", [DaemonHarness.repoRoot + "/scripts/make-test-pki.sh", "--demo", pki],
                env: ["LIENTHONG_CDP_BASE": "http://crl-cdp.lienthong.invalid"])
        let trust = try DaemonHarness.makeTempDir()
        for folder in ["anchors", "tsa"] { try FileManager.default.copyItem(atPath: pki + "/" + folder, toPath: trust + "/" + folder) }
        try FileManager.default.createDirectory(atPath: trust + "/crls", withIntermediateDirectories: true)
        let port = try CRLServer.freePort()
        let served = try DaemonHarness.makeTempDir(), log = served + ".log"
        let proxy = try CRLServer(folder: served, port: port, proxyLog: log)
        try proxy.serve(pki + "/crl-fresh")
        let d = try DaemonHarness(trust: trust, extra: #"crl_urls = ["http://crl-mirror.lienthong.invalid/demo-root.crl"]"#)

        let direct = try runCommand(try ctlBinary(), ["fetch-crls", "--config", d.configPath], env: ["http_proxy": "", "no_proxy": ""])
        #expect(direct.status == 1, "without the proxy nothing can be reached:\n\(direct.stdout)\(direct.stderr)")
        #expect(direct.stdout.contains("could not fetch http://crl-cdp.lienthong.invalid/demo-issuing-ca.crl"), "\(direct.stdout)")

        let proxied = try runCommand(try ctlBinary(), ["fetch-crls", "--config", d.configPath],
                                     env: ["http_proxy": "http://127.0.0.1:\(port)", "no_proxy": ""])
        #expect(proxied.status == 0, "\(proxied.stdout)\(proxied.stderr)")
        #expect(proxied.stdout.contains("lienthongd is not running"), "\(proxied.stdout)")
        let requests = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        for url in ["http://crl-cdp.lienthong.invalid/demo-issuing-ca.crl", "http://crl-cdp.lienthong.invalid/demo-root.crl",
                    "http://crl-mirror.lienthong.invalid/demo-root.crl"] {
            #expect(requests.contains(url), "the proxy saw:\n\(requests)")
        }
        #expect(Self.crlFiles(trust).count == 2, "\(Self.crlFiles(trust).keys.sorted())")
    }
}
