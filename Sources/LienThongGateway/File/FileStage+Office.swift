import Foundation
import LienThongCore
import LienThongSpool

/// Filing the office's own documents (SPEC §7): archived like inbound ones;
/// a paper-type document also goes to `office/paper/`; the office's receipt
/// shows the decision and every delivery's state, rewritten as they change.
extension FileStage {
    /// Archives a decided outbound submission, files a paper-type document in
    /// `office/paper/`, and writes the office's receipt. Also the recovery path.
    func placeOutbound(_ record: Ledger.SubmissionRecord, now: Date) throws {
        guard let json = record.receipt, let archiveDir = record.placement else { return }
        let placement = OutboundPlacement(layout: settings.layout)
        try placement.archive(submission: record.id, archiveDir: archiveDir, receiptJSON: json, report: record.report ?? "{}\n")
        var paperFolder: String?
        if record.verdict == .accepted, try ledger.deliveries(of: record.id).isEmpty {
            paperFolder = try placement.copyToPaper(submission: record.id, key: record.key, archiveDir: archiveDir)
        }
        try writeOfficeReceipt(record, paperFolder: paperFolder)
        if record.state != .placed { try ledger.markPlaced(submission: record.id, at: now) }
    }

    /// (Re)writes `office/receipts/<key>.<verdict>.json` and `.txt` from the
    /// decision and the current state of every delivery.
    /// Returns the deliveries it showed.
    @discardableResult
    func writeOfficeReceipt(_ record: Ledger.SubmissionRecord, paperFolder: String? = nil) throws -> [Ledger.DeliveryRecord] {
        guard let json = record.receipt else { return [] }
        let deliveries = try ledger.deliveries(of: record.id)
        let paper = paperFolder.map { String($0.dropFirst(settings.layout.root.count + 1)) }
        let view = OutboundReceipt.DeliveryView(
            deliveries: deliveries, registry: settings.config.registry, spoolRoot: settings.layout.root, paperFolder: paper)
        try OutboundPlacement(layout: settings.layout).writeReceipt(
            submission: record.id, key: record.key, verdict: (record.verdict ?? .rejected).rawValue,
            json: OutboundReceipt.fullJSON(base: json, view, timeZone: settings.timeZone),
            text: OutboundReceipt.fullText(base: record.receiptText ?? "", view, language: settings.config.language, timeZone: settings.timeZone))
        return deliveries
    }
}
