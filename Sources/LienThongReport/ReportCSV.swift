import Foundation
import LienThongCore

/// The report as CSV (RFC 4180: UTF-8, CRLF line ends, a header row, fields
/// quoted when they hold a comma, quote or line break), one row per unit and
/// a last row `TOTAL`. The columns are fixed — every reason code has its own,
/// zero or not — so a spreadsheet built on last year's file still fits.
public enum ReportCSV {
    public static var header: [String] {
        ["unit_id", "unit_name", "level", "received", "accepted", "rejected", "pending"]
            + ReasonCode.allCases.map { "rejected_" + $0.rawValue.replacingOccurrences(of: "-", with: "_") }
            + ["rejected_other_reason", "signature_problems", "median_decision_seconds", "electronic", "decided", "electronic_share"]
    }

    public static func render(_ report: ComplianceReport) -> String {
        var lines = [header.map(field).joined(separator: ",")]
        for f in report.units { lines.append(row(f, id: f.unit.id)) }
        lines.append(row(report.total, id: "TOTAL"))
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func row(_ f: ComplianceReport.Figures, id: String) -> String {
        let known = ReasonCode.allCases.map(\.rawValue)
        let other = f.rejectedByReason.filter { !known.contains($0.code) }.map(\.count).reduce(0, +)
        var cells = [id, f.unit.name, f.unit.level, String(f.received), String(f.accepted), String(f.rejected), String(f.pending)]
        cells += known.map { String(f.rejected(for: $0)) }
        cells += [String(other), String(f.signatureProblems),
                  f.medianDecisionSeconds.map { String(Int($0.rounded())) } ?? "",
                  String(f.electronic), String(f.decided),
                  f.electronicShare.map { String(format: "%.4f", $0) } ?? ""]
        return cells.map(field).joined(separator: ",")
    }

    /// One RFC 4180 field.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
