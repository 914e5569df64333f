import Foundation
import LienThongCore

/// The provenance trail in SQLite (`state/ledger.sqlite`): every submission,
/// every file, every state change, the verdicts and the arrival numbers.
///
/// The folders say where bytes are; the ledger says what was decided. A
/// decision — with its arrival number and the exact receipt — is committed
/// here first; placing files and writing receipts follows and is redone from
/// this record after a crash, so nothing is decided or numbered twice.
public final class Ledger {
    /// The record and its states are the domain's (`SubmissionRecord`);
    /// these names keep the daemon's call sites as they were.
    public typealias State = SubmissionRecord.State
    public typealias SubmissionRecord = LienThongCore.SubmissionRecord

    public struct FileRecord: Sendable, Equatable {
        public var submission: String
        public var name: String
        public var source: String
        public var claimed: Bool
        public var arrivedAt: Date
        public var size: Int64?
        public var sha256: String?
        public var role: String?
    }

    let db: SQLiteDatabase
    /// The database file; its write-ahead log is beside it (`-wal`).
    let path: String
    /// Commits that waited for the disk so far, and fsyncs of the log by
    /// `makeDurable`: see `batchWithoutWaiting`.
    public var durableCommits: Int { db.commits - commitsWithoutWaiting + logSyncs }
    var commitsWithoutWaiting = 0
    var logSyncs = 0

    public init(path: String) throws {
        self.path = path
        db = try SQLiteDatabase(path: path)
        // WAL lets lienthongctl read while the daemon writes; FULL makes every
        // commit durable before it returns.
        try db.execute("PRAGMA journal_mode=WAL")
        try db.execute("PRAGMA synchronous=FULL")
        try db.execute("PRAGMA foreign_keys=ON")
        // A group commit's steps are savepoints; what undoes one (the
        // sub-journal) stays in memory instead of a temporary file past
        // 64 KiB. Those files took 78 % of the ledger's writes in a burst of
        // decisions (strace) and a third of the loop's commit CPU (make
        // bench, tmpfs), under /var/tmp. A few MB at most: a batch is
        // bounded (DecideStage.batchLimit, ClaimStage.batchLimit).
        try db.execute("PRAGMA temp_store=MEMORY")
        try migrate()
        try migrateDeliveries()
        try migrateHold()
    }

    private func migrate() throws {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS submissions(
              id TEXT PRIMARY KEY,
              unit TEXT NOT NULL,
              key TEXT NOT NULL,
              pairing TEXT NOT NULL,
              is_folder INTEGER NOT NULL DEFAULT 0,
              state TEXT NOT NULL,
              first_arrival REAL NOT NULL,
              last_arrival REAL NOT NULL,
              verdict TEXT,
              reasons TEXT,
              arrival_year INTEGER,
              arrival_number INTEGER,
              receipt TEXT,
              receipt_text TEXT,
              report TEXT,
              decided_at REAL,
              placement TEXT
            );
            CREATE UNIQUE INDEX IF NOT EXISTS submissions_arrival
              ON submissions(arrival_year, arrival_number) WHERE arrival_number IS NOT NULL;
            CREATE INDEX IF NOT EXISTS submissions_state ON submissions(state);
            -- STATUS counts today's verdicts on every loop turn: read from this
            -- index alone, not by scanning every stored receipt (make bench).
            CREATE INDEX IF NOT EXISTS submissions_decided ON submissions(decided_at, verdict);
            -- Every decision looks for the unit's earlier acceptances of the
            -- same document (same-number warnings): without this index a
            -- scan of every row, 10-36 ms a decision at 30,000 rows.
            CREATE INDEX IF NOT EXISTS submissions_pairing ON submissions(unit, pairing);
            CREATE TABLE IF NOT EXISTS files(
              submission TEXT NOT NULL REFERENCES submissions(id),
              name TEXT NOT NULL,
              source TEXT NOT NULL,
              claimed INTEGER NOT NULL DEFAULT 0,
              arrived_at REAL NOT NULL,
              size INTEGER,
              sha256 TEXT,
              role TEXT,
              PRIMARY KEY(submission, name)
            );
            CREATE INDEX IF NOT EXISTS files_sha ON files(sha256);
            CREATE TABLE IF NOT EXISTS events(
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              submission TEXT,
              at REAL NOT NULL,
              event TEXT NOT NULL,
              detail TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX IF NOT EXISTS events_submission ON events(submission);
            CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """)
    }

    // MARK: submissions

    /// A new id, never reused while the ledger lives: the date, a running
    /// number, and four random hex digits in case a ledger is ever restored
    /// from an old backup.
    public func newSubmissionID(now: Date, timeZone: TimeZone) throws -> String {
        let n = try db.transaction { try bump("submission") }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        // printf's "%04d%02d%02d-%06d-%04x", digit by digit: String(format:)
        // parsed its format and boxed every argument (make profile).
        var id: [UInt8] = []
        id.reserveCapacity(24)
        ZeroPadded.append(c.year ?? 0, width: 4, to: &id)
        ZeroPadded.append(c.month ?? 0, width: 2, to: &id)
        ZeroPadded.append(c.day ?? 0, width: 2, to: &id)
        id.append(UInt8(ascii: "-"))
        ZeroPadded.append(n, width: 6, to: &id)
        id.append(UInt8(ascii: "-"))
        Self.appendHex(UInt16.random(in: 0...UInt16.max), to: &id)
        return String(decoding: id, as: UTF8.self)
    }

    /// `%04x`: four lowercase hex digits.
    static func appendHex(_ v: UInt16, to out: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int((v >> UInt16(shift)) & 0xF)]) }
    }

    private func bump(_ counter: String) throws -> Int {
        try db.query("INSERT INTO counters(name, value) VALUES(?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1", [.text(counter)])
        return Int(try db.query("SELECT value FROM counters WHERE name = ?", [.text(counter)]).first?.first?.int ?? 0)
    }

    public func createSubmission(id: String, unit: String, key: String, pairing: SubmissionPairing, isFolder: Bool, at: Date) throws {
        try db.transaction {
            try db.query(
                "INSERT INTO submissions(id, unit, key, pairing, is_folder, state, first_arrival, last_arrival) VALUES(?,?,?,?,?,?,?,?)",
                [.text(id), .text(unit), .text(key), .text(pairing.description), .int(isFolder ? 1 : 0), .text(State.gathering.rawValue),
                 .double(at.timeIntervalSince1970), .double(at.timeIntervalSince1970)])
            try logEvent(id, at: at, "created", isFolder ? "folder \(key)" : "key \(key)")
        }
    }

    /// Records the intent to claim `source` as `name` before the rename, so a
    /// crash between the two is resolved at start (see Recovery).
    public func addFile(submission: String, name: String, source: String, at: Date) throws {
        try db.transaction {
            try db.query(
                "INSERT INTO files(submission, name, source, claimed, arrived_at) VALUES(?,?,?,0,?)",
                [.text(submission), .text(name), .text(source), .double(at.timeIntervalSince1970)])
            try db.query(
                "UPDATE submissions SET last_arrival = max(last_arrival, ?) WHERE id = ?",
                [.double(at.timeIntervalSince1970), .text(submission)])
        }
    }

    public func markClaimed(submission: String, name: String, at: Date) throws {
        try db.transaction {
            try db.query("UPDATE files SET claimed = 1 WHERE submission = ? AND name = ?", [.text(submission), .text(name)])
            try logEvent(submission, at: at, "claimed", name)
        }
    }

    /// Drops a submission that never got a file (its claim was undone by a crash).
    public func dropEmptySubmission(_ id: String, at: Date) throws {
        try db.transaction {
            let n = try db.query("SELECT count(*) FROM files WHERE submission = ?", [.text(id)]).first?.first?.int ?? 0
            guard n == 0 else { return }
            try db.query("DELETE FROM submissions WHERE id = ? AND state = ?", [.text(id), .text(State.gathering.rawValue)])
            try logEvent(id, at: at, "dropped", "no file was claimed")
        }
    }

    public func forgetFile(submission: String, name: String) throws {
        try db.query("DELETE FROM files WHERE submission = ? AND name = ?", [.text(submission), .text(name)])
    }

    public func recordFacts(submission: String, name: String, size: Int64, sha256: String, role: FileRole) throws {
        try db.query(
            "UPDATE files SET size = ?, sha256 = ?, role = ? WHERE submission = ? AND name = ?",
            [.int(size), .text(sha256), .text(role.rawValue), .text(submission), .text(name)])
    }

    /// Commits a decision. For an accepted submission the next arrival number
    /// of `year` is taken in the same transaction, so numbers have no gaps and
    /// no repeats whatever crashes. `makeReceipt` gets that number and returns
    /// the receipt JSON, its text and the validation report to keep, so a redo
    /// after a crash writes the same bytes.
    @discardableResult
    public func decide(
        submission: String, accepted: Bool, numbered: Bool, year: Int, reasons: [ReasonCode], placement: String, at: Date,
        makeReceipt: (Int?) throws -> (json: String, text: String, report: String)
    ) throws -> Int? {
        try db.transaction {
            let current = try db.query("SELECT state FROM submissions WHERE id = ?", [.text(submission)]).first?.first?.string
            guard current == State.gathering.rawValue else {
                throw SQLiteDatabase.Failure(message: "submission \(submission) is \(current ?? "unknown"), not gathering", sql: "decide")
            }
            let stored = reasons.map(\.rawValue).joined(separator: ",")
            var number: Int?
            if accepted && numbered { number = try bump("arrival:\(year)") }
            let receipt = try makeReceipt(number)
            try db.query(
                """
                UPDATE submissions SET state = ?, verdict = ?, reasons = ?, arrival_year = ?, arrival_number = ?,
                  receipt = ?, receipt_text = ?, report = ?, decided_at = ?, placement = ? WHERE id = ?
                """,
                [.text(State.decided.rawValue), .text(Verdict(accepted: accepted).rawValue), .text(stored),
                 number == nil ? .null : .int(Int64(year)), number.map { .int(Int64($0)) } ?? .null,
                 .text(receipt.json), .text(receipt.text), .text(receipt.report),
                 .double(at.timeIntervalSince1970), .text(placement), .text(submission)])
            try logEvent(submission, at: at, Verdict(accepted: accepted).rawValue,
                         stored + (number.map { " arrival_number=\($0)" } ?? ""))
            return number
        }
    }

    public func markPlaced(submission: String, at: Date) throws {
        try db.transaction {
            try db.query("UPDATE submissions SET state = ? WHERE id = ?", [.text(State.placed.rawValue), .text(submission)])
            try logEvent(submission, at: at, "placed", "")
        }
    }

    public func logEvent(_ submission: String?, at: Date, _ event: String, _ detail: String) throws {
        try db.query(
            "INSERT INTO events(submission, at, event, detail) VALUES(?,?,?,?)",
            [submission.map { .text($0) } ?? .null, .double(at.timeIntervalSince1970), .text(event), .text(detail)])
    }

    // MARK: reading

    public func submissions(in state: State) throws -> [SubmissionRecord] {
        try db.query(Self.selectSubmission + " WHERE state = ? ORDER BY first_arrival", [.text(state.rawValue)]).map(SubmissionRows.record)
    }

    public func submission(_ id: String) throws -> SubmissionRecord? {
        try db.query(Self.selectSubmission + " WHERE id = ?", [.text(id)]).first.map(SubmissionRows.record)
    }

    public func files(of submission: String) throws -> [FileRecord] {
        try db.query(
            "SELECT submission, name, source, claimed, arrived_at, size, sha256, role FROM files WHERE submission = ? ORDER BY arrived_at, name",
            [.text(submission)]
        ).map { r in
            FileRecord(
                submission: r[0].string ?? "", name: r[1].string ?? "", source: r[2].string ?? "", claimed: r[3].int == 1,
                arrivedAt: Date(timeIntervalSince1970: r[4].double ?? 0), size: r[5].int, sha256: r[6].string, role: r[7].string)
        }
    }

    /// How many files are recorded for the submission, and how many of
    /// them are claim intents not yet marked claimed: two integers from the
    /// primary key's rows, nothing decoded. Every look before a decision
    /// asks it; reading and decoding every file row there (`files(of:)`)
    /// and asking again whether any was left was 4 % of the loop's
    /// instructions (make profile).
    public func fileCounts(of submission: String) throws -> (files: Int, unclaimed: Int) {
        let row = try db.query("SELECT count(*), coalesce(sum(claimed = 0), 0) FROM files WHERE submission = ?", [.text(submission)]).first
        return (Int(row?[0].int ?? 0), Int(row?[1].int ?? 0))
    }

    /// An earlier accepted submission of the same unit holding a file with this hash.
    public func acceptedSubmission(unit: String, sha256: String, excluding: String) throws -> String? {
        try db.query(
            """
            SELECT s.id FROM files f JOIN submissions s ON s.id = f.submission
            WHERE f.sha256 = ? AND s.unit = ? AND s.verdict = 'accepted' AND s.id != ? ORDER BY s.decided_at LIMIT 1
            """,
            [.text(sha256), .text(unit), .text(excluding)]
        ).first?.first?.string
    }

    /// Count of decisions since a time, by verdict (for STATUS).
    public func decisionCounts(since: Date) throws -> (accepted: Int, rejected: Int) {
        let rows = try db.query(
            "SELECT verdict, count(*) FROM submissions WHERE decided_at >= ? GROUP BY verdict", [.double(since.timeIntervalSince1970)])
        var a = 0, r = 0
        for row in rows {
            switch row[0].string.flatMap(Verdict.init(rawValue:)) {
            case .accepted: a = Int(row[1].int ?? 0)
            case .rejected: r = Int(row[1].int ?? 0)
            case nil: break
            }
        }
        return (a, r)
    }

    /// Every ledger the daemon opens has `held` (`migrateHold`).
    static let selectSubmission = SubmissionRows.select(hasHeld: true)
}
