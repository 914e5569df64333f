import LienThongCore

/// The detail of a file's finding, in the receipt's language: the clerk who
/// reads a Vietnamese receipt should not meet English in its parentheses.
struct FindingDetail {
    let language: ReceiptLanguage

    private func pick(_ vi: String, _ en: String) -> String { language == .vi ? vi : en }

    func notRegular(_ name: String, kind: String) -> String {
        pick("\(name): là \(Self.vietnamese(kind: kind)), không phải tệp thông thường; được cách ly, không mở",
             "\(name): a \(kind), not a regular file; kept in quarantine, never opened")
    }

    func hardLinked(_ name: String) -> String {
        pick("\(name): tệp có liên kết cứng (hard link) khác nên vẫn có thể bị thay đổi sau khi kiểm tra; đề nghị gửi một bản sao thông thường",
             "\(name): has other hard links, so it could still change after checking; send a plain copy")
    }

    func tooLarge(_ name: String, size: Int64, limit: Int64) -> String {
        pick("\(name): \(size) byte, vượt giới hạn \(limit) byte", "\(name): \(size) bytes, the limit is \(limit) bytes")
    }

    func empty(_ name: String) -> String { pick("\(name): tệp rỗng", "\(name): the file is empty") }

    func unreadable(_ name: String) -> String { pick("\(name): không đọc được tệp", "\(name): could not be read") }

    /// A PDF whose validation passed a bound of its budget (a decompression or parse bomb).
    func validationStopped(_ name: String, _ stop: ValidationStop) -> String {
        pick("\(name): dừng kiểm tra PDF vì \(stop.text(.vi)); văn bản ký số thật không cần như vậy, đề nghị xuất lại tệp PDF",
             "\(name): PDF validation stopped: \(stop.text(.en)); no genuine signed document needs this, export the PDF again")
    }

    func duplicate(_ name: String, earlier: String) -> String {
        pick("\(name) đã được tiếp nhận trước đó trong hồ sơ \(earlier)", "\(name) was accepted before in submission \(earlier)")
    }

    func unitGone(_ unit: String) -> String {
        pick("đơn vị \(unit) không còn trong danh mục đơn vị", "unit \(unit) is no longer in the registry")
    }

    static func vietnamese(kind: String) -> String {
        switch kind {
        case "directory": return "thư mục"
        case "symbolic link": return "liên kết tượng trưng (symbolic link)"
        case "FIFO": return "ống dẫn (FIFO)"
        case "socket": return "socket"
        case "character device", "block device": return "tệp thiết bị (\(kind))"
        default: return kind
        }
    }
}
