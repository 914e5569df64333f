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
        var phrases: [OutboundPhrase] = [.heading]
        if let s = f.subject { phrases.append(.subject(s)) }
        if !f.requested.isEmpty { phrases.append(.recipientsRequested(f.requested)) }
        if !f.unknown.isEmpty { phrases.append(.recipientsUnknown(f.unknown)) }
        var lines = [ReceiptText.render(r, language: language, timeZone: timeZone).trimmingCharacters(in: .newlines), ""]
        lines += phrases.map { $0.text(language) }
        lines += RecipientGaps.lines(emptyGroups: f.emptyGroups, inactive: f.inactive, language: language)
        let outcome: OutboundPhrase
        switch f.disposition {
        case "paper": outcome = .paperRequired
        case "fan-out": outcome = .electronicOnly
        default: outcome = .deliveredNowhere
        }
        lines.append(outcome.text(language))
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
        var lines = [NotepadText.decode(base).trimmingCharacters(in: .newlines)]
        if let p = v.paperFolder { lines.append(OutboundPhrase.paperFolder(p).text(language)) }
        if !v.deliveries.isEmpty {
            lines.append("")
            let counts = OutboundPhrase.deliveryCounts(
                total: v.deliveries.count, delivered: v.count(.delivered), waiting: v.count(.pending) + v.count(.deferred), failed: v.count(.failed))
            lines.append(counts.text(language))
            for d in v.deliveries {
                let who = v.registry[d.recipient].map { "\(d.recipient) \($0.name)" } ?? d.recipient
                let progress: OutboundPhrase.DeliveryProgress
                switch d.state {
                case .delivered: progress = .delivered(path: d.path.map(v.relative))
                case .pending: progress = .beingDelivered
                case .deferred: progress = .willRetry(at: d.nextAttempt.map { RFC3339.format($0, timeZone: timeZone) })
                case .failed: progress = .failed
                }
                lines.append(OutboundPhrase.recipient(who, progress, error: d.state == .delivered ? nil : d.lastError).text(language))
            }
        }
        // The ledger keeps the logical text; the office's clerks get Notepad's.
        return NotepadText.encode(lines.joined(separator: "\n") + "\n")
    }
}
