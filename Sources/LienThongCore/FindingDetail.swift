/// The detail of a file's finding (the words in a reason's parentheses), in
/// the receipt's language: the clerk who reads a Vietnamese receipt should
/// not meet English there. The stages choose the phrase and its values; the
/// words are here.
public enum FindingDetail: Sendable, Equatable {
    /// Not a regular file; `kind` is the file type as the reader names it
    /// ("directory", "symbolic link", "FIFO", "socket", "… device").
    case notRegular(name: String, kind: String)
    case hardLinked(name: String)
    case tooLarge(name: String, size: Int64, limit: Int64)
    case empty(name: String)
    case unreadable(name: String)
    /// A PDF whose validation passed a bound of its budget (a decompression or parse bomb).
    case validationStopped(name: String, ValidationStop)
    case duplicate(name: String, earlier: String)
    /// The sender's row left the registry while its submission waited.
    case unitGone(unit: String)

    public func text(_ language: ReceiptLanguage) -> String {
        switch language {
        case .vi: return vietnamese
        case .en: return english
        }
    }

    var vietnamese: String {
        switch self {
        case .notRegular(let name, let kind):
            return "\(name): là \(Self.vietnamese(kind: kind)), không phải tệp thông thường; được cách ly, không mở"
        case .hardLinked(let name):
            return "\(name): tệp có liên kết cứng (hard link) khác nên vẫn có thể bị thay đổi sau khi kiểm tra; đề nghị gửi một bản sao thông thường"
        case .tooLarge(let name, let size, let limit):
            return "\(name): \(size) byte, vượt giới hạn \(limit) byte"
        case .empty(let name):
            return "\(name): tệp rỗng"
        case .unreadable(let name):
            return "\(name): không đọc được tệp"
        case .validationStopped(let name, let stop):
            return "\(name): dừng kiểm tra PDF vì \(stop.text(.vi)); văn bản ký số thật không cần như vậy, đề nghị xuất lại tệp PDF"
        case .duplicate(let name, let earlier):
            return "\(name) đã được tiếp nhận trước đó trong hồ sơ \(earlier)"
        case .unitGone(let unit):
            return "đơn vị \(unit) không còn trong danh mục đơn vị"
        }
    }

    var english: String {
        switch self {
        case .notRegular(let name, let kind):
            return "\(name): a \(kind), not a regular file; kept in quarantine, never opened"
        case .hardLinked(let name):
            return "\(name): has other hard links, so it could still change after checking; send a plain copy"
        case .tooLarge(let name, let size, let limit):
            return "\(name): \(size) bytes, the limit is \(limit) bytes"
        case .empty(let name):
            return "\(name): the file is empty"
        case .unreadable(let name):
            return "\(name): could not be read"
        case .validationStopped(let name, let stop):
            return "\(name): PDF validation stopped: \(stop.text(.en)); no genuine signed document needs this, export the PDF again"
        case .duplicate(let name, let earlier):
            return "\(name) was accepted before in submission \(earlier)"
        case .unitGone(let unit):
            return "unit \(unit) is no longer in the registry"
        }
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
