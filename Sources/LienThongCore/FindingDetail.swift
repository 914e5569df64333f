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
    /// The office's own documents (SPEC §7): a `<key>.json` that is not a JSON object,
    case manifestUnreadable(name: String)
    /// a manifest with nothing beside it,
    case onlyManifest
    /// files without a signed document among them,
    case officeUnsigned(names: [String])
    /// an electronic part that was never validated,
    case notValidated(name: String)
    /// no recipient named, or none active on the decision day (and why).
    case noRecipients
    case noActiveRecipient(unknown: [String], emptyGroups: [String], inactive: [String])

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
        case .manifestUnreadable(let name):
            return "\(name): tệp kê khai không phải là một đối tượng JSON; không đọc được nơi nhận"
        case .onlyManifest:
            return "chỉ nhận được tệp kê khai; đề nghị đặt văn bản đã ký số cùng với nó"
        case .officeUnsigned(let names):
            return "\(names.joined(separator: ", ")): văn phòng chỉ phát hành văn bản đã ký số"
        case .notValidated(let name):
            return "\(name): chưa được kiểm tra chữ ký số"
        case .noRecipients:
            return "không có nơi nhận: ghi nơi nhận trong tệp kê khai (\"recipients\") hoặc đặt văn bản vào một thư mục nhóm trong office/outbox/"
        case .noActiveRecipient(let unknown, let emptyGroups, let inactive):
            var gaps: [String] = []
            if !unknown.isEmpty { gaps.append("không xác định: \(unknown.joined(separator: ", "))") }
            if !emptyGroups.isEmpty { gaps.append("nhóm không còn đơn vị hoạt động hôm nay: \(emptyGroups.joined(separator: ", "))") }
            if !inactive.isEmpty { gaps.append("đơn vị không còn hoạt động: \(inactive.joined(separator: ", "))") }
            return (["không có nơi nhận còn hoạt động"] + gaps).joined(separator: "; ")
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
        case .manifestUnreadable(let name):
            return "\(name): the manifest is not a JSON object; recipients cannot be read from it"
        case .onlyManifest:
            return "only a manifest arrived; drop the signed document with it"
        case .officeUnsigned(let names):
            return "\(names.joined(separator: ", ")): the office issues only documents it has signed"
        case .notValidated(let name):
            return "\(name): not validated"
        case .noRecipients:
            return "no recipients: name them in the manifest (\"recipients\") or drop the document into a group folder of office/outbox/"
        case .noActiveRecipient(let unknown, let emptyGroups, let inactive):
            var gaps: [String] = []
            if !unknown.isEmpty { gaps.append("unknown: \(unknown.joined(separator: ", "))") }
            if !emptyGroups.isEmpty { gaps.append("groups with no active unit today: \(emptyGroups.joined(separator: ", "))") }
            if !inactive.isEmpty { gaps.append("units no longer active: \(inactive.joined(separator: ", "))") }
            return (["no active recipient"] + gaps).joined(separator: "; ")
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
