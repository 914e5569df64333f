/// The lines of the office's receipt for an outbound document that say what
/// became of it (`office/receipts/`), in the receipt's language. The stage
/// that writes the receipt picks the phrases and their values; the words are
/// here, beside the inbound receipt's (`ReceiptText`).
public enum OutboundPhrase: Sendable, Equatable {
    case heading
    case subject(String)
    case recipientsRequested([String])
    case recipientsUnknown([String])
    /// The type still needs paper: nothing is delivered electronically.
    case paperRequired
    case electronicOnly
    case deliveredNowhere
    /// Where the paper-type document was filed, relative to the spool root.
    case paperFolder(String)
    case deliveryCounts(total: Int, delivered: Int, waiting: Int, failed: Int)
    /// One recipient's line: who, how far its delivery got, and the last
    /// error when the stage chooses to show it.
    case recipient(String, DeliveryProgress, error: String?)

    public enum DeliveryProgress: Sendable, Equatable {
        /// `path` is where it lies, relative to the spool root.
        case delivered(path: String?)
        case beingDelivered
        /// `at` is the next attempt, already formatted.
        case willRetry(at: String?)
        case failed
    }

    public func text(_ language: ReceiptLanguage) -> String {
        let vi = language == .vi
        switch self {
        case .heading: return vi ? "VĂN BẢN ĐI (văn phòng phát hành)" : "OUTBOUND DOCUMENT (issued by the office)"
        case .subject(let s): return (vi ? "Trích yếu: " : "Subject: ") + s
        case .recipientsRequested(let list):
            return (vi ? "Nơi nhận yêu cầu: " : "Recipients requested: ") + list.joined(separator: ", ")
        case .recipientsUnknown(let list):
            return (vi ? "Nơi nhận KHÔNG XÁC ĐỊNH (không chuyển): " : "UNKNOWN recipients (nothing delivered): ") + list.joined(separator: ", ")
        case .paperRequired:
            return vi ? "Loại văn bản này CÒN PHẢI GỬI BẢN GIẤY: không chuyển bản điện tử cho đơn vị nhận."
                : "This type of document STILL NEEDS A PAPER COPY: it is not delivered electronically."
        case .electronicOnly:
            return vi ? "Văn bản chỉ gửi bản điện tử: chuyển vào thư mục inbox/ của từng đơn vị nhận."
                : "Electronic-only document: delivered into each recipient's inbox/."
        case .deliveredNowhere: return vi ? "Văn bản không được chuyển đến đơn vị nào." : "The document was delivered nowhere."
        case .paperFolder(let folder): return (vi ? "Đã lưu để gửi bản giấy tại: " : "Filed for the paper copy in: ") + folder + "/"
        case .deliveryCounts(let total, let delivered, let waiting, let failed):
            return vi ? "Chuyển đến \(total) đơn vị: \(delivered) đã chuyển, \(waiting) đang chờ, \(failed) không chuyển được"
                : "Delivery to \(total) units: \(delivered) delivered, \(waiting) waiting, \(failed) failed"
        case .recipient(let who, let progress, let error):
            return "  - \(who): " + progress.text(language) + (error.map { (vi ? "; lỗi: " : "; error: ") + $0 } ?? "")
        }
    }
}

extension OutboundPhrase.DeliveryProgress {
    public func text(_ language: ReceiptLanguage) -> String {
        let vi = language == .vi
        switch self {
        case .delivered(let path): return (vi ? "đã chuyển" : "delivered") + (path.map { " (\($0))" } ?? "")
        case .beingDelivered: return vi ? "đang chuyển" : "being delivered"
        case .willRetry(let at):
            return (vi ? "chưa chuyển được, sẽ thử lại" : "not delivered yet, will retry") + (at.map { (vi ? " lúc " : " at ") + $0 } ?? "")
        case .failed: return vi ? "KHÔNG CHUYỂN ĐƯỢC (đã hết thời hạn chuyển)" : "FAILED (delivery lifetime passed)"
        }
    }
}
