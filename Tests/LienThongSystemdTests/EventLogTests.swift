import Testing
@testable import LienThongSystemd

#if canImport(Glibc)
import Glibc
#endif

@Suite("Journal entries")
struct JournalEntryTests {
    let decision: [(String, String)] = [
        (JournalField.messageID, MessageID.rejected),
        (JournalField.submission, "2018-000123"),
        (JournalField.unit, "000.00.00.H41"),
        (JournalField.key, "4116-UBND-CN"),
        (JournalField.verdict, "rejected"),
        (JournalField.reason, "missing-electronic,signature-invalid"),
    ]

    @Test func managedFieldsComeFirstThenCallersInOrder() {
        let entry = JournalEntry(priority: .warning, message: "từ chối 4116-UBND-CN", identifier: "lienthongd", fields: decision)
        let names = entry.fields.map(\.name)
        #expect(names == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER"] + decision.map(\.0))
        #expect(entry.fields[0].value == "từ chối 4116-UBND-CN")
        #expect(entry.fields[1].value == "4")
        #expect(entry.fields[2].value == "lienthongd")
    }

    @Test func callerCannotOverrideManagedFields() {
        let entry = JournalEntry(
            priority: .info, message: "real", identifier: "lienthongd",
            fields: [("MESSAGE", "fake"), ("priority", "0"), ("SYSLOG_IDENTIFIER", "sshd"), ("LIENTHONG_KEY", "k")]
        )
        #expect(entry.fields.map(\.name) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "LIENTHONG_KEY"])
        #expect(entry.fields.map(\.value) == ["real", "6", "lienthongd", "k"])
    }

    @Test(arguments: [
        ("LIENTHONG_UNIT", "LIENTHONG_UNIT"),
        ("lienthong_unit", "LIENTHONG_UNIT"),
        ("lienthong-unit", "LIENTHONG_UNIT"),
        ("_PID", "X_PID"),
        ("1ST", "X1ST"),
        ("", "X"),
        ("ĐƠN_VỊ", "X__N_V_"),
    ])
    func fieldNamesAreMadeAcceptable(raw: String, expected: String) {
        #expect(JournalEntry.fieldName(raw) == expected)
    }

    /// The shortcut for names already good takes exactly the names the
    /// repair would leave unchanged.
    @Test(arguments: ["LIENTHONG_UNIT", "MESSAGE_ID", "A", "A1_", "Z9", "_A", "1A", "", "a", "A-B", "A B", "AÉ", "Ａ",
                      String(repeating: "A", count: 64), String(repeating: "A", count: 65), "A\u{0}", "X_"])
    func goodFieldNamesAreExactlyThoseTheRepairKeeps(raw: String) {
        var repaired = String(String.UnicodeScalarView(raw.unicodeScalars.map { scalar -> Unicode.Scalar in
            switch scalar {
            case "A"..."Z", "0"..."9", "_": scalar
            case "a"..."z": Unicode.Scalar(scalar.value - 32)!
            default: "_"
            }
        }))
        if repaired.isEmpty || repaired.first == "_" || repaired.first!.isNumber { repaired = "X" + repaired }
        repaired = String(repaired.prefix(64))
        #expect(JournalEntry.isGoodFieldName(raw) == (repaired == raw))
        #expect(JournalEntry.fieldName(raw) == repaired)
    }

    @Test func fieldNamesAreCutAt64() {
        let name = JournalEntry.fieldName(String(repeating: "A", count: 100))
        #expect(name.count == 64)
    }

    @Test func payloadsAreNameEqualsValueInUTF8() {
        let entry = JournalEntry(
            priority: .error, message: "dòng 1\ndòng 2", identifier: "lienthongd",
            fields: [("LIENTHONG_KEY", "Công văn số 4116")]
        )
        let payloads = entry.payloads.map { String(decoding: $0, as: UTF8.self) }
        #expect(payloads == ["MESSAGE=dòng 1\ndòng 2", "PRIORITY=3", "SYSLOG_IDENTIFIER=lienthongd", "LIENTHONG_KEY=Công văn số 4116"])
        // NFC bytes pass through untouched (keys are NFC per SPEC §3).
        #expect(entry.payloads[3] == Array("LIENTHONG_KEY=Công văn số 4116".utf8))
    }

    @Test func plainLineFormat() {
        let entry = JournalEntry(priority: .warning, message: "rejected", identifier: "lienthongd", fields: decision)
        #expect(entry.line() == "WARNING rejected MESSAGE_ID=\(MessageID.rejected) LIENTHONG_SUBMISSION=2018-000123 LIENTHONG_UNIT=000.00.00.H41 LIENTHONG_KEY=4116-UBND-CN LIENTHONG_VERDICT=rejected LIENTHONG_REASON=missing-electronic,signature-invalid")
    }

    @Test func plainLineStaysOneLineAndQuotesValues() {
        let entry = JournalEntry(
            priority: .error, message: "reload refused:\n\tbad key", identifier: "lienthongd",
            fields: [("LIENTHONG_KEY", "Công văn số 4116"), ("A", "x=\"y\""), ("B", ""), ("C", "a\\b")]
        )
        let line = entry.line()
        #expect(!line.contains("\n"))
        #expect(line == #"ERROR reload refused:\n\tbad key LIENTHONG_KEY="Công văn số 4116" A="x=\"y\"" B="" C="a\\b""#)
    }

    @Test func everyPriorityHasALabelAndSyslogNumber() {
        #expect(LogPriority.allCases.map(\.rawValue) == Array(0...7))
        #expect(LogPriority.allCases.map(\.label) == ["EMERG", "ALERT", "CRIT", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"])
    }
}

@Suite("JOURNAL_STREAM detection")
struct JournalStreamTests {
    @Test func matchesDeviceAndInode() {
        #expect(EventLog.journalStream("8:12345", matchesDevice: 8, inode: 12345))
        #expect(!EventLog.journalStream("8:12346", matchesDevice: 8, inode: 12345))
        #expect(!EventLog.journalStream("9:12345", matchesDevice: 8, inode: 12345))
    }

    @Test(arguments: ["", "8", "8:", ":1", "8:1:2", "x:y", "-8:1", " 8:1"])
    func malformedValuesNeverMatch(value: String) {
        #expect(!EventLog.journalStream(value, matchesDevice: 8, inode: 1))
    }

    /// The variable names a stream by device and inode; only that very
    /// stream counts, not another descriptor (stderr redirected since).
    @Test func comparesWithTheDescriptorItself() throws {
        let pipeA = try Pipe()
        let pipeB = try Pipe()
        var info = stat()
        #expect(fstat(pipeA.write, &info) == 0)
        let value = "\(info.st_dev):\(info.st_ino)"
        #expect(EventLog.isJournalStream(value, fd: pipeA.write))
        #expect(!EventLog.isJournalStream(value, fd: pipeB.write))
        #expect(!EventLog.isJournalStream(nil, fd: pipeA.write))
        #expect(!EventLog.isJournalStream(value, fd: -1))
    }

    @Test(.enabled(if: getenv("JOURNAL_STREAM") == nil, "the test process's stderr is a journal stream"))
    func defaultsToStderrOutsideTheJournal() {
        #expect(!EventLog().writesToJournal)
        let journaldHere = access(EventLog.journalSocket, F_OK) == 0
        #expect(EventLog(forceJournal: true).writesToJournal == journaldHere)
    }
}

@Suite("EventLog output")
struct EventLogOutputTests {
    @Test func writesOneLinePerEntry() throws {
        let pipe = try Pipe()
        let log = EventLog(identifier: "lienthongd", destination: .lines(fd: pipe.write), fallbackFD: pipe.write)
        log.log(.info, "watching", fields: [(JournalField.messageID, MessageID.started)])
        log.log(.error, "two\nlines")
        pipe.closeWrite()
        #expect(pipe.readAll() == "INFO watching MESSAGE_ID=\(MessageID.started)\nERROR two\\nlines\n")
    }

    /// Entries logged from many threads at once come out whole, one a line.
    @Test func concurrentEntriesNeverInterleave() async throws {
        let pipe = try Pipe()
        let log = EventLog(identifier: "lienthongd", destination: .lines(fd: pipe.write), fallbackFD: pipe.write)
        let writers = 8, perWriter = 200
        // Drain while writing, so the pipe never fills and blocks the writers.
        let reader = Task.detached { pipe.readAll() }
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for n in 0..<perWriter {
                        log.log(.notice, "entry \(writer)-\(n) " + String(repeating: "x", count: 300), fields: [("LIENTHONG_KEY", "\(writer)-\(n)")])
                    }
                }
            }
        }
        pipe.closeWrite()
        let lines = await reader.value.split(separator: "\n")
        #expect(lines.count == writers * perWriter)
        let wellFormed = lines.allSatisfy { line in
            guard line.hasPrefix("NOTICE entry ") else { return false }
            let id = line.dropFirst("NOTICE entry ".count).prefix { $0 != " " }
            return line.hasSuffix(" LIENTHONG_KEY=\(id)")
        }
        #expect(wellFormed)
    }

    /// sd_journal_sendv reports success when journald's socket is missing,
    /// so the journal is chosen only where journald listens.
    @Test func journalOnlyWhereJournaldListens() {
        #expect(EventLog.destination(forceJournal: true, stderrIsJournal: false, journalListening: true) == .journal)
        #expect(EventLog.destination(forceJournal: false, stderrIsJournal: true, journalListening: true) == .journal)
        #expect(EventLog.destination(forceJournal: false, stderrIsJournal: false, journalListening: true) == .lines(fd: 2))
        #expect(EventLog.destination(forceJournal: true, stderrIsJournal: false, journalListening: false) == .lines(fd: 2))
        #expect(EventLog.destination(forceJournal: true, stderrIsJournal: true, journalListening: false) == .lines(fd: 2))
    }
}

@Suite("Message ids")
struct MessageIDTests {
    @Test func idsAre32LowercaseHexAndDistinct() {
        let ids = MessageID.all.map(\.id)
        #expect(ids.count == 14)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
        }
    }
}

/// A pipe whose ends close themselves.
final class Pipe: @unchecked Sendable {
    let read: Int32
    private(set) var write: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw PipeError(errno: errno) }
        read = fds[0]
        write = fds[1]
    }

    func closeWrite() {
        if write >= 0 { close(write); write = -1 }
    }

    func readAll() -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(read, &buffer, buffer.count)
            if count > 0 { data += buffer[..<count] } else if count < 0 && errno == EINTR { continue } else { break }
        }
        return String(decoding: data, as: UTF8.self)
    }

    deinit {
        close(read)
        if write >= 0 { close(write) }
    }
}

struct PipeError: Error { let errno: Int32 }
