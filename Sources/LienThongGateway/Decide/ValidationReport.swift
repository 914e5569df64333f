import Foundation
import LienThongCore

/// The validation report kept beside each archived submission, so the
/// decision can be proven again years later: what each signature was, which
/// chain and CRLs were used, which time was trusted.
///
/// Its bytes are those JSONEncoder writes with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]` and ISO 8601 dates, the format every archived
/// report has. `ReportWriter` writes them directly: JSONEncoder's Codable
/// machinery cost each decision a fifth of its commit (make profile). What it
/// does not write exactly as JSONEncoder — a validation stopped at a bound
/// (a Double), a date outside years 1970–9999 — goes through JSONEncoder
/// (`encoded`). Tests hold the two to the same bytes.
enum ValidationReport {
    static func render(submission: String, parts: [SubmissionPart], settings: GatewaySettings, decidedAt: Date) -> String {
        render(submission: submission, parts: parts, trust: trust(settings), decidedAt: decidedAt)
    }

    /// What the report says of the trust configuration.
    static func trust(_ settings: GatewaySettings) -> [String: String] {
        ["anchors": settings.config.trust.anchors, "crls": settings.config.trust.crls, "tsa": settings.config.trust.tsa,
         "anchor_count": String(settings.trust.anchorCount), "crl_count": String(settings.trust.crlCount)]
    }

    static func render(submission: String, parts: [SubmissionPart], trust: [String: String], decidedAt: Date) -> String {
        var writer = ReportWriter()
        if writer.report(submission: submission, parts: parts, trust: trust, decidedAt: decidedAt) {
            return writer.text
        }
        return encoded(submission: submission, parts: parts, trust: trust, decidedAt: decidedAt)
    }

    /// The report by JSONEncoder: the definition of its format.
    static func encoded(submission: String, parts: [SubmissionPart], trust: [String: String], decidedAt: Date) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        struct Report: Encodable {
            var submission: String
            var decided_at: Date
            var trust: [String: String]
            var files: [FileReport]
        }
        struct FileReport: Encodable {
            var name: String
            var role: String
            var size: Int64
            var sha256: String
            var problem: Finding?
            var validation: DocumentValidation?
        }
        let report = Report(
            submission: submission, decided_at: decidedAt, trust: trust,
            files: parts.map { FileReport(name: $0.name, role: $0.role.rawValue, size: $0.size, sha256: $0.sha256, problem: $0.problem, validation: $0.validation) })
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// Writes the report's JSON as JSONEncoder does with pretty printing, sorted
/// keys and unescaped slashes: `"key" : value`, two spaces per level, an
/// empty array or object as an open line and a close line, keys in the order
/// of their UTF-8 bytes (written here in that order), strings with `"` `\`
/// \b \f \n \r \t escaped by name and other control characters as `\u00xx`.
struct ReportWriter {
    private var bytes: [UInt8] = []
    private var level = 0
    /// Per open container: no element written in it yet.
    private var empty: [Bool] = []
    private var utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    init() { bytes.reserveCapacity(4096) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Writes the whole report; false when it holds something only
    /// JSONEncoder writes exactly (see `ValidationReport`).
    mutating func report(submission: String, parts: [SubmissionPart], trust: [String: String], decidedAt: Date) -> Bool {
        guard parts.allSatisfy({ $0.validation?.stopped == nil }) else { return false }
        beginObject()
        key("decided_at")
        guard date(decidedAt) else { return false }
        key("files")
        beginArray()
        for part in parts {
            element()
            guard file(part) else { return false }
        }
        endArray()
        key("submission"); string(submission)
        key("trust")
        beginObject()
        for (name, value) in trust.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { key(name); string(value) }
        endObject()
        endObject()
        bytes.append(UInt8(ascii: "\n"))
        return true
    }

    private mutating func file(_ part: SubmissionPart) -> Bool {
        beginObject()
        key("name"); string(part.name)
        if let problem = part.problem {
            key("problem")
            beginObject()
            key("code"); string(problem.code.rawValue)
            key("detail"); string(problem.detail)
            endObject()
        }
        key("role"); string(part.role.rawValue)
        key("sha256"); string(part.sha256)
        key("size"); raw(String(part.size))
        if let v = part.validation {
            key("validation")
            beginObject()
            key("file"); string(v.file)
            key("notes"); strings(v.notes)
            key("problems"); strings(v.problems.map(\.rawValue))
            key("signatures")
            beginArray()
            for s in v.signatures {
                element()
                guard signature(s) else { return false }
            }
            endArray()
            endObject()
        }
        endObject()
        return true
    }

    private mutating func signature(_ s: SignatureFinding) -> Bool {
        beginObject()
        key("chain"); strings(s.chain)
        key("crlsUsed"); strings(s.crlsUsed)
        key("file"); string(s.file)
        key("notes"); strings(s.notes)
        key("organization"); string(s.organization)
        key("problems"); strings(s.problems.map(\.rawValue))
        if let wait = s.revocationWait { key("revocationWait"); strings(wait) }
        key("signer"); string(s.signer)
        if let time = s.signingTime {
            key("signingTime")
            guard date(time) else { return false }
        }
        key("subject"); string(s.subject)
        key("timeSource"); string(s.timeSource.rawValue)
        key("valid"); raw(s.valid ? "true" : "false")
        endObject()
        return true
    }

    // MARK: layout

    private mutating func beginObject() { open(UInt8(ascii: "{")) }
    private mutating func endObject() { close(UInt8(ascii: "}")) }
    private mutating func beginArray() { open(UInt8(ascii: "[")) }
    private mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        bytes.append(UInt8(ascii: "\n"))
        level += 1
        empty.append(true)
    }

    private mutating func close(_ bracket: UInt8) {
        level -= 1
        empty.removeLast()
        bytes.append(UInt8(ascii: "\n"))
        indent()
        bytes.append(bracket)
    }

    /// Before each member or element: the separator from the one before, the indent.
    private mutating func element() {
        if empty[empty.count - 1] {
            empty[empty.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: "\n"))
        }
        indent()
    }

    private mutating func key(_ name: String) {
        element()
        string(name)
        raw(" : ")
    }

    private mutating func indent() {
        for _ in 0..<(2 * level) { bytes.append(UInt8(ascii: " ")) }
    }

    private mutating func raw(_ s: String) { bytes += s.utf8 }

    private mutating func strings(_ items: [String]) {
        beginArray()
        for item in items {
            element()
            string(item)
        }
        endArray()
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            // Bytes that need no escape are copied a run at a time.
            var run = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                run = i + 1
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
                case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
                default:
                    bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")]
                    bytes.append(Self.hex[Int(b >> 4)])
                    bytes.append(Self.hex[Int(b & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `"2026-11-24T02:30:00Z"`; false outside years 1970–9999. Digits and
    /// separators only: nothing to escape.
    private mutating func date(_ d: Date) -> Bool {
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        guard let year = c.year, (1970...9999).contains(year) else { return false }
        func p(_ n: Int?) { ZeroPadded.append(n ?? 0, width: 2, to: &bytes) }
        bytes.append(UInt8(ascii: "\""))
        ZeroPadded.append(year, width: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-")); p(c.month); bytes.append(UInt8(ascii: "-")); p(c.day)
        bytes.append(UInt8(ascii: "T")); p(c.hour); bytes.append(UInt8(ascii: ":")); p(c.minute); bytes.append(UInt8(ascii: ":")); p(c.second)
        bytes.append(UInt8(ascii: "Z"))
        bytes.append(UInt8(ascii: "\""))
        return true
    }
}
