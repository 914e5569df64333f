import Foundation

/// The words of a pending notice, in the receipt language.
public enum PendingText {
    public static func render(_ n: PendingNotice, language: ReceiptLanguage, timeZone: TimeZone) -> String {
        let vi = language == .vi
        func pick(_ a: String, _ b: String) -> String { vi ? a : b }
        var lines: [String] = []
        lines.append(pick("THÔNG BÁO VĂN BẢN ĐANG CHỜ — CHƯA XỬ LÝ", "NOTICE — DOCUMENT WAITING, NOT DECIDED YET"))
        lines.append(String(repeating: "=", count: 60))
        lines.append(pick("Đơn vị gửi", "Sender") + ": " + (n.unitName.isEmpty ? n.unit : "\(n.unitName) (\(n.unit))"))
        if !n.officeName.isEmpty { lines.append(pick("Nơi nhận", "Received by") + ": " + n.officeName) }
        var doc = n.key
        if let d = n.document { doc = pick("số", "no.") + " \(d.display) — " + (vi ? n.type.vietnamese : n.type.english) }
        lines.append(pick("Văn bản", "Document") + ": " + doc)
        lines.append(pick("Mã hồ sơ", "Submission") + ": " + n.submission)
        lines.append(pick("Thời điểm nhận", "Received") + ": " + ClerkTime.text(n.receivedAt, language, timeZone))
        lines.append("")
        lines.append(pick("Đang chờ", "Waiting for") + ": " + missing(n.reason, language))
        if !n.reason.files.isEmpty {
            lines.append(pick("Đã nhận", "Received so far") + ":")
            for f in n.reason.files { lines.append("  - \(f)") }
        }
        if case .revocationData = n.reason {
            lines.append(pick("Chi tiết", "Details") + ":")
            for l in n.reason.details { lines.append("  - \(l)") }
            lines.append(pick("Đơn vị gửi không cần làm gì, không cần gửi lại. Văn bản không bị trả lại vì lý do này: "
                              + "nếu đến \(ClerkTime.text(n.until, language, timeZone)) vẫn chưa có dữ liệu, Văn phòng xem xét và quyết định.",
                              "The sender need do nothing and need not send it again. It is not returned for this: "
                              + "if the data has not come by \(ClerkTime.text(n.until, language, timeZone)), the office reviews and decides."))
        } else {
            lines.append(pick("Hạn chót", "Deadline") + ": " + ClerkTime.text(n.until, language, timeZone))
            lines.append(pick("Nếu đến hạn chót vẫn chưa nhận được, văn bản sẽ bị trả lại.",
                              "If it has not arrived by the deadline, the document will be returned."))
        }
        lines.append(pick("Khi có kết quả, thông báo này được thay bằng phiếu tiếp nhận hoặc phiếu trả lại.",
                          "When it is decided, this notice is replaced by the receipt."))
        lines.append("")
        lines.append(pick("Căn cứ", "Rule applied") + ": " + n.rule)
        return lines.joined(separator: "\n") + "\n"
    }

    /// What is missing, as one phrase a clerk can act on.
    public static func missing(_ reason: WaitReason, _ language: ReceiptLanguage) -> String {
        let vi = language == .vi
        switch reason {
        case .moreFiles:
            return vi ? "các tệp còn đang được sao chép vào thư mục gửi" : "files still being copied into the outbox"
        case .electronicVersion:
            return vi ? "văn bản điện tử có chữ ký số của bản quét này (cùng tên tệp hoặc cùng số, ký hiệu)"
                      : "the digitally signed electronic version of this scan (same file name, or same number and symbol)"
        case .scan:
            return vi ? "bản quét văn bản giấy: loại văn bản này còn phải gửi kèm bản giấy"
                      : "the scan of the paper copy: this type of document still needs its paper copy"
        case .signedDocument:
            return vi ? "văn bản có chữ ký số (tệp PDF đã ký số, hoặc tệp chữ ký .p7s kèm theo tệp đã gửi)"
                      : "a digitally signed document (a signed PDF, or the .p7s signature of the file sent)"
        case .revocationData:
            return vi ? "dữ liệu thu hồi chứng thư số (CRL) còn hiệu lực của tổ chức cấp chứng thư — hệ thống tiếp nhận đang lấy, không phải việc của đơn vị gửi"
                      : "current revocation data (CRL) of the certificate's issuer — the gateway is getting it; nothing for the sender to do"
        }
    }
}
