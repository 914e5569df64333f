import Foundation
import LienThongCore

/// The report as one self-contained HTML page: inline CSS and inline SVG,
/// no script and nothing fetched, so it can be mailed, archived and printed
/// as it is. Vietnamese headings with English beside them. Every text that
/// comes from the ledger or the registry is escaped (keys and names start as
/// file names dropped by anyone).
public enum ReportHTML {
    /// Bar colours: the test looks for these in a rendered screenshot.
    public static let acceptedColour = "#2e7d32"
    public static let missingElectronicColour = "#c62828"
    public static let signatureColour = "#ef6c00"
    public static let otherColour = "#6d4c41"
    public static let pendingColour = "#1565c0"

    public static func render(_ report: ComplianceReport) -> String {
        let p = report.period
        let title = report.title.isEmpty ? "Báo cáo tình hình tiếp nhận văn bản điện tử" : report.title
        var html = """
            <!DOCTYPE html>
            <html lang="vi">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) \(ReportPeriod.vietnamese(p.from))–\(ReportPeriod.vietnamese(p.to))</title>
            <style>\(css)</style>
            </head>
            <body>
            <header>
            <h1>\(escape(title))</h1>
            <p class="en">Compliance report: documents received from the units</p>
            <p>Kỳ báo cáo / Period: <strong>\(ReportPeriod.vietnamese(p.from)) – \(ReportPeriod.vietnamese(p.to))</strong>
            (\(escape(p.fromText)) to \(escape(p.toText)), giờ Việt Nam / Vietnam time)</p>

            """
        if !report.rule.isEmpty { html += "<p>Căn cứ / Rule: \(escape(report.rule))</p>\n" }
        html += "<p class=\"muted\">Lập lúc / Generated \(escape(RFC3339.format(report.generatedAt, timeZone: p.timeZone)))</p>\n</header>\n"
        html += summaryTable(report)
        html += trendTable(report)
        html += overview(report)
        html += "<h2>Biểu đồ theo đơn vị <span class=\"en\">/ Chart per unit</span></h2>\n"
        html += "<div class=\"units\">\n"
        for f in report.unitsByCompliance { html += unitSection(f) }
        html += "</div>\n</body>\n</html>\n"
        return html
    }

    static let css = """
        body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;margin:24px;color:#212121;background:#fff}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:0 0 6px}
        .en{color:#555;font-weight:normal}.muted{color:#777;font-size:12px}
        table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #bdbdbd;padding:4px 8px}
        th{background:#eceff1;text-align:center;vertical-align:bottom}td.n{text-align:right;font-variant-numeric:tabular-nums}
        tr.total td{font-weight:bold;background:#fafafa}td.bad{color:#b71c1c;font-weight:bold}
        tr.level td{font-weight:bold;background:#f5f5f5}tr.noe td:first-child{border-left:4px solid #c62828}
        .share{display:inline-block;height:10px;background:#2e7d32;vertical-align:middle;margin-right:6px}
        .units{display:flex;flex-wrap:wrap;gap:16px}
        section.unit{border:1px solid #cfd8dc;border-radius:6px;padding:12px;width:640px;box-sizing:border-box}
        .legend span{display:inline-block;margin-right:14px;font-size:12px}
        .legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
        .figures{font-size:12px;color:#424242;margin:0 0 6px}
        """

    static func summaryTable(_ report: ComplianceReport) -> String {
        var h = """
            <h2>Tổng hợp <span class="en">/ Summary</span></h2>
            <p class="muted">Đơn vị không gửi văn bản điện tử nào đứng đầu / Units that sent no electronic document come first</p>
            <table id="summary">
            <thead><tr><th>Mã đơn vị<br><span class="en">Unit id</span></th><th>Đơn vị<br><span class="en">Unit</span></th>
            <th>Hoạt động<br><span class="en">Active</span></th>
            <th>Tiếp nhận<br><span class="en">Received</span></th><th>Chấp nhận<br><span class="en">Accepted</span></th>
            <th>Trả lại<br><span class="en">Rejected</span></th><th>Thiếu văn bản điện tử<br><span class="en">Missing electronic</span></th>
            <th>Lỗi chữ ký số<br><span class="en">Signature problems</span></th><th>Đang chờ<br><span class="en">Pending</span></th>
            <th>Thời gian xử lý (trung vị)<br><span class="en">Median decision time</span></th>
            <th>Tỷ lệ văn bản điện tử<br><span class="en">Electronic share</span></th></tr></thead>
            <tbody>

            """
        func row(_ f: ComplianceReport.Figures, kind: String) -> String {
            let missing = f.rejected(for: ReasonCode.missingElectronic.rawValue)
            return "<tr\(kind.isEmpty ? "" : " class=\"\(kind)\"") data-unit=\"\(escape(f.unit.id))\"><td>\(escape(f.unit.id))</td><td>\(escape(f.unit.name))</td>"
                + "<td>\(escape(lifetime(f.unit)))</td>"
                + "<td class=\"n\">\(f.received)</td><td class=\"n\">\(f.accepted)</td><td class=\"n\">\(f.rejected)</td>"
                + "<td class=\"n\(missing > 0 ? " bad" : "")\">\(missing)</td><td class=\"n\">\(f.signatureProblems)</td>"
                + "<td class=\"n\">\(f.pending)</td><td class=\"n\">\(escape(ComplianceReport.duration(f.medianDecisionSeconds)))</td>"
                + "<td class=\"n\">\(escape(ComplianceReport.percent(f.electronicShare)))</td></tr>\n"
        }
        for f in report.unitsByCompliance { h += row(f, kind: f.electronic == 0 && f.received > 0 ? "noe" : "") }
        for f in report.levels { h += row(f, kind: "level") }
        h += row(report.total, kind: "total")
        return h + "</tbody>\n</table>\n"
    }

    /// Every unit on one chart: a stacked bar per unit (accepted, then each
    /// reason, then pending), lengths on one scale, so the units that send
    /// paper without its electronic version stand out at a glance.
    static func overview(_ report: ComplianceReport) -> String {
        let units = report.units.filter { $0.received > 0 }
        guard !units.isEmpty else { return "" }
        let labelWidth = 300.0, barArea = 480.0, rowHeight = 24.0, width = 1000.0
        let scale = barArea / Double(max(1, units.map(\.received).max() ?? 1))
        let height = rowHeight * Double(units.count) + 8
        var h = "<h2>Toàn cảnh <span class=\"en\">/ Overview</span></h2>\n" + legend()
        h += "<svg id=\"overview\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"Overview\">\n"
        for (i, f) in units.enumerated() {
            let y = 4 + rowHeight * Double(i)
            h += "<text x=\"\(Int(labelWidth - 8))\" y=\"\(fmt(y + 16))\" text-anchor=\"end\" font-size=\"12\" fill=\"#333\">\(escape(f.unit.name))</text>"
            var x = labelWidth
            // Rejections by submission, not by reason: a submission with two
            // reasons is drawn once, in the colour of its first reason.
            var segments: [(Int, String)] = [(f.accepted, acceptedColour)]
            var left = f.rejected
            for (code, count) in f.rejectedByReason where left > 0 {
                let n = min(count, left)
                segments.append((n, colour(code)))
                left -= n
            }
            segments.append((f.pending, pendingColour))
            for (count, colour) in segments where count > 0 {
                let w = Double(count) * scale
                h += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y + 3))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight - 8))\" fill=\"\(colour)\"/>"
                x += w
            }
            h += "<text x=\"\(fmt(x + 6))\" y=\"\(fmt(y + 16))\" font-size=\"12\" fill=\"#111\">\(f.received) · \(escape(ComplianceReport.percent(f.electronicShare))) điện tử</text>\n"
        }
        return h + "</svg>\n"
    }

    static func legend() -> String {
        let items = [(acceptedColour, "Chấp nhận / Accepted"), (missingElectronicColour, "Thiếu văn bản điện tử / Missing electronic"),
                     (signatureColour, "Lỗi chữ ký số / Signature problem"), (otherColour, "Lý do khác / Other reason"),
                     (pendingColour, "Đang chờ / Pending")]
        return "<p class=\"legend\">" + items.map { "<span><i style=\"background:\($0.0)\"></i>\(escape($0.1))</span>" }.joined() + "</p>\n"
    }

    /// What each reason is called on the chart.
    static func label(_ code: String) -> String {
        switch code {
        case ReasonCode.missingElectronic.rawValue: return "Thiếu văn bản điện tử / missing-electronic"
        case ReasonCode.missingScan.rawValue: return "Thiếu bản giấy (scan) / missing-scan"
        case ReasonCode.duplicate.rawValue: return "Trùng lặp / duplicate"
        default:
            return ComplianceReport.signatureFamily.contains(code) ? "Lỗi chữ ký số / \(code)" : "Trả lại / \(code)"
        }
    }

    static func colour(_ code: String) -> String {
        if code == ReasonCode.missingElectronic.rawValue { return missingElectronicColour }
        if ComplianceReport.signatureFamily.contains(code) { return signatureColour }
        return otherColour
    }

    static func unitSection(_ f: ComplianceReport.Figures) -> String {
        var bars: [(label: String, count: Int, colour: String, code: String)] = [("Chấp nhận / accepted", f.accepted, acceptedColour, "accepted")]
        for (code, count) in f.rejectedByReason { bars.append((label(code), count, colour(code), code)) }
        if f.pending > 0 { bars.append(("Đang chờ / pending", f.pending, pendingColour, "pending")) }
        var h = "<section class=\"unit\" data-unit=\"\(escape(f.unit.id))\">\n"
        h += "<h3>\(escape(f.unit.name)) <span class=\"en\">(\(escape(f.unit.id))\(f.unit.level.isEmpty ? "" : ", " + escape(f.unit.level)))</span></h3>\n"
        h += "<p class=\"figures\">Tiếp nhận / received <b>\(f.received)</b> · chấp nhận / accepted <b>\(f.accepted)</b> · "
            + "trả lại / rejected <b>\(f.rejected)</b> · văn bản điện tử / electronic <b>\(escape(ComplianceReport.percent(f.electronicShare)))</b> · "
            + "trung vị / median <b>\(escape(ComplianceReport.duration(f.medianDecisionSeconds)))</b></p>\n"
        if f.received == 0 {
            return h + "<p class=\"muted\">Không có văn bản trong kỳ / No submissions in this period</p>\n</section>\n"
        }
        let labelWidth = 300.0, barArea = 280.0, rowHeight = 26.0, width = 616.0
        let maxCount = Double(max(1, bars.map(\.count).max() ?? 1))
        let height = rowHeight * Double(bars.count) + 8
        h += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(f.unit.name))\">\n"
        for (i, bar) in bars.enumerated() {
            let y = 4 + rowHeight * Double(i)
            let w = bar.count == 0 ? 0 : max(2, barArea * Double(bar.count) / maxCount)
            h += "<text x=\"\(Int(labelWidth - 8))\" y=\"\(fmt(y + 17))\" text-anchor=\"end\" font-size=\"12\" fill=\"#333\">\(escape(bar.label))</text>"
            h += "<rect x=\"\(Int(labelWidth))\" y=\"\(fmt(y + 3))\" width=\"\(fmt(w))\" height=\"\(fmt(rowHeight - 8))\" fill=\"\(bar.colour)\" data-code=\"\(escape(bar.code))\"/>"
            h += "<text x=\"\(fmt(labelWidth + w + 6))\" y=\"\(fmt(y + 17))\" font-size=\"12\" fill=\"#111\">\(bar.count)</text>\n"
        }
        return h + "</svg>\n</section>\n"
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Text for HTML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters and bidirectional overrides have no
                // business in a report (names come from dropped files).
                if (ch.value < 0x20 && ch != "\n" && ch != "\t") || (0x7F...0x9F).contains(ch.value)
                    || (0x202A...0x202E).contains(ch.value) || (0x2066...0x2069).contains(ch.value)
                {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out
    }
}
