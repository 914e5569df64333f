import Foundation
import LienThongCore
import LienThongSpool
import Testing

/// The read side lienthongctl uses, on a real SQLite ledger written through
/// the daemon's own Ledger API.
@Suite struct LedgerReaderTests {
    static func withLedger(_ body: (Ledger, String) throws -> Void) throws {
        var template = Array("/tmp/lienthong-reporttest-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw POSIXError(.EIO) }
        let dir = String(cString: p)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/ledger.sqlite"
        try body(try Ledger(path: path), path)
    }

    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)

    /// A submission with files, decided or left gathering.
    @discardableResult
    static func make(_ ledger: Ledger, id: String, unit: String, files: [(String, FileRole)], decide: (accepted: Bool, reasons: [ReasonCode])?,
                     at: Date = t0) throws -> String {
        try ledger.createSubmission(id: id, unit: unit, key: "k-\(id)", pairing: SubmissionPairing(.name("k")), isFolder: false, at: at)
        for (name, role) in files {
            try ledger.addFile(submission: id, name: name, source: "/outbox/\(name)", at: at)
            try ledger.markClaimed(submission: id, name: name, at: at)
            if decide != nil { try ledger.recordFacts(submission: id, name: name, size: 10, sha256: String(repeating: "a", count: 64), role: role) }
        }
        if let d = decide {
            try ledger.decide(submission: id, accepted: d.accepted, numbered: true, year: 2025, reasons: d.reasons, placement: "/archive/\(id)",
                              at: at.addingTimeInterval(120)) { _ in ("{\"verdict\":\"x\"}", "text", "{}") }
        }
        return id
    }

    @Test func pendingHeldAndHistory() throws {
        try Self.withLedger { ledger, path in
            try Self.make(ledger, id: "20250615-000001-aaaa", unit: "U1", files: [("a_scan.pdf", .scan)], decide: nil)
            try Self.make(ledger, id: "20250615-000002-bbbb", unit: "U2", files: [("b.pdf", .electronic), ("b_scan.pdf", .scan)],
                          decide: (true, []))
            #expect(try ledger.setHeld("20250615-000001-aaaa", true, by: "uid 0", at: Self.t0) == .changed)
            #expect(try ledger.setHeld("20250615-000001-aaaa", true, by: "uid 0", at: Self.t0) == .unchanged)
            #expect(try ledger.setHeld("20250615-000002-bbbb", true, by: "uid 0", at: Self.t0) == .notPending(state: .decided, verdict: .accepted))
            #expect(try ledger.setHeld("nope", true, by: "uid 0", at: Self.t0) == .unknown)

            let reader = try LedgerReader(path: path)
            let pending = try reader.pending()
            #expect(pending.map(\.id) == ["20250615-000001-aaaa"])
            #expect(pending[0].held)
            #expect(try reader.stateCounts() == ["gathering": 1, "decided": 1, "held": 1])
            #expect(try reader.events(of: "20250615-000001-aaaa").map(\.event) == ["created", "claimed", "held"])
            #expect(try reader.resolve("20250615-000002") == .found("20250615-000002-bbbb"))
            #expect(try reader.resolve("20250615-00000") == .ambiguous(["20250615-000001-aaaa", "20250615-000002-bbbb"]))
            // LIKE wildcards in what was typed match only themselves.
            #expect(try reader.resolve("2025%") == .none)
            #expect(try reader.resolve("2025061_") == .none)
            let files = try reader.files(of: "20250615-000002-bbbb")
            #expect(files.map(\.role) == ["electronic", "scan"])
            #expect(try reader.deliveries(of: nil)?.isEmpty == true, "the daemon's ledger always has the deliveries table, empty here")
            #expect(try reader.deliveryCounts() == [:])
        }
    }

    @Test func reportRowsKnowWhichCameElectronically() throws {
        try Self.withLedger { ledger, path in
            try Self.make(ledger, id: "s1", unit: "U1", files: [("a.pdf", .electronic)], decide: (true, []))
            try Self.make(ledger, id: "s2", unit: "U1", files: [("b_scan.pdf", .scan)], decide: (false, [.missingElectronic]))
            try Self.make(ledger, id: "s3", unit: "U1", files: [("c.pdf", .electronic)], decide: (false, [.certificateRevoked, .signerNotOfUnit]),
                          at: Self.t0.addingTimeInterval(86400 * 400))
            let rows = try LedgerReader(path: path).reportRows(from: Self.t0.addingTimeInterval(-1), to: Self.t0.addingTimeInterval(86400))
            #expect(rows.map(\.record.id) == ["s1", "s2"])
            #expect(rows.map(\.electronic) == [true, false])
            #expect(rows[1].record.reasons == [.known(.missingElectronic)])
            #expect(rows[0].record.decidedAt == Self.t0.addingTimeInterval(120))
            // The report rows are the very records the daemon's ledger reads,
            // less the receipt texts the report has no use for.
            let records = try ["s1", "s2"].compactMap { try ledger.submission($0) }
            #expect(records.allSatisfy { $0.receipt != nil && $0.receiptText != nil && $0.report != nil })
            #expect(rows.map(\.record) == records.map { var r = $0; (r.receipt, r.receiptText, r.report) = (nil, nil, nil); return r })
        }
    }

    @Test func deferredDeliveriesAreMadeDueAndCounted() throws {
        try Self.withLedger { ledger, path in
            try Self.make(ledger, id: "o1", unit: "OFFICE", files: [("x.pdf", .electronic)], decide: (true, []))
            let db = try SQLiteDatabase(path: path)
            try db.execute(Self.deliveriesSchema)
            for (recipient, state) in [("U1", "deferred"), ("U2", "deferred"), ("U3", "delivered"), ("U4", "failed")] {
                try db.query("INSERT INTO deliveries(submission, recipient, state, attempts, next_attempt) VALUES('o1', ?, ?, 2, 9e9)",
                             [.text(recipient), .text(state)])
            }
            let now = Self.t0.addingTimeInterval(500)
            // Deferred ones become due; a failed one gets a fresh lifetime.
            #expect(try ledger.retryDeferredDeliveries(submission: "o1", now: now) == 3)
            #expect(try ledger.retryDeferredDeliveries(submission: "other", now: now) == 0)
            let reader = try LedgerReader(path: path)
            #expect(try reader.deliveryCounts() == ["deferred": 3, "delivered": 1])
            let due = try reader.deliveries(of: "o1", states: ["deferred"]) ?? []
            #expect(due.map(\.recipient) == ["U1", "U2", "U4"])
            #expect(due.allSatisfy { $0.nextAttempt == now })
            #expect(try reader.events(of: "o1").last?.event == "delivery retry requested")
        }
    }

    @Test func findFiltersByVerdictOrPending() throws {
        try Self.withLedger { ledger, path in
            try Self.make(ledger, id: "k1", unit: "U1", files: [("a.pdf", .electronic)], decide: (true, []))
            try Self.make(ledger, id: "k2", unit: "U1", files: [("b_scan.pdf", .scan)], decide: (false, [.missingElectronic]))
            try Self.make(ledger, id: "k3", unit: "U1", files: [("c_scan.pdf", .scan)], decide: nil)
            let reader = try LedgerReader(path: path)
            func ids(_ typed: String?) throws -> [String] {
                try reader.find(.init(text: "k", verdict: typed.flatMap(LedgerReader.VerdictFilter.init))).map(\.id)
            }
            #expect(try ids(nil) == ["k3", "k2", "k1"])
            #expect(try ids("accepted") == ["k1"])
            #expect(try ids("rejected") == ["k2"])
            #expect(try ids("pending") == ["k3"])
            #expect(LedgerReader.VerdictFilter("Accepted") == nil)
        }
    }

    /// A ledger outlives versions: a reason code this version does not know
    /// (written by another one) is kept as its text, and the row is still
    /// listed and counted.
    @Test func textFromAnotherVersionIsKeptNotDropped() throws {
        try Self.withLedger { ledger, path in
            try Self.make(ledger, id: "s1", unit: "U1", files: [("a_scan.pdf", .scan)], decide: (false, [.missingElectronic]))
            let db = try SQLiteDatabase(path: path)
            try db.execute("UPDATE submissions SET reasons = 'missing-electronic,a-future-code' WHERE id = 's1'")
            let reader = try LedgerReader(path: path)
            let found = try reader.find(.init(text: "s1"))
            #expect(found.map(\.id) == ["s1"])
            #expect(found.first?.reasons == [.known(.missingElectronic), .other("a-future-code")])
            #expect(found.first?.reasons.map(\.rawValue) == ["missing-electronic", "a-future-code"])
            #expect(found.first?.reasonCodes == [.missingElectronic])
            #expect(try reader.reportRows(from: Self.t0.addingTimeInterval(-1), to: Self.t0.addingTimeInterval(1)).count == 1)
        }
    }

    @Test func oldLedgersGainTheHeldColumnAndAMissingLedgerIsNamed() throws {
        var template = Array("/tmp/lienthong-reporttest-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw POSIXError(.EIO) }
        let dir = String(cString: p)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/ledger.sqlite"
        do {
            // The schema before holds existed.
            let old = try SQLiteDatabase(path: path)
            try old.execute("""
                CREATE TABLE submissions(id TEXT PRIMARY KEY, unit TEXT NOT NULL, key TEXT NOT NULL, pairing TEXT NOT NULL,
                  is_folder INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL, first_arrival REAL NOT NULL, last_arrival REAL NOT NULL,
                  verdict TEXT, reasons TEXT, arrival_year INTEGER, arrival_number INTEGER, receipt TEXT, receipt_text TEXT, report TEXT,
                  decided_at REAL, placement TEXT);
                INSERT INTO submissions(id, unit, key, pairing, state, first_arrival, last_arrival) VALUES('old', 'U', 'k', 'key:k', 'gathering', 1, 1);
                """)
            // A reader copes with the old schema too (a ctl newer than the daemon).
            #expect(try LedgerReader(path: path).pending().first?.held == false)
        }
        let ledger = try Ledger(path: path)
        #expect(try ledger.isHeld("old") == false)
        #expect(try ledger.setHeld("old", true, by: "test", at: Self.t0) == .changed)
        _ = try Ledger(path: path)  // migrating twice is harmless
        #expect(try ledger.isHeld("old"))
        do {
            _ = try LedgerReader(path: dir + "/missing.sqlite")
            Issue.record("a missing ledger was opened")
        } catch {
            #expect("\(error)".contains("no ledger at \(dir)/missing.sqlite"))
            #expect(!FileManager.default.fileExists(atPath: dir + "/missing.sqlite"))
        }
    }

    static let deliveriesSchema = """
        CREATE TABLE IF NOT EXISTS deliveries(
          submission TEXT NOT NULL REFERENCES submissions(id),
          recipient TEXT NOT NULL,
          path TEXT,
          state TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt REAL,
          last_error TEXT,
          delivered_at REAL,
          PRIMARY KEY(submission, recipient)
        );
        """
}
