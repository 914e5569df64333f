import Foundation
import Testing
@testable import LienThongGateway
import LienThongCore

/// validation.json is evidence: the report written directly (`ReportWriter`)
/// must be the bytes JSONEncoder wrote, the format of every archived report.
@Suite("Validation report bytes")
struct ValidationReportTests {
    /// Names and texts as hostile or foreign as files and certificates get.
    static let tricky = [
        "", "plain.pdf", "Nguye\u{302}\u{303}n Va\u{306}n An.pdf", "Nguyễn Văn An.pdf", "say \"hi\" \\ and /slash/",
        "\u{FEFF}bom", "🇻🇳👩‍💼", "\u{2028}\u{2029}\u{7F}\u{80}\u{A0}", "\u{E000}\u{10FFFF}", "tab\tcr\rlf\nbs\u{8}ff\u{C}",
        String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init))), "CN=A/B, O=\"Sở\", C=VN",
    ]

    static func signature(_ i: Int, time: Date?, wait: [String]?) -> SignatureFinding {
        let t = tricky[i % tricky.count]
        var s = SignatureFinding(
            file: t, signer: tricky[(i + 1) % tricky.count], organization: t, subject: "CN=\(t)", signingTime: time,
            timeSource: [.timestamp, .signingTime, .pdfModified, .arrival][i % 4], valid: i % 2 == 0,
            problems: i % 3 == 0 ? [] : [.signatureInvalid, .certificateRevoked], chain: i % 2 == 0 ? [] : tricky,
            crlsUsed: i % 2 == 0 ? ["a.crl", t] : [], notes: i % 3 == 1 ? [] : [t, "note"])
        s.revocationWait = wait
        return s
    }

    static func parts(times: [Date?]) -> [SubmissionPart] {
        var parts: [SubmissionPart] = []
        for (i, t) in tricky.enumerated() {
            let validation = i % 3 == 2 ? nil : DocumentValidation(
                file: t, signatures: (0..<(i % 3)).map { signature(i + $0, time: times[(i + $0) % times.count], wait: $0 == 0 ? nil : ($0 == 1 ? [] : [t])) },
                problems: i % 2 == 0 ? [] : [.unreadable], notes: i % 2 == 0 ? [t] : [])
            parts.append(SubmissionPart(
                name: t, role: [.electronic, .scan, .signature, .manifest, .other][i % 5], size: [0, 79, -1, Int64.max][i % 4],
                sha256: String(repeating: "ab", count: 32), problem: i % 4 == 1 ? Finding(.duplicate, t) : (i % 4 == 3 ? Finding(.tooLarge) : nil),
                validation: validation))
        }
        return parts
    }

    static let trust = ["anchors": "/etc/lienthong/trust/anchors", "crls": "/var/lib/lienthong/crls \"x\"", "tsa": "/tsa\u{1}",
                        "anchor_count": "2", "crl_count": "0"]

    @Test func reportIsJSONEncodersBytes() {
        let times: [Date?] = [nil, Date(timeIntervalSince1970: 1_700_000_000.999_999), Date(timeIntervalSince1970: 0),
                              Date(timeIntervalSince1970: 253_402_300_799.5)]
        let parts = Self.parts(times: times)
        for decided in [Date(timeIntervalSince1970: 1_764_650_000.25), Date(timeIntervalSince1970: 951_782_399.999_9)] {
            let fast = ValidationReport.render(submission: "20261202-000094-7614", parts: parts, trust: Self.trust, decidedAt: decided)
            let encoded = ValidationReport.encoded(submission: "20261202-000094-7614", parts: parts, trust: Self.trust, decidedAt: decided)
            #expect(Array(fast.utf8) == Array(encoded.utf8))
            var writer = ReportWriter()
            let direct = writer.report(submission: "s", parts: parts, trust: Self.trust, decidedAt: decided)
            #expect(direct, "the common case is written directly")
        }
        for parts in [[], [SubmissionPart(name: "x", role: .other)]] {
            let fast = ValidationReport.render(submission: "", parts: parts, trust: [:], decidedAt: Date(timeIntervalSince1970: 1e9))
            #expect(Array(fast.utf8) == Array(ValidationReport.encoded(submission: "", parts: parts, trust: [:], decidedAt: Date(timeIntervalSince1970: 1e9)).utf8))
        }
    }

    /// Dates as JSONEncoder's ISO 8601 writes them, fractions of a second
    /// included, over the years the writer takes.
    @Test func datesAreJSONEncodersBytes() {
        var generator = SystemRandomNumberGenerator()
        var times = [0, 59.999_999, 86_399.5, 951_868_800, 4_102_444_800, 253_402_300_799.999]
        for _ in 0..<400 { times.append(Double.random(in: 0..<253_402_300_800, using: &generator)) }
        for t in times {
            let date = Date(timeIntervalSince1970: t)
            let fast = ValidationReport.render(submission: "s", parts: [], trust: [:], decidedAt: date)
            #expect(Array(fast.utf8) == Array(ValidationReport.encoded(submission: "s", parts: [], trust: [:], decidedAt: date).utf8), "\(t)")
        }
    }

    /// What the writer leaves to JSONEncoder still gets JSONEncoder's bytes.
    @Test func aStoppedValidationOrAnOddDateGoesThroughJSONEncoder() {
        let stopped = [SubmissionPart(name: "big.pdf", role: .electronic, validation: DocumentValidation(
            file: "big.pdf", problems: [.unreadable], stopped: ValidationStop(bound: .time, limit: 1.5)))]
        let old = [SubmissionPart(name: "a.pdf", role: .electronic, validation: DocumentValidation(
            file: "a.pdf", signatures: [SignatureFinding(file: "a.pdf", signingTime: Date(timeIntervalSince1970: -1))]))]
        let now = Date(timeIntervalSince1970: 1_764_650_000)
        for parts in [stopped, old] {
            var writer = ReportWriter()
            let direct = writer.report(submission: "s", parts: parts, trust: [:], decidedAt: now)
            #expect(!direct)
            #expect(ValidationReport.render(submission: "s", parts: parts, trust: [:], decidedAt: now)
                == ValidationReport.encoded(submission: "s", parts: parts, trust: [:], decidedAt: now))
        }
        var writer = ReportWriter()
        let direct = writer.report(submission: "s", parts: [], trust: [:], decidedAt: Date(timeIntervalSince1970: 253_402_300_800))
        #expect(!direct, "year 10000")
    }

    /// The writer names every stored property of what it writes: a field
    /// added to one of these types must be added to `ReportWriter` too, or
    /// the report would silently lose it.
    @Test func theWriterKnowsEveryField() {
        func fields(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label) }
        #expect(fields(SignatureFinding(file: "")) == [
            "file", "signer", "organization", "subject", "signingTime", "timeSource", "valid", "problems", "chain", "crlsUsed", "notes",
            "revocationWait",
        ])
        #expect(fields(DocumentValidation(file: "")) == ["file", "signatures", "problems", "notes", "stopped"])
        #expect(fields(Finding(.duplicate)) == ["code", "detail"])
        #expect(fields(SubmissionPart(name: "", role: .other)) == ["name", "role", "size", "sha256", "problem", "validation"])
    }
}
