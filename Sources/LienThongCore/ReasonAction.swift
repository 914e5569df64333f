/// What the sender should do next for each reason code: the second half of
/// every reason in a receipt. A clerk who reads only the receipt must know
/// how to get the document accepted, or whom to ask.
public enum ReasonAction {
    public static func nextStep(_ code: ReasonCode, _ language: ReceiptLanguage) -> String {
        switch language {
        case .vi: return vietnamese(code)
        case .en: return english(code)
        }
    }

    static func vietnamese(_ code: ReasonCode) -> String {
        switch code {
        case .missingElectronic: return "Đề nghị gửi lại bản quét cùng văn bản điện tử đã ký số (cùng tên tệp hoặc cùng số, ký hiệu)."
        case .missingScan: return "Đề nghị gửi lại văn bản điện tử cùng bản quét văn bản giấy."
        case .signatureMissing: return "Đề nghị ký số văn bản bằng chứng thư số của đơn vị rồi gửi lại."
        case .signatureInvalid: return "Đề nghị ký số lại văn bản gốc bằng phần mềm ký số của đơn vị rồi gửi lại; nếu vẫn lỗi, liên hệ bộ phận CNTT của đơn vị."
        case .modifiedAfterSigning: return "Không sửa tệp sau khi ký; đề nghị ký số lại bản cuối cùng rồi gửi lại."
        case .certificateUntrusted: return "Đề nghị ký bằng chứng thư số do Ban Cơ yếu Chính phủ (hoặc tổ chức được tin cậy) cấp rồi gửi lại."
        case .certificateNotValidAtSigning: return "Đề nghị gia hạn hoặc xin cấp chứng thư số mới, ký số lại rồi gửi lại."
        case .certificateRevoked: return "Đề nghị ký lại bằng chứng thư số còn hiệu lực rồi gửi lại; liên hệ tổ chức cấp chứng thư nếu cần."
        case .certificateWrongUsage: return "Đề nghị ký bằng chứng thư số dùng cho ký số văn bản (không dùng chứng thư máy chủ hoặc mã hóa) rồi gửi lại."
        case .signingTimeInFuture: return "Đề nghị kiểm tra đồng hồ của máy ký số, ký số lại rồi gửi lại."
        case .signerNotOfUnit: return "Đề nghị ký bằng chứng thư số của đơn vị gửi rồi gửi lại; nếu người ký đã thay đổi, báo văn phòng cập nhật danh mục đơn vị."
        case .unitNotActive: return "Đề nghị gửi văn bản qua thư mục chia sẻ của đơn vị kế thừa nêu trong phiếu này; nếu đơn vị vẫn đang hoạt động, báo văn phòng cập nhật danh mục đơn vị."
        case .duplicate: return "Không cần gửi lại; văn bản đã được tiếp nhận theo phiếu trước đó."
        case .unsupportedFile: return "Đề nghị chuyển sang định dạng được tiếp nhận (PDF ký số, hoặc tệp kèm chữ ký .p7s) rồi gửi lại."
        case .tooLarge: return "Đề nghị giảm dung lượng tệp (quét ở độ phân giải thấp hơn, tách tệp) rồi gửi lại."
        case .unreadable: return "Đề nghị kiểm tra tệp mở được trên máy của đơn vị rồi sao chép lại vào thư mục gửi."
        }
    }

    static func english(_ code: ReasonCode) -> String {
        switch code {
        case .missingElectronic: return "Send the scan again together with the signed electronic document (same file name, or same number and symbol)."
        case .missingScan: return "Send the electronic document again together with the scan of the paper copy."
        case .signatureMissing: return "Sign the document with the unit's certificate and send it again."
        case .signatureInvalid: return "Sign the original again with the unit's signing software and send it again; if it still fails, ask the unit's IT staff."
        case .modifiedAfterSigning: return "Do not edit the file after signing; sign the final version and send it again."
        case .certificateUntrusted: return "Sign with a certificate issued by the Government Cipher Committee (or another trusted authority) and send it again."
        case .certificateNotValidAtSigning: return "Renew the certificate or obtain a new one, sign again and send it again."
        case .certificateRevoked: return "Sign again with a certificate that is in force and send it again; ask the issuing authority if needed."
        case .certificateWrongUsage: return "Sign with a certificate meant for signing documents (not a server or encryption certificate) and send it again."
        case .signingTimeInFuture: return "Check the clock of the signing computer, sign again and send it again."
        case .signerNotOfUnit: return "Sign with the sending unit's certificate and send it again; if the signer changed, ask the office to update the unit registry."
        case .unitNotActive: return "Send the document through the share of the successor unit this receipt names; if the unit is still in office, ask the office to update the unit registry."
        case .duplicate: return "Nothing to send: the document was accepted under the earlier receipt."
        case .unsupportedFile: return "Convert to a format the gateway takes (signed PDF, or a file with a .p7s signature) and send it again."
        case .tooLarge: return "Make the file smaller (scan at a lower resolution, split it) and send it again."
        case .unreadable: return "Check that the file opens on the unit's computer and copy it into the outbox again."
        }
    }
}
