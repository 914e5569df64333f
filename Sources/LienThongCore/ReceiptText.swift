import Foundation

/// The human-readable receipt (`<key>.accepted.txt` / `.rejected.txt`) that a
/// clerk opens in Notepad: Vietnamese by default, English on request.
/// `render` gives the logical text (LF); `file` the bytes written to disk.
public enum ReceiptText {
    /// The receipt as written into `receipts/`: BOM and CRLF (`NotepadText`).
    public static func file(_ r: Receipt, language: ReceiptLanguage, timeZone: TimeZone) -> String {
        NotepadText.encode(render(r, language: language, timeZone: timeZone))
    }

    public static func render(_ r: Receipt, language: ReceiptLanguage, timeZone: TimeZone) -> String {
        let t = Labels(language)
        var lines: [String] = []
        lines.append(r.accepted ? t.titleAccepted : t.titleRejected)
        lines.append(Self.titleUnderline)
        lines.append("\(t.unit): \(r.unitName.isEmpty ? r.unit : "\(r.unitName) (\(r.unit))")")
        if !r.officeName.isEmpty { lines.append("\(t.office): \(r.officeName)") }
        var doc = r.key
        if let d = r.document { doc = "\(t.number) \(d.display) — \(language == .vi ? r.type.vietnamese : r.type.english)" }
        lines.append("\(t.document): \(doc)")
        lines.append("\(t.submission): \(r.submission)")
        lines.append("\(t.received): \(t.time(r.receivedAt, timeZone))")
        lines.append("\(t.decided): \(t.time(r.decidedAt, timeZone))")
        lines.append("\(t.result): \(r.accepted ? t.accepted : t.rejected)")
        if let n = r.arrivalNumber { lines.append("\(t.arrivalNumber): \(n)") }
        if !r.reasons.isEmpty {
            lines.append("")
            lines.append("\(t.reasons):")
            for reason in r.reasons {
                lines.append("  - [\(reason.code.rawValue)] \(ReasonText.sentence(reason.code, language))")
                if let binding = SignerBindingDetail(parsing: reason) {
                    lines.append("    (\(t.signerBinding(binding)))")
                } else if !reason.detail.isEmpty {
                    lines.append("    (\(reason.detail))")
                }
                lines.append("    → \(t.nextStep): \(ReasonAction.nextStep(reason.code, language))")
            }
        }
        if !r.warnings.isEmpty {
            lines.append("")
            lines.append("\(t.warnings):")
            for w in r.warnings { lines.append("  - \(w)") }
        }
        lines.append("")
        lines.append("\(t.files):")
        for f in r.files {
            lines.append("  - \(f.name) (\(t.role(f.role)), \(ByteSize.text(f.size, language)))")
            lines.append("    SHA-256: \(f.sha256)")
        }
        if !r.signatures.isEmpty {
            lines.append("")
            lines.append("\(t.signatures):")
            for s in r.signatures {
                let who = [s.signer, s.organization].filter { !$0.isEmpty }.joined(separator: ", ")
                lines.append("  - \(s.file): \(who.isEmpty ? "?" : who)")
                let time = s.signingTime.map { t.time($0, timeZone) } ?? "?"
                lines.append("    \(t.signingTime): \(time) (\(t.timeSource(s.timeSource)))")
                lines.append("    \(s.valid ? t.signatureValid : t.signatureInvalid)\(s.problems.isEmpty ? "" : ":")")
                for problem in s.problems {
                    lines.append("      • \(ReasonText.sentence(problem, language)) [\(problem.rawValue)]")
                }
            }
        }
        lines.append("")
        lines.append("\(t.rule): \(r.rule)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Made once: String(repeating:) cost a receipt more than its own lines.
    private static let titleUnderline = String(repeating: "=", count: 60)

    private struct Labels {
        let language: ReceiptLanguage
        init(_ language: ReceiptLanguage) { self.language = language }
        private func pick(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }
        var titleAccepted: String { pick("PHIẾU TIẾP NHẬN VĂN BẢN ĐIỆN TỬ — ĐÃ TIẾP NHẬN", "DOCUMENT RECEIPT — ACCEPTED") }
        var titleRejected: String { pick("PHIẾU TRẢ LẠI VĂN BẢN — KHÔNG TIẾP NHẬN", "DOCUMENT RECEIPT — REJECTED") }
        var unit: String { pick("Đơn vị gửi", "Sender") }
        var office: String { pick("Nơi nhận", "Received by") }
        var nextStep: String { pick("Cần làm", "What to do") }
        var document: String { pick("Văn bản", "Document") }
        var number: String { pick("số", "no.") }
        var submission: String { pick("Mã hồ sơ", "Submission") }
        var received: String { pick("Thời điểm nhận", "Received") }
        var decided: String { pick("Thời điểm xử lý", "Decided") }
        var result: String { pick("Kết quả", "Result") }
        var accepted: String { pick("ĐÃ TIẾP NHẬN", "ACCEPTED") }
        var rejected: String { pick("TRẢ LẠI (không tiếp nhận)", "REJECTED (returned to sender)") }
        var arrivalNumber: String { pick("Số đến", "Arrival number") }
        var reasons: String { pick("Lý do", "Reasons") }
        var warnings: String { pick("Lưu ý", "Warnings") }
        var files: String { pick("Các tệp đã nhận", "Files received") }
        var signatures: String { pick("Chữ ký số", "Digital signatures") }
        var signingTime: String { pick("Thời điểm ký", "Signing time") }
        var signatureValid: String { pick("Hợp lệ", "Valid") }
        var signatureInvalid: String { pick("Không hợp lệ", "Invalid") }
        var rule: String { pick("Căn cứ", "Rule applied") }
        func role(_ r: FileRole) -> String {
            switch r {
            case .electronic: return pick("văn bản điện tử", "electronic")
            case .scan: return pick("bản quét", "scan")
            case .signature: return pick("tệp chữ ký", "signature")
            case .manifest: return pick("tệp mô tả", "manifest")
            case .other: return pick("tệp khác", "other")
            }
        }
        func time(_ date: Date, _ timeZone: TimeZone) -> String { ClerkTime.text(date, language, timeZone) }
        func signerBinding(_ b: SignerBindingDetail) -> String {
            let signers = b.signers.isEmpty ? pick("không có chữ ký hợp lệ", "no valid signature") : b.signers.joined(separator: "; ")
            return pick("danh mục đơn vị yêu cầu người ký có tên “\(b.required)”; người đã ký: \(signers)",
                        "the registry requires a signer named “\(b.required)”; signed by: \(signers)")
        }
        func timeSource(_ s: SigningTimeSource) -> String {
            switch s {
            case .timestamp: return pick("dấu thời gian tin cậy", "trusted timestamp")
            case .signingTime: return pick("thời điểm ký do người ký ghi", "signer's claimed time")
            case .pdfModified: return pick("thời điểm ghi trong tệp PDF", "time in the PDF")
            case .arrival: return pick("không có, kiểm tra tại thời điểm nhận", "none, checked at arrival")
            }
        }
    }
}
