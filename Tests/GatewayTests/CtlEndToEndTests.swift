import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `lienthongctl` against the real daemon: the queue and what waits, holds
/// that survive a restart, a submission's history, status, the compliance
/// report (rendered by a real headless Chromium), and a control socket that
/// shrugs off broken clients.
@Suite(.serialized)
struct CtlEndToEndTests {
    let sto = "000.00.21.H41"  // Sở Thông tin và Truyền thông (department)
    let vinh = "000.00.41.H41"  // a district

    static var today: String {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        let d = c.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", d.year!, d.month!, d.day!)
    }

    /// The one pending submission, once the daemon has claimed it.
    func waitForPending(_ d: DaemonHarness, count: Int = 1) throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        try d.waitFor("\(count) pending in lienthongctl queue", timeout: 20) {
            items = ((try? Ctl.json(d, ["queue"]))?["submissions"] as? [[String: Any]]) ?? []
            return items.count == count && items.allSatisfy { ($0["waitingFor"] as? String)?.hasPrefix("its files") == false }
        }
        return items
    }

    @Test func holdSurvivesRestartAndReleaseDecidesAtOnce() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        // A window long enough to hold the submission before it ends, even
        // on a busy machine; the test then waits it out.
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "12s")
        try d.start()
        try d.drop([pair.scan], into: sto)
        let pending = try waitForPending(d)
        let item = pending[0]
        let id = try #require(item["id"] as? String)
        #expect(item["unit"] as? String == sto)
        #expect(item["key"] as? String == "4116-UBND-CN")
        #expect((item["waitingFor"] as? String)?.contains("electronic version") == true, "\(item)")
        #expect(item["held"] as? Bool == false)
        #expect((item["files"] as? [String]) == ["4116-UBND-CN_scan.pdf"])
        let shape = try #require((try Ctl.json(d, ["queue"]))["shape"] as? [String: Any])
        #expect((shape["units"] as? [String: [Int]])?[sto]?.reduce(0, +) == 1)
        let queueText = try Ctl.run(d, ["queue"])
        #expect(queueText.status == 0)
        #expect(queueText.out.contains(id) && queueText.out.contains("the electronic version") && queueText.out.contains(">=24h"))

        // 'all' in lower case is refused as a guard; nothing is held.
        let lower = try Ctl.run(d, ["hold", "all"])
        #expect(lower.status == 2)
        #expect(lower.err.contains("ALL in capitals"))
        // The start of the id is enough.
        let hold = try Ctl.run(d, ["hold", String(id.prefix(15))])
        #expect(hold.status == 0, "\(hold.err)")
        #expect(hold.out.contains("held \(id)"))
        #expect(try Ctl.run(d, ["hold", id]).out.contains("already held"))

        // The window ends; nothing is decided.
        let windowEnds = try #require(ISO8601DateFormatter().date(from: item["windowEnds"] as? String ?? ""), "\(item)")
        try d.waitFor("the pairing window to pass", timeout: 30) { Date() > windowEnds.addingTimeInterval(2) }
        // Only its pending notice: no decision's receipt.
        #expect(d.receiptNames(sto) == ["4116-UBND-CN.pending.json", "4116-UBND-CN.pending.txt"])
        let held = try waitForPending(d)
        #expect(held[0]["held"] as? Bool == true)
        #expect((held[0]["waitingFor"] as? String)?.contains("held") == true)

        // Restart: still held.
        #expect(d.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: d.spool + "/state/control.sock"), "socket left behind after a clean stop")
        try d.start()
        let status = try Ctl.json(d, ["status"])
        let daemon = try #require(status["daemon"] as? [String: Any])
        #expect(daemon["running"] as? Bool == true)
        #expect((daemon["foldersWatched"] as? Int ?? 0) >= 4)
        #expect(daemon["openInMemory"] as? Int == 1)
        let ledger = try #require(status["ledger"] as? [String: Any])
        #expect((ledger["states"] as? [String: Int])?["held"] == 1)
        #expect((ledger["oldestPending"] as? [String: Any])?["id"] as? String == id)
        usleep(1_500_000)  // recovery looks at every open submission right after start
        #expect(d.receiptNames(sto) == ["4116-UBND-CN.pending.json", "4116-UBND-CN.pending.txt"],
                "a held submission was decided after a restart")
        #expect((try waitForPending(d))[0]["held"] as? Bool == true)

        // Release: the window is long past, so it is decided at once.
        let release = try Ctl.run(d, ["release", id])
        #expect(release.status == 0, "\(release.err)")
        #expect(release.out.contains("decided: rejected"), "\(release.out)")
        let receipt = try d.receipt(sto, key: "4116-UBND-CN", verdict: "rejected", timeout: 5)
        #expect(((receipt["reasons"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } == ["missing-electronic"])

        // Decided: no longer holdable.
        let late = try Ctl.run(d, ["hold", id])
        #expect(late.status == 1)
        #expect(late.err.contains("already decided (rejected)"))

        // Its whole history.
        let show = try Ctl.run(d, ["show", id])
        #expect(show.status == 0)
        #expect(show.out.contains(try sha256(pair.scan)))
        for word in ["4116-UBND-CN_scan.pdf", "scan", "created", "claimed", "held", "released", "rejected", "placed", "missing-electronic"] {
            #expect(show.out.contains(word), "show lacks \(word):\n\(show.out)")
        }
        let shown = try Ctl.json(d, ["show", id])
        #expect(shown["state"] as? String == "placed")
        #expect((shown["receipt"] as? [String: Any])?["verdict"] as? String == "rejected")
        #expect(((shown["events"] as? [[String: Any]]) ?? []).compactMap { $0["event"] as? String }.contains("held"))
        #expect((shown["deliveries"] as? [Any])?.isEmpty == true)
        #expect(try Ctl.run(d, ["show", "no-such-id"]).status == 1)
        #expect(d.stop() == 0)
    }

    @Test func complianceReportAsCSVAndAsHTMLRenderedByChromium() throws {
        let pair = try Fixtures.samplePair(key: "77-UBND-VX")
        let scanOnly = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "2s")
        try d.start()
        try d.drop([pair.electronic, pair.scan], into: sto)
        try d.drop([scanOnly.scan], into: sto)
        try d.drop([scanOnly.scan], into: vinh)
        _ = try d.receipt(sto, key: "77-UBND-VX", verdict: "accepted", timeout: 30)
        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "rejected", timeout: 30)
        _ = try d.receipt(vinh, key: "4116-UBND-CN", verdict: "rejected", timeout: 30)

        let csv = try Ctl.run(d, ["report", "--from", Self.today, "--to", Self.today, "--format", "csv"])
        #expect(csv.status == 0, "\(csv.err)")
        let rows = csv.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { $0.components(separatedBy: ",") }
        let header = try #require(rows.first)
        func value(_ unit: String, _ column: String) -> String? {
            guard let c = header.firstIndex(of: column), let row = rows.first(where: { $0.first == unit }) else { return nil }
            return row[c]
        }
        #expect(csv.out.hasPrefix("\u{FEFF}Mã đơn vị,"), "a BOM for Excel and Vietnamese headers")
        #expect(value(sto, "Tiếp nhận") == "2")
        #expect(value(sto, "Chấp nhận") == "1")
        #expect(value(sto, "Trả lại: missing-electronic") == "1")
        #expect(value(sto, "Tỷ lệ văn bản điện tử") == "0.5000")
        #expect(value(vinh, "Trả lại: missing-electronic") == "1")
        #expect(value(vinh, "Tỷ lệ văn bản điện tử") == "0.0000")
        #expect(value("TOTAL", "Tiếp nhận") == "3")
        // The office's own row is not part of a compliance report.
        #expect(!rows.contains { $0.first == "000.00.00.H41" })
        // Only the districts.
        let districts = try Ctl.run(d, ["report", "--from", Self.today, "--to", Self.today, "--format", "csv", "--level", "district"])
        #expect(districts.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }.map { $0.components(separatedBy: ",")[0] }
            == ["\u{FEFF}Mã đơn vị", vinh, "level:district", "TOTAL"], "\(districts.out)")
        #expect(try Ctl.run(d, ["report", "--from", Self.today, "--to", Self.today, "--level", "county"]).status != 0)
        // Another period: nothing.
        let empty = try Ctl.run(d, ["report", "--from", "2019-01-01", "--to", "2019-12-31", "--format", "csv"])
        #expect(empty.out.contains("\r\nTOTAL,Tổng cộng / Total,,,,,0,0,0,0,"))
        let bad = try Ctl.run(d, ["report", "--from", "2025-02-30", "--to", Self.today])
        #expect(bad.status != 0 && bad.err.contains("--from 2025-02-30"))

        let html = d.dir + "/report.html"
        let made = try Ctl.run(d, ["report", "--from", Self.today, "--to", Self.today, "--format", "html", "--output", html])
        #expect(made.status == 0, "\(made.err)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("Sở Thông tin và Truyền thông"))
        #expect(!page.contains("<script"))
        try renderInChromium(html, dir: d.dir)
        d.stop()
    }

    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Opens the page in headless Chromium (installed by scripts/deps.sh):
    /// the DOM it built has the figures, and the screenshot is a real
    /// picture with the report's bar colours in it.
    func renderInChromium(_ html: String, dir: String) throws {
        guard let chromium = Self.chromium else {
            // deps.sh and .ci/run install it; only a machine where it cannot be installed gets here.
            print("SKIPPED the Chromium rendering check: chromium is not installed (apt-get install chromium)")
            return
        }
        let profile = dir + "/chromium-profile"
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--hide-scrollbars"]
        let dom = try run(chromium, common + ["--dump-dom", "file://" + html], env: ["HOME": dir])
        #expect(dom.contains("<table id=\"summary\">"))
        // Figures as Chromium parsed them: the Sở TT&TT row says 2 received, 1 accepted, 1 rejected, 1 missing-electronic.
        let row = dom.range(of: "<tr data-unit=\"\(sto)\">.*?</tr>", options: .regularExpression).map { String(dom[$0]) } ?? ""
        #expect(row.contains("<td class=\"n\">2</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n bad\">1</td>"), "\(row)")
        #expect(dom.contains("<section class=\"unit\" data-unit=\"\(vinh)\">"))
        #expect(dom.contains("<svg id=\"overview\""))
        #expect(dom.components(separatedBy: "<svg").count - 1 == 3, "the overview and one chart per unit with submissions")
        let shot = dir + "/report.png"
        _ = try run(chromium, common + ["--screenshot=\(shot)", "--window-size=1400,1600", "file://" + html], env: ["HOME": dir])
        let probe = try PNGProbe.probe(shot, colours: ["#2e7d32", "#c62828"])
        #expect(probe.distinct > 50, "the screenshot looks blank (\(probe.distinct) colours)")
        #expect(probe.present["#2e7d32"] == true, "no accepted bar in the screenshot")
        #expect(probe.present["#c62828"] == true, "no missing-electronic bar in the screenshot")
    }

    /// A real deferred delivery (an inbox that is a file, not a folder):
    /// `status` counts it, `show` lists it with its error, and once the folder
    /// is back `retry` through the daemon delivers it now instead of after the
    /// 30 s backoff.
    @Test func retryDeliversADeferredDeliveryNowAndStatusAndShowListIt() throws {
        let pdf = try Fixtures.samplePair(key: "34-GM-UBND").electronic
        let d = try FanoutDaemonTests.harness(lifetime: "1h")
        try d.start()
        let broken = "000.00.42.H41"
        try d.replaceInboxWithAFile(broken)
        try d.dropOutbound(manifest: #"{"recipients": ["districts"]}"#, key: "34-GM-UBND")
        try d.dropOutbound(file: pdf)
        let r = try d.officeReceipt("34-GM-UBND", verdict: "accepted") { $0.deliveryStates == ["delivered", "deferred", "delivered"] }
        let id = try #require(r["submission"] as? String)

        let status = try Ctl.json(d, ["status"])
        let deliveries = ((status["ledger"] as? [String: Any])?["deliveries"] as? [String: Int]) ?? [:]
        #expect(deliveries == ["deferred": 1, "delivered": 2], "\(status)")
        let line = (status["daemon"] as? [String: Any])?["statusLine"] as? String ?? ""
        #expect(line.contains("; 1 deliveries deferred"), "the STATUS line systemd shows: \(line)")
        let show = try Ctl.run(d, ["show", id])
        #expect(show.out.contains("deliveries:") && show.out.contains(broken) && show.out.contains("not a folder"), "\(show.out)")

        try d.restoreInbox(broken)
        let lower = try Ctl.run(d, ["retry", "all"])
        #expect(lower.status == 2, "lower-case all is refused")
        let retry = try Ctl.run(d, ["retry", String(id.prefix(15))])
        #expect(retry.status == 0, "\(retry.err)")
        #expect(retry.out.contains("1 deferred delivery of \(id) will be tried again now"), "\(retry.out)")
        // Well inside the 30 s the backoff would have waited.
        _ = try d.officeReceipt("34-GM-UBND", verdict: "accepted", timeout: 20) { $0.deliveryStates == ["delivered", "delivered", "delivered"] }
        #expect(d.inboxNames(broken) == ["34-GM-UBND.pdf"])
        let shown = try Ctl.json(d, ["show", id])
        #expect(((shown["events"] as? [[String: Any]]) ?? []).contains { $0["event"] as? String == "delivery retry requested" })
        let none = try Ctl.run(d, ["retry", "ALL"])
        #expect(none.status == 0 && none.out.contains("0 deferred deliveries"), "\(none.out)\(none.err)")
        #expect(d.stop() == 0)
    }

    @Test func controlSocketShrugsOffBrokenClients() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        let socket = d.spool + "/state/control.sock"
        // The socket is the owner's only.
        var st = stat()
        #expect(lstat(socket, &st) == 0 && (st.st_mode & 0o777) == 0o600)

        // A client that connects and says nothing does not hold the loop up:
        // another one is answered meanwhile, and the silent one is dropped.
        let silent = try RawControl.connect(socket)
        defer { close(silent) }
        let status = try Ctl.run(d, ["status"])
        #expect(status.status == 0, "\(status.out)\(status.err)")
        #expect(status.out.contains("lienthongd: running"))

        // A request that arrives in pieces is put together.
        let split = try RawControl.connect(socket)
        _ = Array("{\"command\":".utf8).withUnsafeBytes { send(split, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        usleep(300_000)
        _ = Array("\"status\"}\n".utf8).withUnsafeBytes { send(split, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        var answer = [UInt8](repeating: 0, count: 1 << 20), got = 0
        while got < answer.count, !answer[0..<got].contains(10) {
            let n = answer[got...].withUnsafeMutableBytes { recv(split, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            got += n
        }
        close(split)
        #expect(String(decoding: answer[0..<got], as: UTF8.self).contains("\"ok\":true"))

        let bogus = try RawControl.exchange(socket, Array("hello there\n".utf8))
        #expect(bogus.contains("\"ok\":false") && bogus.contains("not a request"), "\(bogus)")
        let unknown = try RawControl.exchange(socket, Array("{\"command\":\"rm -rf\"}\n".utf8))
        #expect(unknown.contains("unknown command"), "\(unknown)")
        let oversized = try RawControl.exchange(socket, [UInt8](repeating: UInt8(ascii: "x"), count: 200_000))
        #expect(oversized.contains("longer than 65536 bytes"), "\(oversized)")
        let lowerAll = try RawControl.exchange(socket, Array("{\"command\":\"release\",\"id\":\"all\"}\n".utf8))
        #expect(lowerAll.contains("ALL in capitals"), "\(lowerAll)")

        var buffer = [UInt8](repeating: 0, count: 16)
        try d.waitFor("the silent client to be dropped", timeout: 30) { recv(silent, &buffer, buffer.count, Int32(MSG_DONTWAIT)) == 0 }
        #expect(d.log.contains("did not finish within"))

        // The daemon still does its job.
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        try d.drop([pair.electronic, pair.scan], into: sto)
        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted", timeout: 30)

        // Killed hard, the socket file stays; the next start finds nobody
        // listening on it and takes it over.
        d.killHard()
        #expect(FileManager.default.fileExists(atPath: socket))
        let down = try Ctl.run(d, ["status"])
        #expect(down.status == 3)
        #expect(down.out.contains("NOT REACHABLE"))
        try d.start()
        #expect(try Ctl.run(d, ["status"]).status == 0)

        // Another user is refused by the daemon itself (SO_PEERCRED), even
        // if the folder and socket permissions were opened up by mistake.
        if geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            var path = d.spool + "/state"
            while path.count > 1 { chmod(path, 0o755); path = (path as NSString).deletingLastPathComponent; if path == "/tmp" { break } }
            chmod(socket, 0o666)
            let script = "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); \ntry: s.sendall(b'{\"command\":\"hold\",\"id\":\"ALL\"}\\n')\nexcept BrokenPipeError: pass\nprint(s.recv(4096).decode())"
            let answer = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, socket])
            #expect(answer.contains("refused: uid 65534"), "\(answer)")
            #expect(d.log.contains("control request refused"))
        }
        #expect(d.stop() == 0)
    }
}
