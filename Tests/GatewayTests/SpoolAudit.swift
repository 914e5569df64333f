import Foundation
import LienThongSpool
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension Fixtures {
    /// `<key>.pdf` (signed) and `<key>_scan.pdf` for every key, made by one
    /// python process (hundreds of samples in about a second).
    static func batch(keys: [String]) throws -> String {
        let trust = try trust()
        let out = try DaemonHarness.makeTempDir()
        try run("/usr/bin/env", ["python3", DaemonHarness.repoRoot + "/scripts/fixtures/make_batch.py", trust, out] + keys,
                env: ["PYTHONDONTWRITEBYTECODE": "1"])
        return out
    }
}

/// The promises of SPEC §10 checked on a stopped daemon's spool: every
/// dropped file is in exactly one archive place, byte for byte; one receipt
/// per submission; arrival numbers without gaps or repeats; the ledger
/// agrees with the folders; nothing is left in queue/ or the outboxes.
struct SpoolAudit {
    struct Dropped: Hashable { var unit: String, name: String, sha256: String }

    struct Report {
        var submissions: [String: [String: Any]] = [:]  // receipt JSON by submission id
        var archivedBySubmission: [String: [String]] = [:]
        var problems: [String] = []
    }

    let spool: String

    /// Every file under `archive/**/<id>/files/`, by submission id.
    func archivedFiles() throws -> [(submission: String, relative: String, path: String)] {
        var out: [(String, String, String)] = []
        let archive = spool + "/archive"
        guard let all = FileManager.default.enumerator(atPath: archive) else { return [] }
        for case let rel as String in all {
            let parts = rel.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard let filesAt = parts.firstIndex(of: "files"), filesAt >= 1, filesAt < parts.count - 1 else { continue }
            var st = stat()
            guard lstat(archive + "/" + rel, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else { continue }
            out.append((parts[filesAt - 1], parts[(filesAt + 1)...].joined(separator: "/"), archive + "/" + rel))
        }
        return out
    }

    func check(dropped: [Dropped], units: [String], expectAccepted: Int? = nil) throws -> Report {
        var report = Report()
        func problem(_ s: String) { report.problems.append(s) }

        // Receipts: one JSON per submission, the text beside it.
        var receiptCount: [String: Int] = [:]
        for unit in units {
            let dir = spool + "/units/\(unit)/receipts"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []) {
                if name.hasPrefix(".") { problem("stray hidden file in receipts: \(unit)/\(name)"); continue }
                // Everything is decided when the audit runs: a pending notice
                // left is one its receipt failed to replace.
                if name.hasSuffix(".pending.json") || name.hasSuffix(".pending.txt") {
                    problem("stale pending notice beside the decisions: \(unit)/\(name)"); continue
                }
                guard name.hasSuffix(".json") else { continue }
                let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
                guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any], let id = json["submission"] as? String else {
                    problem("unreadable receipt \(name)"); continue
                }
                receiptCount[id, default: 0] += 1
                report.submissions[id] = json
                let text = dir + "/" + String(name.dropLast(5)) + ".txt"
                if !FileManager.default.fileExists(atPath: text) { problem("receipt \(name) has no text beside it") }
            }
        }
        for (id, n) in receiptCount where n != 1 { problem("submission \(id) has \(n) receipts") }

        // Archive: every dropped file exactly once, byte-identical.
        let archived = try archivedFiles()
        var seen: [String: Int] = [:]  // "unit|name|sha"
        for a in archived {
            report.archivedBySubmission[a.submission, default: []].append(a.relative)
            var st = stat()
            let sha: String
            if lstat(a.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { sha = try sha256(a.path) } else { sha = "not-regular" }
            let unit = (report.submissions[a.submission]?["unit"] as? String) ?? "?"
            seen["\(unit)|\(a.relative.precomposedStringWithCanonicalMapping)|\(sha)", default: 0] += 1
            if report.submissions[a.submission] == nil { problem("archived submission \(a.submission) has no receipt") }
        }
        for d in dropped {
            let n = seen["\(d.unit)|\(d.name.precomposedStringWithCanonicalMapping)|\(d.sha256)"] ?? 0
            if n != 1 { problem("\(d.unit)/\(d.name) is archived \(n) times (whole and unchanged)") }
        }
        for id in report.submissions.keys where report.archivedBySubmission[id] == nil {
            problem("receipt for \(id) but nothing archived")
        }

        // Arrival numbers: 1…N, each once.
        let numbers = report.submissions.values.compactMap { $0["arrival_number"] as? Int }.sorted()
        if numbers != Array(stride(from: 1, through: numbers.count, by: 1)) {
            problem("arrival numbers are not 1…\(numbers.count) without gaps or repeats: \(numbers)")
        }
        if let expectAccepted, numbers.count != expectAccepted { problem("\(numbers.count) accepted, expected \(expectAccepted)") }

        // Nothing left behind.
        let queue = ((try? FileManager.default.contentsOfDirectory(atPath: spool + "/queue")) ?? []).filter { !$0.hasPrefix(".") }
        if !queue.isEmpty { problem("queue/ still holds \(queue.prefix(5))") }
        for unit in units {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: spool + "/units/\(unit)/outbox")) ?? []
            if !left.isEmpty { problem("outbox of \(unit) still holds \(left.prefix(5))") }
        }

        // The ledger agrees with the folders.
        let db = try SQLiteDatabase(path: spool + "/state/ledger.sqlite", readOnly: true)
        let rows = try db.query("SELECT id, state, verdict, arrival_number, placement FROM submissions")
        var ledgerIDs: Set<String> = []
        for r in rows {
            let id = r[0].string ?? ""
            ledgerIDs.insert(id)
            if r[1].string != "placed" { problem("ledger: \(id) is \(r[1].string ?? "?"), not placed") }
            guard let receipt = report.submissions[id] else { problem("ledger: \(id) has no receipt"); continue }
            if r[2].string != receipt["verdict"] as? String { problem("ledger verdict of \(id) differs from its receipt") }
            if r[3].int.map(Int.init) != receipt["arrival_number"] as? Int { problem("ledger arrival number of \(id) differs from its receipt") }
            if let place = r[4].string, !FileManager.default.fileExists(atPath: place + "/receipt.json") {
                problem("ledger places \(id) at \(place), which has no receipt.json")
            }
            let files = try db.query("SELECT name, sha256 FROM files WHERE submission = ?", [.text(id)])
            let inArchive = Set(report.archivedBySubmission[id] ?? [])
            if Set(files.compactMap { $0[0].string }) != inArchive {
                problem("ledger files of \(id) \(files.compactMap { $0[0].string }.sorted()) differ from the archive \(inArchive.sorted())")
            }
        }
        for id in report.submissions.keys where !ledgerIDs.contains(id) { problem("receipt \(id) unknown to the ledger") }
        return report
    }
}

/// Waits that give their thread back: the long daemon tests would otherwise
/// hold the test runner's few cooperative threads (two on this machine) for
/// minutes and starve the async tests of other suites.
extension DaemonHarness {
    func waitUntil(_ what: String, timeout: Double, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            if let p = process, !p.isRunning { throw HarnessError("daemon exited (\(p.terminationStatus)) while waiting for \(what); log:\n\(log)") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        // A busy test runner may resume this task long after the deadline:
        // look once more before calling it a timeout.
        if condition() { return }
        throw HarnessError("timed out after \(timeout) s waiting for \(what); log:\n\(log)")
    }

    func receiptAsync(_ unit: String, key: String, verdict: String, timeout: Double = 30) async throws -> [String: Any] {
        let path = receipts(unit) + "/\(key).\(verdict).json"
        try await waitUntil("receipt \(path)", timeout: timeout) { FileManager.default.fileExists(atPath: path) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw HarnessError("receipt is not an object") }
        return json
    }

    func receiptAsync(_ unit: String, listing file: String, timeout: Double = 30) async throws -> [String: Any] {
        var found: [String: Any]?
        try await waitUntil("a receipt listing \(file.debugDescription)", timeout: timeout) {
            found = allReceipts(unit).first { r in
                ((r["files"] as? [[String: Any]]) ?? []).contains { ($0["name"] as? String) == file.precomposedStringWithCanonicalMapping }
            }
            return found != nil
        }
        return found!
    }
}

func pause(_ microseconds: Int) async throws { try await Task.sleep(nanoseconds: UInt64(microseconds) * 1000) }

/// The submissions the kill and power-cut tests drop: each one's files for
/// one unit, in a seeded order, staged on the spool's file system so that
/// each file appears in its outbox whole, by a rename.
struct StagedDrops {
    struct Drop { var unit: String, files: [String] }
    let drops: [Drop]
    let staging: String
    /// Every staged file, with its sha256, for the audit.
    let dropped: [SpoolAudit.Dropped]

    init(_ drops: [Drop], samples: String, in d: DaemonHarness, rng: inout SeededRandom) throws {
        var shuffled = drops
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.below(i + 1)) }
        self.drops = shuffled
        staging = d.dir + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        var dropped: [SpoolAudit.Dropped] = []
        for drop in shuffled {
            for f in drop.files {
                try FileManager.default.copyItem(atPath: samples + "/" + f, toPath: staging + "/" + f)
                dropped.append(.init(unit: drop.unit, name: f, sha256: try sha256(samples + "/" + f)))
            }
        }
        self.dropped = dropped
    }

    /// Renames the files of `drops[range]` into their outboxes.
    func drop(_ range: Range<Int>, into d: DaemonHarness) {
        for drop in drops[range] {
            for f in drop.files { #expect(rename(staging + "/" + f, d.outbox(drop.unit) + "/" + f) == 0) }
        }
    }

    /// Waits until every dropped file is named in some receipt and queue/ is empty.
    func waitUntilAllDecided(_ d: DaemonHarness, units: [String], timeout: Double) async throws {
        let names = Set(dropped.map { "\($0.unit)|\($0.name)" })
        try await d.waitUntil("every dropped file decided", timeout: timeout) {
            var listed: Set<String> = []
            for unit in units {
                for r in d.allReceipts(unit) {
                    for f in (r["files"] as? [[String: Any]]) ?? [] { listed.insert("\(unit)|\(f["name"] as? String ?? "")") }
                }
            }
            let queue = (try? FileManager.default.contentsOfDirectory(atPath: d.spool + "/queue")) ?? ["?"]
            return names.isSubset(of: listed) && queue.isEmpty
        }
    }
}
