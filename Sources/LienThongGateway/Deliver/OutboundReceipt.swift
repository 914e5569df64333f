import Foundation
import LienThongCore
import LienThongSpool

/// The office's receipt for an outbound document (`office/receipts/`): the
/// fields of an inbound receipt (SPEC §6) with `unit` = the office, plus what
/// happened to the document — fanned out (each recipient with its delivery
/// state) or filed for paper. The decision's part is fixed in the ledger;
/// the delivery part is added each time the receipt is rewritten.
enum OutboundReceipt {
    struct Facts {
        var group: String
        var electronicOnly: Bool
        /// "fan-out", "paper", or nil when rejected.
        var disposition: String?
        var requested: [String]
        var unknown: [String]
        var subject: String?
        /// Groups with no unit active on the decision day, and units named that had ended.
        var emptyGroups: [String] = []
        var inactive: [String] = []
    }

    struct DeliveryView {
        var deliveries: [Ledger.DeliveryRecord]
        var registry: Registry
        var spoolRoot: String
        /// Relative to the spool root, for a paper-type document.
        var paperFolder: String?

        func relative(_ path: String) -> String {
            path.hasPrefix(spoolRoot + "/") ? String(path.dropFirst(spoolRoot.count + 1)) : path
        }
        func count(_ s: Ledger.DeliveryState) -> Int { deliveries.filter { $0.state == s }.count }
    }

    static func baseJSON(_ r: Receipt, _ f: Facts, language: ReceiptLanguage, timeZone: TimeZone) -> String {
        guard case .object(var fields) = r.json(language: language, timeZone: timeZone) else { return "{}\n" }
        fields.append(("direction", .string("outbound")))
        if let s = f.subject { fields.append(("subject", .string(s))) }
        fields.append(("electronic_only", .bool(f.electronicOnly)))
        fields.append(("disposition", f.disposition.map { .string($0) } ?? .null))
        fields.append(("paper_required", .bool(f.disposition == "paper")))
        fields.append(("group_folder", f.group.isEmpty ? .null : .string(f.group)))
        fields.append(("recipients_requested", .array(f.requested.map { .string($0) })))
        fields.append(("recipients_unknown", .array(f.unknown.map { .string($0) })))
        fields.append(("recipients_empty_groups", .array(f.emptyGroups.map { .string($0) })))
        fields.append(("recipients_not_active", .array(f.inactive.map { .string($0) })))
        return JSONValue.object(fields).serialized()
    }

    static func baseText(_ r: Receipt, _ f: Facts, language: ReceiptLanguage, timeZone: TimeZone) -> String {
        let vi = language == .vi
        var lines = [ReceiptText.render(r, language: language, timeZone: timeZone).trimmingCharacters(in: .newlines), ""]
        lines.append(vi ? "VĂN BẢN ĐI (văn phòng phát hành)" : "OUTBOUND DOCUMENT (issued by the office)")
        if let s = f.subject { lines.append((vi ? "Trích yếu: " : "Subject: ") + s) }
        if !f.requested.isEmpty { lines.append((vi ? "Nơi nhận yêu cầu: " : "Recipients requested: ") + f.requested.joined(separator: ", ")) }
        if !f.unknown.isEmpty {
            lines.append((vi ? "Nơi nhận KHÔNG XÁC ĐỊNH (không chuyển): " : "UNKNOWN recipients (nothing delivered): ") + f.unknown.joined(separator: ", "))
        }
        lines += RecipientGaps.lines(emptyGroups: f.emptyGroups, inactive: f.inactive, language: language)
        switch f.disposition {
        case "paper":
            lines.append(vi ? "Loại văn bản này CÒN PHẢI GỬI BẢN GIẤY: không chuyển bản điện tử cho đơn vị nhận."
                            : "This type of document STILL NEEDS A PAPER COPY: it is not delivered electronically.")
        case "fan-out":
            lines.append(vi ? "Văn bản chỉ gửi bản điện tử: chuyển vào thư mục inbox/ của từng đơn vị nhận."
                            : "Electronic-only document: delivered into each recipient's inbox/.")
        default:
            lines.append(vi ? "Văn bản không được chuyển đến đơn vị nào." : "The document was delivered nowhere.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func fullJSON(base: String, _ v: DeliveryView, timeZone: TimeZone) -> String {
        var extra: [(String, JSONValue)] = []
        if let p = v.paperFolder { extra.append(("paper_folder", .string(p))) }
        if !v.deliveries.isEmpty {
            extra.append(("delivery_summary", .object(Ledger.DeliveryState.allCases.map { ($0.rawValue, .int(Int64(v.count($0)))) })))
            extra.append(("deliveries", .array(v.deliveries.map { d in
                .object([
                    ("recipient", .string(d.recipient)),
                    ("name", .string(v.registry[d.recipient]?.name ?? "")),
                    ("state", .string(d.state.rawValue)),
                    ("path", d.path.map { .string(v.relative($0)) } ?? .null),
                    ("attempts", .int(Int64(d.attempts))),
                    ("last_error", d.lastError.map { .string($0) } ?? .null),
                    ("next_attempt", d.state == .deferred ? d.nextAttempt.map { .string(RFC3339.format($0, timeZone: timeZone)) } ?? .null : .null),
                    ("delivered_at", d.deliveredAt.map { .string(RFC3339.format($0, timeZone: timeZone)) } ?? .null),
                ])
            })))
        }
        return splice(base, extra)
    }

    /// Adds fields at the end of a serialized top-level object, keeping the
    /// decision's bytes (and field order) as they were committed.
    static func splice(_ base: String, _ extra: [(String, JSONValue)]) -> String {
        guard !extra.isEmpty else { return base }
        let tail = JSONValue.object(extra).serialized()
        guard base.hasSuffix("\n}\n"), tail.hasPrefix("{\n") else { return base }
        return String(base.dropLast(3)) + ",\n" + String(tail.dropFirst(2))
    }

    static func fullText(base: String, _ v: DeliveryView, language: ReceiptLanguage, timeZone: TimeZone) -> String {
        let vi = language == .vi
        var lines = [NotepadText.decode(base).trimmingCharacters(in: .newlines)]
        if let p = v.paperFolder {
            lines.append((vi ? "Đã lưu để gửi bản giấy tại: " : "Filed for the paper copy in: ") + p + "/")
        }
        if !v.deliveries.isEmpty {
            lines.append("")
            lines.append(vi
                ? "Chuyển đến \(v.deliveries.count) đơn vị: \(v.count(.delivered)) đã chuyển, \(v.count(.pending) + v.count(.deferred)) đang chờ, \(v.count(.failed)) không chuyển được"
                : "Delivery to \(v.deliveries.count) units: \(v.count(.delivered)) delivered, \(v.count(.pending) + v.count(.deferred)) waiting, \(v.count(.failed)) failed")
            for d in v.deliveries {
                let who = v.registry[d.recipient].map { "\(d.recipient) \($0.name)" } ?? d.recipient
                var state: String
                switch d.state {
                case .delivered: state = (vi ? "đã chuyển" : "delivered") + (d.path.map { " (\(v.relative($0)))" } ?? "")
                case .pending: state = vi ? "đang chuyển" : "being delivered"
                case .deferred:
                    state = (vi ? "chưa chuyển được, sẽ thử lại" : "not delivered yet, will retry")
                        + (d.nextAttempt.map { (vi ? " lúc " : " at ") + RFC3339.format($0, timeZone: timeZone) } ?? "")
                case .failed: state = vi ? "KHÔNG CHUYỂN ĐƯỢC (đã hết thời hạn chuyển)" : "FAILED (delivery lifetime passed)"
                }
                if d.state != .delivered, let e = d.lastError { state += (vi ? "; lỗi: " : "; error: ") + e }
                lines.append("  - \(who): \(state)")
            }
        }
        // The ledger keeps the logical text; the office's clerks get Notepad's.
        return NotepadText.encode(lines.joined(separator: "\n") + "\n")
    }
}
