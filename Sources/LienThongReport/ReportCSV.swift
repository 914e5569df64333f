import Foundation
import LienThongCore

/// The report as CSV (RFC 4180: UTF-8 with a BOM, CRLF line ends, a header
/// row, fields quoted when they hold a comma, quote or line break): one row
/// per unit, a subtotal row per level, and a last row `TOTAL`. The BOM and the
/// Vietnamese headers are for the Sở's staff, who open it in Excel (without
/// the BOM Excel reads UTF-8 as Windows-1258 and garbles every name); English
/// headers when the gateway's language is `en`. The columns are fixed — every
/// reason code has its own, zero or not — so last year's spreadsheet still fits.
public enum ReportCSV {
    public static let byteOrderMark = "\u{FEFF}"

    public static func header(_ language: ReceiptLanguage) -> [String] {
        let vi = language == .vi
        let first = vi
            ? ["Mã đơn vị", "Tên đơn vị", "Cấp", "Hoạt động từ", "Hoạt động đến", "Đơn vị kế thừa",
               "Tiếp nhận", "Chấp nhận", "Trả lại", "Đang chờ"]
            : ["Unit id", "Unit name", "Level", "Active from", "Active to", "Successor",
               "Received", "Accepted", "Rejected", "Pending"]
        let reasons = ReasonCode.allCases.map { (vi ? "Trả lại: " : "Rejected: ") + $0.rawValue }
        let last = vi
            ? ["Trả lại: lý do khác", "Lỗi chữ ký số", "Thời gian xử lý trung vị (giây)", "Có văn bản điện tử", "Đã xử lý",
               "Tỷ lệ văn bản điện tử"]
            : ["Rejected: other reason", "Signature problems", "Median decision time (seconds)", "With electronic document", "Decided",
               "Electronic share"]
        return first + reasons + last
    }

    public static func render(_ report: ComplianceReport, language: ReceiptLanguage = .vi) -> String {
        var lines = [header(language).map(field).joined(separator: ",")]
        for f in report.units { lines.append(row(f, id: f.unit.id)) }
        for f in report.levels { lines.append(row(f, id: f.unit.id)) }
        lines.append(row(report.total, id: "TOTAL"))
        return byteOrderMark + lines.joined(separator: "\r\n") + "\r\n"
    }

    static func row(_ f: ComplianceReport.Figures, id: String) -> String {
        let known = ReasonCode.allCases.map(\.rawValue)
        let other = f.rejectedByReason.filter { !known.contains($0.code) }.map(\.count).reduce(0, +)
        var cells = [id, f.unit.name, f.unit.level, f.unit.activeFrom?.description ?? "", f.unit.activeTo?.description ?? "",
                     f.unit.successor, String(f.received), String(f.accepted), String(f.rejected), String(f.pending)]
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
