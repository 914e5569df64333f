import Foundation
import LienThongCore

/// The validation report kept beside each archived submission, so the
/// decision can be proven again years later: what each signature was, which
/// chain and CRLs were used, which time was trusted.
enum ValidationReport {
    static func render(submission: String, parts: [SubmissionPart], settings: GatewaySettings, decidedAt: Date) -> String {
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
            submission: submission, decided_at: decidedAt,
            trust: ["anchors": settings.config.trust.anchors, "crls": settings.config.trust.crls, "tsa": settings.config.trust.tsa,
                    "anchor_count": String(settings.trust.anchorCount), "crl_count": String(settings.trust.crlCount)],
            files: parts.map { FileReport(name: $0.name, role: $0.role.rawValue, size: $0.size, sha256: $0.sha256, problem: $0.problem, validation: $0.validation) })
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
