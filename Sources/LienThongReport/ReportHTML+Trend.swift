import Foundation
import LienThongCore

/// The parts of the page about the province's changes: each unit's active
/// dates and successor, and the trend per month.
extension ReportHTML {
    /// "đến / until 2025-06-30 → 000.30.01.H41", "từ / from 2025-07-01", "" for always.
    static func lifetime(_ u: ComplianceReport.UnitInfo) -> String {
        var parts: [String] = []
        if let from = u.activeFrom { parts.append("từ / from \(from)") }
        if let to = u.activeTo { parts.append("đến / until \(to)") }
        if !u.successor.isEmpty { parts.append("→ \(u.successor)") }
        return parts.joined(separator: " ")
    }

    /// One row per month: received, accepted, rejected, electronic share with a
    /// bar, so the months around a reorganisation (1 July 2025) read at a glance.
    static func trendTable(_ report: ComplianceReport) -> String {
        guard report.months.count > 1 else { return "" }
        var h = """
            <h2>Diễn biến theo tháng <span class="en">/ Trend per month</span></h2>
            <table id="trend">
            <thead><tr><th>Tháng<br><span class="en">Month</span></th><th>Tiếp nhận<br><span class="en">Received</span></th>
            <th>Chấp nhận<br><span class="en">Accepted</span></th><th>Trả lại<br><span class="en">Rejected</span></th>
            <th>Tỷ lệ văn bản điện tử<br><span class="en">Electronic share</span></th></tr></thead>
            <tbody>

            """
        for m in report.months {
            let f = m.figures
            let width = Int(((f.electronicShare ?? 0) * 120).rounded())
            h += "<tr data-month=\"\(escape(m.month))\"><td>\(escape(m.month))</td><td class=\"n\">\(f.received)</td>"
                + "<td class=\"n\">\(f.accepted)</td><td class=\"n\">\(f.rejected)</td>"
                + "<td><span class=\"share\" style=\"width:\(width)px\"></span>\(escape(ComplianceReport.percent(f.electronicShare)))</td></tr>\n"
        }
        return h + "</tbody>\n</table>\n"
    }
}
