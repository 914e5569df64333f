import CSystemd
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// syslog(3) priorities, as journald's PRIORITY field and `journalctl -p` use them.
public enum LogPriority: Int32, Sendable, CaseIterable {
    case emergency = 0, alert, critical, error, warning, notice, info, debug

    /// The word that starts a line in the plain-text (stderr) form.
    public var label: String {
        switch self {
        case .emergency: "EMERG"
        case .alert: "ALERT"
        case .critical: "CRIT"
        case .error: "ERROR"
        case .warning: "WARNING"
        case .notice: "NOTICE"
        case .info: "INFO"
        case .debug: "DEBUG"
        }
    }
}

/// Structured event log: one journal entry per event, with lienthong's own
/// fields, or one plain line on stderr when there is no journal to talk to.
///
/// The destination is chosen once, at init:
/// - the journal (native protocol, sd_journal_sendv) when stderr is already
///   connected to it — systemd sets JOURNAL_STREAM to stderr's
///   `device:inode` for that (systemd.exec(5)), and a mere inherited variable
///   whose stream was redirected since does not match — or when
///   `forceJournal` asks for it, provided journald's socket exists;
/// - otherwise stderr, one line per entry: `LEVEL message KEY=value …`.
///
/// Should journald refuse an entry (it was stopped, its queue is full), the
/// entry goes to stderr instead, so an event is never lost silently.
///
/// Thread-safe: entries may be logged from any thread; lines on stderr never
/// interleave.
public final class EventLog: Sendable {
    enum Destination: Sendable, Equatable {
        case journal
        /// A file descriptor for plain lines (2 in production; a pipe in tests).
        case lines(fd: Int32)
    }

    public let identifier: String
    let destination: Destination
    /// Where lines go when the journal refuses an entry.
    let fallbackFD: Int32
    /// Serialises writes, so each entry is one uninterrupted line.
    private let writeLock = Mutex(())
    /// The last warnings and errors, for `lienthongctl status`.
    public let recentProblems = RecentEntries(capacity: 20)

    /// Logs as `identifier` (journal SYSLOG_IDENTIFIER); see the type's
    /// documentation for how the destination is chosen.
    public convenience init(identifier: String = "lienthongd", forceJournal: Bool = false) {
        let destination = EventLog.destination(
            forceJournal: forceJournal,
            stderrIsJournal: EventLog.isJournalStream(getenv("JOURNAL_STREAM").map { String(cString: $0) }, fd: 2),
            journalListening: access(EventLog.journalSocket, F_OK) == 0
        )
        self.init(identifier: identifier, destination: destination, fallbackFD: 2)
    }

    /// journald's socket for the native protocol (fixed by systemd).
    static let journalSocket = "/run/systemd/journal/socket"

    /// The journal when asked for (by JOURNAL_STREAM or `forceJournal`) and
    /// journald listens; else stderr. The socket must be checked here because
    /// sd_journal_sendv reports success when it is missing ("fail silently if
    /// the journal is not available"): forcing the journal on a machine
    /// without journald would otherwise lose every entry.
    static func destination(forceJournal: Bool, stderrIsJournal: Bool, journalListening: Bool) -> Destination {
        (forceJournal || stderrIsJournal) && journalListening ? .journal : .lines(fd: 2)
    }

    init(identifier: String, destination: Destination, fallbackFD: Int32) {
        self.identifier = identifier
        self.destination = destination
        self.fallbackFD = fallbackFD
    }

    /// Whether entries go to the journal (else to stderr).
    public var writesToJournal: Bool { destination == .journal }

    /// Logs one entry. `fields` are extra journal fields — upper-case names
    /// such as LIENTHONG_UNIT, or MESSAGE_ID (32 hex digits, no dashes);
    /// MESSAGE, PRIORITY and SYSLOG_IDENTIFIER are set here, and a field of
    /// those names in `fields` is ignored. A name journald would refuse is
    /// repaired (see `JournalEntry.fieldName`) rather than silently dropped.
    public func log(_ priority: LogPriority, _ message: String, fields: [(String, String)] = []) {
        let entry = JournalEntry(priority: priority, message: message, identifier: identifier, fields: fields)
        if priority.rawValue <= LogPriority.warning.rawValue { recentProblems.add(priority, message) }
        switch destination {
        case .journal:
            if entry.send() < 0 {
                writeLine(entry.line(), to: fallbackFD)
            }
        case .lines(let fd):
            writeLine(entry.line(), to: fd)
        }
    }

    private func writeLine(_ line: String, to fd: Int32) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        writeLock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        // stderr is gone (closed, full disk): nowhere left to report it.
                        return
                    }
                }
            }
        }
    }

    /// Whether `fd` is the journal stream named by a JOURNAL_STREAM value
    /// (`<st_dev>:<st_ino>`, decimal). systemd.exec(5) asks programs to
    /// compare it with fstat() of the descriptor rather than trust the
    /// variable alone, because children inherit it after redirecting stderr.
    static func isJournalStream(_ value: String?, fd: Int32) -> Bool {
        guard let value else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        return journalStream(value, matchesDevice: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    static func journalStream(_ value: String, matchesDevice device: UInt64, inode: UInt64) -> Bool {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        return dev == device && ino == inode
    }
}

/// One journal entry: its fields in order, how they go over the native
/// protocol (iovecs), and its plain-text line.
struct JournalEntry {
    /// `(NAME, value)` pairs, MESSAGE, PRIORITY and SYSLOG_IDENTIFIER first.
    let fields: [(name: String, value: String)]
    let priority: LogPriority
    let message: String

    static let managedNames: Set<String> = ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER"]

    init(priority: LogPriority, message: String, identifier: String, fields extra: [(String, String)]) {
        self.priority = priority
        self.message = message
        var all: [(name: String, value: String)] = [
            ("MESSAGE", message),
            ("PRIORITY", String(priority.rawValue)),
            ("SYSLOG_IDENTIFIER", identifier),
        ]
        for (name, value) in extra {
            let name = JournalEntry.fieldName(name)
            guard !JournalEntry.managedNames.contains(name) else { continue }
            all.append((name, value))
        }
        self.fields = all
    }

    /// A field name journald accepts: A–Z, 0–9 and `_`, not starting with a
    /// digit or `_` (names starting with `_` are trusted fields that only
    /// journald sets), at most 64 characters. Lower case is raised; any other
    /// character becomes `_`; a leading digit or `_` gets an `X` in front.
    /// journald drops a field with a bad name without a word, so repairing
    /// keeps the value findable.
    static func fieldName(_ raw: String) -> String {
        // The daemon's own names are already good: returned as they are
        // without building a new string for each field of each entry (make
        // profile: a decision's journal entry cost more than its ledger row).
        if isGoodFieldName(raw) { return raw }
        var name = String(String.UnicodeScalarView(raw.unicodeScalars.map { scalar -> Unicode.Scalar in
            switch scalar {
            case "A"..."Z", "0"..."9", "_": scalar
            case "a"..."z": Unicode.Scalar(scalar.value - 32)!
            default: "_"
            }
        }))
        if name.isEmpty || name.first == "_" || name.first!.isNumber {
            name = "X" + name
        }
        return String(name.prefix(64))
    }

    /// A name `fieldName` leaves as it is: 1–64 of A–Z, 0–9, `_`, not
    /// starting with a digit or `_`.
    static func isGoodFieldName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, bytes.count <= 64, first != UInt8(ascii: "_"), !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return bytes.allSatisfy { b in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "_")
        }
    }

    /// The bytes of each field, `NAME=value`, as sd_journal_sendv takes them.
    /// Values may hold newlines or any bytes: the native protocol carries
    /// them with a length, so a multi-line message stays one entry.
    var payloads: [[UInt8]] {
        fields.map { Array("\($0.name)=\($0.value)".utf8) }
    }

    /// Sends the entry to journald; returns sd_journal_sendv's result
    /// (0 or a negative errno).
    func send() -> Int32 {
        let payloads = self.payloads
        // One contiguous buffer and iovecs pointing into it: all pointers stay
        // valid for the duration of the single call.
        var buffer = [UInt8]()
        buffer.reserveCapacity(payloads.reduce(0) { $0 + $1.count })
        var ranges: [(offset: Int, length: Int)] = []
        for payload in payloads {
            ranges.append((buffer.count, payload.count))
            buffer.append(contentsOf: payload)
        }
        return buffer.withUnsafeMutableBytes { raw -> Int32 in
            let base = raw.baseAddress!
            var vectors = ranges.map { iovec(iov_base: base + $0.offset, iov_len: $0.length) }
            return sd_journal_sendv(&vectors, Int32(vectors.count))
        }
    }

    /// The plain-text form: `LEVEL message KEY=value …`, on one line. Control
    /// characters in the message are escaped (a newline would otherwise split
    /// one event into two lines for whatever reads them); values with spaces,
    /// quotes, `=` or control characters are quoted.
    func line() -> String {
        var line = priority.label + " " + JournalEntry.escaped(message)
        // The three managed fields are the level and the message already.
        for field in fields.dropFirst(JournalEntry.managedNames.count) {
            line += " " + field.name + "=" + JournalEntry.quotedIfNeeded(field.value)
        }
        return line
    }

    /// Control characters, backslashes (and, inside quotes, double quotes)
    /// written as escapes, so the text stays on one line and reads back.
    static func escaped(_ text: String, insideQuotes: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "\"" where insideQuotes: out += "\\\""
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar == "\\"
                || scalar.value < 0x20 || scalar.value == 0x7F
        }
        return needsQuotes ? "\"" + escaped(value, insideQuotes: true) + "\"" : value
    }
}
