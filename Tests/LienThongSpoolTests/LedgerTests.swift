import Foundation
import LienThongCore
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// Small helpers over the Ledger API, so each test reads as a story.
enum Books {
    static let hcm = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
    static let unit = "000.00.01.H41"
    static let t0 = Date(timeIntervalSince1970: 1_709_280_000)  // 2024-03-01T08:00:00Z

    static func path(_ dir: String) -> String { dir + "/ledger.sqlite" }
    static func open(_ dir: String) throws -> Ledger { try Ledger(path: path(dir)) }

    @discardableResult
    static func submit(_ ledger: Ledger, unit: String = unit, key: String = "4116-UBND-CN", at: Date = t0) throws -> String {
        let id = try ledger.newSubmissionID(now: at, timeZone: hcm)
        try ledger.createSubmission(id: id, unit: unit, key: key, pairing: SubmissionPairing(.name(key)), isFolder: false, at: at)
        return id
    }

    /// Decides `id`; returns the arrival number taken (nil for none).
    @discardableResult
    static func decide(_ ledger: Ledger, _ id: String, accepted: Bool = true, numbered: Bool = true, year: Int = 2024,
                       at: Date = t0) throws -> Int? {
        try ledger.decide(submission: id, accepted: accepted, numbered: numbered, year: year,
                          reasons: accepted ? [] : [.missingElectronic], placement: "archive/x/\(id)", at: at) { n in
            (json: "{\"submission\":\"\(id)\",\"arrival_number\":\(n.map(String.init) ?? "null")}",
             text: "receipt of \(id)", report: "{}")
        }
    }

    static func events(_ ledger: Ledger, _ id: String) throws -> [String] {
        try ledger.db.query("SELECT event FROM events WHERE submission = ? ORDER BY seq", [.text(id)]).compactMap { $0[0].string }
    }

    struct Boom: Error {}
}

@Suite("Ledger: arrival numbers")
struct LedgerArrivalNumberTests {
    /// A commit made without waiting for the disk (the loop's decisions)
    /// is durable once a commit that waits comes after it — the WAL is
    /// written in order — or once `makeDurable` has fsynced the log; the
    /// count of commits that waited tells the two apart. A mark or a nested
    /// step is not such a commit.
    @Test func aCommitWithoutWaitingIsMadeDurableByTheNextThatWaitsOrByAnFsyncOfTheLog() throws {
        try Scratch.withDir("ledger-durable") { dir in
            let ledger = try Books.open(dir)
            let start = ledger.durableCommits
            let id = try ledger.batchWithoutWaiting { try Books.submit(ledger) }
            _ = try ledger.batchOfMarks { try Books.submit(ledger, key: "5-UBND") }
            let mark = ledger.durableCommits
            #expect(mark == start, "no commit waited")
            #expect(try ledger.submission(id) != nil, "committed, visible")
            try ledger.makeDurable(after: mark)
            #expect(ledger.durableCommits == mark + 1, "nothing waited since: the log was fsynced")
            try ledger.makeDurable(after: mark)
            #expect(ledger.durableCommits == mark + 1, "made durable once")

            let later = try ledger.batchWithoutWaiting { try Books.submit(ledger, key: "6-UBND") }
            let mark2 = ledger.durableCommits
            _ = try ledger.batch { try ledger.batch { try Books.submit(ledger, key: "7-UBND") } }
            #expect(ledger.durableCommits == mark2 + 1, "one commit that waited, its savepoint not counted")
            try ledger.makeDurable(after: mark2)
            #expect(ledger.durableCommits == mark2 + 1, "the later commit covered it: no fsync")
            #expect(try ledger.submission(later) != nil)
        }
    }

    @Test func numbersRunOneTwoThreePerYearAndRestartInANewYear() throws {
        try Scratch.withDir("numbers") { dir in
            let ledger = try Books.open(dir)
            var got: [Int?] = []
            for _ in 0..<3 { got.append(try Books.decide(ledger, try Books.submit(ledger), year: 2024)) }
            #expect(got == [1, 2, 3])

            let jan = try Books.submit(ledger)
            #expect(try Books.decide(ledger, jan, year: 2025) == 1)
            #expect(try Books.decide(ledger, try Books.submit(ledger), year: 2025) == 2)
            // A late 2024 decision continues 2024's series.
            #expect(try Books.decide(ledger, try Books.submit(ledger), year: 2024) == 4)

            let record = try #require(try ledger.submission(jan))
            #expect(record.arrivalNumber == 1)
            #expect(record.verdict == .accepted)
            #expect(record.state == .decided)
            #expect(record.receipt == "{\"submission\":\"\(jan)\",\"arrival_number\":1}")
            #expect(record.receiptText == "receipt of \(jan)")
            #expect(record.report == "{}")
            #expect(record.placement == "archive/x/\(jan)")
        }
    }

    @Test func rejectedAndUnnumberedDecisionsTakeNoNumber() throws {
        try Scratch.withDir("nonumber") { dir in
            let ledger = try Books.open(dir)
            #expect(try Books.decide(ledger, try Books.submit(ledger)) == 1)
            let rejected = try Books.submit(ledger)
            #expect(try Books.decide(ledger, rejected, accepted: false) == nil)
            #expect(try Books.decide(ledger, try Books.submit(ledger), numbered: false) == nil)
            #expect(try Books.decide(ledger, try Books.submit(ledger)) == 2)
            let r = try #require(try ledger.submission(rejected))
            #expect(r.verdict == .rejected)
            #expect(r.arrivalNumber == nil)
        }
    }

    @Test func numbersDoNotRepeatAfterClosingAndReopening() throws {
        try Scratch.withDir("reopen") { dir in
            do {
                let ledger = try Books.open(dir)
                for _ in 0..<3 { try Books.decide(ledger, try Books.submit(ledger)) }
            }
            do {
                let ledger = try Books.open(dir)
                #expect(try Books.decide(ledger, try Books.submit(ledger)) == 4)
                #expect(try Books.decide(ledger, try Books.submit(ledger), year: 2025) == 1)
            }
            let ledger = try Books.open(dir)
            #expect(try Books.decide(ledger, try Books.submit(ledger)) == 5)
            #expect(try Books.decide(ledger, try Books.submit(ledger), year: 2025) == 2)
        }
    }

    /// Power lost right after a commit: the database file may not have the
    /// decision yet, only the write-ahead log does. Copying the files while
    /// the ledger is still open is what the disk holds at that moment.
    @Test func committedNumbersSurviveACrashSnapshot() throws {
        try Scratch.withDir("snapshot") { dir in
            let ledger = try Books.open(dir)
            for _ in 0..<3 { try Books.decide(ledger, try Books.submit(ledger)) }
            #expect(Scratch.exists(Books.path(dir) + "-wal"))
            let crashed = dir + "/after-crash"
            try FileManager.default.createDirectory(atPath: crashed, withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"] where Scratch.exists(Books.path(dir) + suffix) {
                try FileManager.default.copyItem(atPath: Books.path(dir) + suffix, toPath: Books.path(crashed) + suffix)
            }
            let reopened = try Books.open(crashed)
            #expect(try reopened.submissions(in: .decided).compactMap(\.arrivalNumber).sorted() == [1, 2, 3])
            #expect(try Books.decide(reopened, try Books.submit(reopened)) == 4)
        }
    }

    @Test func theEventLogNamesTheArrivalNumber() throws {
        try Scratch.withDir("eventlog") { dir in
            let ledger = try Books.open(dir)
            let id = try Books.submit(ledger)
            try Books.decide(ledger, id)
            let rows = try ledger.db.query("SELECT event, detail FROM events WHERE submission = ? ORDER BY seq", [.text(id)])
            #expect(rows.last == [.text("accepted"), .text(" arrival_number=1")])
        }
    }

    @Test func decidingTwiceThrowsAndConsumesNoNumber() throws {
        try Scratch.withDir("twice") { dir in
            let ledger = try Books.open(dir)
            let id = try Books.submit(ledger)
            #expect(try Books.decide(ledger, id) == 1)
            var called = false
            #expect(throws: (any Error).self) {
                try ledger.decide(submission: id, accepted: true, numbered: true, year: 2024, reasons: [], placement: "p",
                                  at: Books.t0) { _ in
                    called = true
                    return (json: "other", text: "other", report: "other")
                }
            }
            #expect(!called)
            let record = try #require(try ledger.submission(id))
            #expect(record.arrivalNumber == 1)
            #expect(record.receipt == "{\"submission\":\"\(id)\",\"arrival_number\":1}")
            #expect(try Books.decide(ledger, try Books.submit(ledger)) == 2)
        }
    }

    @Test func decidingAnUnknownSubmissionThrows() throws {
        try Scratch.withDir("unknown") { dir in
            let ledger = try Books.open(dir)
            #expect(throws: (any Error).self) { try Books.decide(ledger, "20240301-000099-abcd") }
            #expect(try Books.decide(ledger, try Books.submit(ledger)) == 1)
        }
    }

    @Test func aFailureInsideMakeReceiptRollsEverythingBack() throws {
        try Scratch.withDir("rollback") { dir in
            let ledger = try Books.open(dir)
            let id = try Books.submit(ledger)
            var offered: Int?
            #expect(throws: Books.Boom.self) {
                try ledger.decide(submission: id, accepted: true, numbered: true, year: 2024, reasons: [], placement: "p",
                                  at: Books.t0) { n in
                    offered = n
                    throw Books.Boom()
                }
            }
            #expect(offered == 1)
            let record = try #require(try ledger.submission(id))
            #expect(record.state == .gathering)
            #expect(record.verdict == nil)
            #expect(record.arrivalNumber == nil)
            #expect(record.receipt == nil)
            #expect(try Books.events(ledger, id) == ["created"])
            // The number offered to the failed attempt is given again: no gap.
            #expect(try Books.decide(ledger, id) == 1)
            #expect(try Books.decide(ledger, try Books.submit(ledger)) == 2)
        }
    }

    @Test func theDatabaseItselfRefusesARepeatedNumber() throws {
        try Scratch.withDir("unique") { dir in
            let ledger = try Books.open(dir)
            #expect(try Books.decide(ledger, try Books.submit(ledger)) == 1)
            // Someone restores the counter by hand: the unique index still refuses a repeat.
            try ledger.db.query("UPDATE counters SET value = 0 WHERE name = 'arrival:2024'")
            let id = try Books.submit(ledger)
            #expect(throws: (any Error).self) { try Books.decide(ledger, id) }
            #expect(try ledger.submission(id)?.state == .gathering)
        }
    }

    /// Two connections deciding at the same time (the daemon and, say, a
    /// recovery tool): BEGIN IMMEDIATE serialises them; numbers stay 1…N.
    /// (A lock wait ends in SQLITE_BUSY after the busy timeout, so this cannot
    /// hang; no time limit trait, whose clock would also count time spent
    /// waiting for a thread in a full parallel run.)
    @Test
    func concurrentConnectionsNeverShareOrSkipANumber() throws {
        try Scratch.withDir("concurrent") { dir in
            _ = try Books.open(dir)  // schema first
            final class Results: @unchecked Sendable {
                let lock = NSLock()
                var numbers: [Int] = []
                var errors: [String] = []
            }
            let results = Results()
            let perThread = 40
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    let ledger = try Books.open(dir)
                    for _ in 0..<perThread {
                        let id = try Books.submit(ledger)
                        if let n = try Books.decide(ledger, id) {
                            results.lock.lock(); results.numbers.append(n); results.lock.unlock()
                        }
                    }
                } catch {
                    results.lock.lock(); results.errors.append("\(error)"); results.lock.unlock()
                }
            }
            #expect(results.errors.isEmpty)
            #expect(results.numbers.sorted() == Array(1...(2 * perThread)))
        }
    }
}

@Suite("Ledger: submissions and files")
struct LedgerSubmissionTests {
    @Test func submissionIDsAreUniqueAndWellFormed() throws {
        try Scratch.withDir("ids") { dir in
            var seen = Set<String>()
            do {
                let ledger = try Books.open(dir)
                for _ in 0..<500 { seen.insert(try ledger.newSubmissionID(now: Books.t0, timeZone: Books.hcm)) }
            }
            let ledger = try Books.open(dir)
            for _ in 0..<500 { seen.insert(try ledger.newSubmissionID(now: Books.t0, timeZone: Books.hcm)) }
            #expect(seen.count == 1000)
            let id = try ledger.newSubmissionID(now: Books.t0, timeZone: Books.hcm)
            #expect(id.wholeMatch(of: /20240301-\d{6}-[0-9a-f]{4}/) != nil)
            // The running number keeps counting across reopen: 1001st id.
            #expect(id.hasPrefix("20240301-001001-"))
        }
    }

    /// The id's random part is written digit by digit: every value as
    /// String(format: "%04x") wrote it.
    @Test func theRandomPartIsPrintfsHex() {
        for v in 0...Int(UInt16.max) {
            var out: [UInt8] = []
            Ledger.appendHex(UInt16(v), to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(format: "%04x", v))
        }
    }

    @Test func theDateInAnIDIsTheProvincesDate() throws {
        try Scratch.withDir("iddate") { dir in
            let ledger = try Books.open(dir)
            let newYearsEveUTC = Date(timeIntervalSince1970: 1_735_675_200)  // 2024-12-31T20:00:00Z = 03:00 on 1 Jan in Hà Nội
            #expect(try ledger.newSubmissionID(now: newYearsEveUTC, timeZone: Books.hcm).hasPrefix("20250101-"))
            #expect(try ledger.newSubmissionID(now: newYearsEveUTC, timeZone: TimeZone(identifier: "UTC")!).hasPrefix("20241231-"))
        }
    }

    @Test func createThenReadBack() throws {
        try Scratch.withDir("create") { dir in
            let ledger = try Books.open(dir)
            let id = try ledger.newSubmissionID(now: Books.t0, timeZone: Books.hcm)
            try ledger.createSubmission(id: id, unit: Books.unit, key: "Hồ sơ", pairing: SubmissionPairing(.folder("hs")), isFolder: true, at: Books.t0)
            let r = try #require(try ledger.submission(id))
            #expect(r.unit == Books.unit)
            #expect(r.key == "Hồ sơ")
            #expect(r.pairing == SubmissionPairing(.folder("hs")))
            #expect(r.isFolder)
            #expect(r.state == .gathering)
            #expect(r.firstArrival == Books.t0)
            #expect(r.lastArrival == Books.t0)
            #expect(try ledger.submissions(in: .gathering).map(\.id) == [id])
            #expect(try ledger.submission("no-such-id") == nil)
            // The same id twice is refused.
            #expect(throws: (any Error).self) {
                try ledger.createSubmission(id: id, unit: Books.unit, key: "k", pairing: SubmissionPairing(.name("k")), isFolder: false, at: Books.t0)
            }
        }
    }

    @Test func addFileMarkClaimedRecordFactsForgetFile() throws {
        try Scratch.withDir("files") { dir in
            let ledger = try Books.open(dir)
            let id = try Books.submit(ledger)
            let later = Books.t0.addingTimeInterval(60)
            try ledger.addFile(submission: id, name: "4116-UBND-CN.pdf", source: "units/u/outbox/4116-UBND-CN.pdf", at: later)
            try ledger.addFile(submission: id, name: "4116-UBND-CN_scan.pdf", source: "units/u/outbox/4116-UBND-CN_scan.pdf",
                               at: Books.t0.addingTimeInterval(30))
            var files = try ledger.files(of: id)
            #expect(files.map(\.name) == ["4116-UBND-CN_scan.pdf", "4116-UBND-CN.pdf"])  // by arrival
            #expect(files.allSatisfy { !$0.claimed && $0.sha256 == nil && $0.size == nil })
            // last_arrival follows the latest file, never goes back.
            #expect(try ledger.submission(id)?.lastArrival == later)
            #expect(try ledger.submission(id)?.firstArrival == Books.t0)

            try ledger.markClaimed(submission: id, name: "4116-UBND-CN.pdf", at: later)
            try ledger.recordFacts(submission: id, name: "4116-UBND-CN.pdf", size: 1234, sha256: String(repeating: "a", count: 64),
                                   role: .electronic)
            files = try ledger.files(of: id)
            let pdf = try #require(files.first { $0.name == "4116-UBND-CN.pdf" })
            #expect(pdf.claimed)
            #expect(pdf.size == 1234)
            #expect(pdf.role == "electronic")
            #expect(pdf.source == "units/u/outbox/4116-UBND-CN.pdf")
            #expect(pdf.arrivedAt == later)

            try ledger.forgetFile(submission: id, name: "4116-UBND-CN_scan.pdf")
            #expect(try ledger.files(of: id).map(\.name) == ["4116-UBND-CN.pdf"])
            #expect(try Books.events(ledger, id) == ["created", "claimed"])
        }
    }

    @Test func aFileNameIsRecordedOncePerSubmission() throws {
        try Scratch.withDir("dupfile") { dir in
            let ledger = try Books.open(dir)
            let id = try Books.submit(ledger)
            try ledger.addFile(submission: id, name: "a.pdf", source: "s", at: Books.t0)
            #expect(throws: (any Error).self) { try ledger.addFile(submission: id, name: "a.pdf", source: "s2", at: Books.t0) }
            #expect(try ledger.files(of: id).map(\.source) == ["s"])
            // A file of a submission that does not exist is refused (foreign key).
            #expect(throws: (any Error).self) { try ledger.addFile(submission: "nope", name: "a.pdf", source: "s", at: Books.t0) }
        }
    }

    @Test func dropEmptySubmissionDropsOnlyEmptyGatheringOnes() throws {
        try Scratch.withDir("drop") { dir in
            let ledger = try Books.open(dir)
            let empty = try Books.submit(ledger)
            let withFile = try Books.submit(ledger)
            try ledger.addFile(submission: withFile, name: "a.pdf", source: "s", at: Books.t0)
            let decided = try Books.submit(ledger)
            try Books.decide(ledger, decided, accepted: false)

            try ledger.dropEmptySubmission(empty, at: Books.t0)
            try ledger.dropEmptySubmission(withFile, at: Books.t0)
            try ledger.dropEmptySubmission(decided, at: Books.t0)

            #expect(try ledger.submission(empty) == nil)
            #expect(try ledger.submission(withFile) != nil)
            #expect(try ledger.submission(decided)?.state == .decided)
            #expect(try ledger.files(of: withFile).count == 1)
            #expect(try Books.events(ledger, empty) == ["created", "dropped"])
        }
    }

    @Test func markPlacedAndListingByState() throws {
        try Scratch.withDir("states") { dir in
            let ledger = try Books.open(dir)
            let a = try Books.submit(ledger, at: Books.t0)
            let b = try Books.submit(ledger, at: Books.t0.addingTimeInterval(-10))
            let c = try Books.submit(ledger, at: Books.t0.addingTimeInterval(10))
            try Books.decide(ledger, a)
            try Books.decide(ledger, c, accepted: false)
            try ledger.markPlaced(submission: c, at: Books.t0)
            #expect(try ledger.submissions(in: .gathering).map(\.id) == [b])
            #expect(try ledger.submissions(in: .decided).map(\.id) == [a])
            #expect(try ledger.submissions(in: .placed).map(\.id) == [c])
            #expect(try Books.events(ledger, c) == ["created", "rejected", "placed"])
            let counts = try ledger.decisionCounts(since: Books.t0.addingTimeInterval(-1))
            #expect(counts.accepted == 1 && counts.rejected == 1)
            let none = try ledger.decisionCounts(since: Books.t0.addingTimeInterval(1))
            #expect(none.accepted == 0 && none.rejected == 0)
        }
    }
}

@Suite("Ledger: duplicates and concurrent readers")
struct LedgerQueryTests {
    @Test func acceptedSubmissionFindsADuplicateBySHA256ForTheSameUnitOnly() throws {
        try Scratch.withDir("dup") { dir in
            let ledger = try Books.open(dir)
            let sha = String(repeating: "ab", count: 32)
            let first = try Books.submit(ledger, unit: "U1")
            try ledger.addFile(submission: first, name: "a.pdf", source: "s", at: Books.t0)
            try ledger.recordFacts(submission: first, name: "a.pdf", size: 10, sha256: sha, role: .electronic)

            let again = try Books.submit(ledger, unit: "U1")
            // Not accepted yet: no duplicate.
            #expect(try ledger.acceptedSubmission(unit: "U1", sha256: sha, excluding: again) == nil)
            try Books.decide(ledger, first)
            #expect(try ledger.acceptedSubmission(unit: "U1", sha256: sha, excluding: again) == first)
            // Never itself, never another unit's, never another hash.
            #expect(try ledger.acceptedSubmission(unit: "U1", sha256: sha, excluding: first) == nil)
            #expect(try ledger.acceptedSubmission(unit: "U2", sha256: sha, excluding: again) == nil)
            #expect(try ledger.acceptedSubmission(unit: "U1", sha256: String(repeating: "cd", count: 32), excluding: again) == nil)

            // A rejected submission with the same bytes is not "the earlier accepted one".
            let rejected = try Books.submit(ledger, unit: "U3")
            try ledger.addFile(submission: rejected, name: "a.pdf", source: "s", at: Books.t0)
            try ledger.recordFacts(submission: rejected, name: "a.pdf", size: 10, sha256: sha, role: .electronic)
            try Books.decide(ledger, rejected, accepted: false)
            #expect(try ledger.acceptedSubmission(unit: "U3", sha256: sha, excluding: "x") == nil)
        }
    }

    @Test func theLedgerIsInWALMode() throws {
        try Scratch.withDir("wal") { dir in
            let ledger = try Books.open(dir)
            #expect(try ledger.db.query("PRAGMA journal_mode").first?.first?.string == "wal")
            #expect(try ledger.db.query("PRAGMA synchronous").first?.first?.int == 2)  // FULL
        }
    }

    @Test  // a reader blocked by the writer ends in SQLITE_BUSY after 5 s; no time limit trait (see above)
    func aReadOnlyConnectionReadsWhileTheDaemonWrites() throws {
        try Scratch.withDir("reader") { dir in
            let ledger = try Books.open(dir)
            let id = try Books.submit(ledger)
            let reader = try SQLiteDatabase(path: Books.path(dir), readOnly: true)
            let stateQuery = "SELECT state, arrival_number FROM submissions WHERE id = ?"

            // In the middle of decide(): the write transaction is open.
            var seenDuring: [[SQLValue]] = []
            var elapsed = 0.0
            try ledger.decide(submission: id, accepted: true, numbered: true, year: 2024, reasons: [], placement: "p",
                              at: Books.t0) { _ in
                let start = Date()
                seenDuring = (try? reader.query(stateQuery, [.text(id)])) ?? []
                elapsed = Date().timeIntervalSince(start)
                return (json: "{}", text: "", report: "")
            }
            #expect(elapsed < 1, "the reader waited for the writer")
            #expect(seenDuring == [[.text("gathering"), .null]])
            #expect(try reader.query(stateQuery, [.text(id)]) == [[.text("decided"), .int(1)]])

            // A reader never writes.
            #expect(throws: (any Error).self) { try reader.execute("DELETE FROM submissions") }
            #expect(try ledger.submission(id) != nil)
        }
    }

    @Test func openingAMissingReadOnlyDatabaseSaysWhich() throws {
        try Scratch.withDir("ro") { dir in
            let error = #expect(throws: SQLiteDatabase.Failure.self) {
                _ = try SQLiteDatabase(path: dir + "/nothing.sqlite", readOnly: true)
            }
            #expect(error?.description.contains(dir + "/nothing.sqlite") == true)
        }
    }

    /// A step inside an open transaction is a savepoint: a failing one is
    /// undone alone, the others commit with the outer transaction, and a
    /// failing outer transaction undoes the steps that succeeded. Run twice,
    /// so the kept statements are used again after a commit and a rollback.
    @Test func stepsInsideATransactionAreUndoneAlone() throws {
        try Scratch.withDir("steps") { dir in
            let db = try SQLiteDatabase(path: dir + "/t.sqlite")
            try db.execute("CREATE TABLE t(x INTEGER)")
            for round in 0..<2 {
                let base = Int64(round * 10)
                try db.transaction {
                    try db.transaction { try db.query("INSERT INTO t VALUES(?)", [.int(base + 1)]) }
                    #expect(throws: Books.Boom.self) {
                        try db.transaction {
                            try db.query("INSERT INTO t VALUES(?)", [.int(base + 2)])
                            throw Books.Boom()
                        }
                    }
                    try db.transaction { try db.query("INSERT INTO t VALUES(?)", [.int(base + 3)]) }
                }
                #expect(throws: Books.Boom.self) {
                    try db.transaction {
                        try db.transaction { try db.query("INSERT INTO t VALUES(?)", [.int(base + 4)]) }
                        throw Books.Boom()
                    }
                }
            }
            #expect(try db.query("SELECT x FROM t ORDER BY x") == [[.int(1)], [.int(3)], [.int(11)], [.int(13)]])
            // Nothing was left open: a new transaction begins.
            try db.transaction { try db.query("INSERT INTO t VALUES(5)") }
            #expect(try db.query("SELECT count(*) FROM t") == [[.int(5)]])
        }
    }

    /// Text is bound as a C string, as it always was: up to its first NUL.
    @Test func textIsBoundUpToItsFirstNUL() throws {
        try Scratch.withDir("nul") { dir in
            let db = try SQLiteDatabase(path: dir + "/t.sqlite")
            #expect(try db.query("SELECT ?, ?", [.text("a\u{0}b"), .text("Hồ sơ")]) == [[.text("a"), .text("Hồ sơ")]])
        }
    }

    @Test func transactionsRollBackOnError() throws {
        try Scratch.withDir("tx") { dir in
            let db = try SQLiteDatabase(path: dir + "/t.sqlite")
            try db.execute("CREATE TABLE t(x INTEGER)")
            #expect(throws: Books.Boom.self) {
                try db.transaction {
                    try db.query("INSERT INTO t VALUES(1)")
                    throw Books.Boom()
                }
            }
            #expect(try db.query("SELECT count(*) FROM t") == [[.int(0)]])
            try db.transaction { try db.query("INSERT INTO t VALUES(?)", [.int(2)]) }
            #expect(try db.query("SELECT x FROM t") == [[.int(2)]])
            let bad = #expect(throws: SQLiteDatabase.Failure.self) { try db.query("SELECT nope FROM t") }
            #expect(bad?.description.contains("no such column") == true)
            // Text round-trips with Vietnamese and odd characters intact.
            let odd = "Công văn số 4116/UBND-CN 'quoted' \"x\" ; DROP TABLE t;"
            #expect(try db.query("SELECT ?", [.text(odd)]) == [[.text(odd)]])
        }
    }
}

@Suite("Ledger: lookups that run on every decision use an index")
struct LedgerIndexTests {
    /// The same-number lookup runs for every decision; on a year's ledger a
    /// scan of every row cost 10-36 ms each (issue 15). SQLite's plan must
    /// name the index, not SCAN the table.
    @Test func theSameNumberLookupUsesTheUnitAndPairingIndex() throws {
        try Scratch.withDir("index") { dir in
            let ledger = try Books.open(dir)
            let plan = try ledger.db.query(
                "EXPLAIN QUERY PLAN " + Ledger.acceptedSameDocument,
                [.text("u"), .text("p"), .text("s")]
            ).compactMap { $0.last?.string }.joined(separator: "; ")
            #expect(plan.contains("USING INDEX submissions_pairing"), "\(plan)")
            #expect(!plan.contains("SCAN submissions"), "\(plan)")
        }
    }
}

@Suite("Ledger: marks committed without waiting for the disk")
struct LedgerMarksTests {
    static func synchronous(_ ledger: Ledger) throws -> Int64? {
        try ledger.db.query("PRAGMA synchronous").first?.first?.int
    }

    /// Marks commit with synchronous=NORMAL; every other commit after them,
    /// a failed batch of marks included, waits for the disk again (FULL = 2).
    @Test func marksAreKeptAndEveryOtherCommitWaitsForTheDiskAgain() throws {
        try Scratch.withDir("marks") { dir in
            let ledger = try Books.open(dir)
            #expect(try Self.synchronous(ledger) == 2)
            let id = try Books.submit(ledger)
            try Books.decide(ledger, id)
            var inside: Int64?
            try ledger.batchOfMarks {
                inside = try Self.synchronous(ledger)
                try ledger.markPlaced(submission: id, at: Books.t0)
            }
            #expect(inside == 1)
            #expect(try Self.synchronous(ledger) == 2)
            #expect(throws: Books.Boom.self) { try ledger.batchOfMarks { throw Books.Boom() } }
            #expect(try Self.synchronous(ledger) == 2)
            // Inside an open transaction a batch of marks is a savepoint of
            // that transaction, as durable as it.
            try ledger.batch { try ledger.batchOfMarks { inside = try Self.synchronous(ledger) } }
            #expect(inside == 2)
            // The mark is in the ledger, across a reopening.
            let again = try Books.open(dir)
            #expect(try again.submission(id)?.state == .placed)
        }
    }
}

@Suite("Ledger: a group commit's undo records stay in memory")
struct LedgerSubJournalTests {
    /// Each step of a group commit is a savepoint, and SQLite keeps what
    /// it needs to undo one in a sub-journal: a temporary file once past
    /// 64 KiB, unless the ledger keeps temporary data in memory. Writing
    /// it was 78 % of the ledger's writes in a burst of 300 decisions
    /// (strace) and a third of the loop's commit CPU.
    @Test func aLargeGroupCommitOpensNoTemporaryFile() throws {
        try Scratch.withDir("subjournal") { dir in
            let ledger = try Books.open(dir)
            var open: [String] = []
            try ledger.batch {
                for _ in 0..<200 {
                    try ledger.batch { _ = try Books.decide(ledger, try Books.submit(ledger)) }
                }
                open = Self.sqliteTemporaryFiles()
            }
            #expect(open.isEmpty, "temporary files open during the group commit: \(open)")
            #expect(try ledger.decisionCounts(since: .distantPast).accepted == 200)
        }
    }

    /// The files this process holds open that SQLite made as temporaries
    /// (named `etilqs_…`, unlinked at once).
    static func sqliteTemporaryFiles() -> [String] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter { $0.contains("etilqs_") }
    }
}
