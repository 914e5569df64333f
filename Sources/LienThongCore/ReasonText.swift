/// One sentence per reason code, in each receipt language: what was wrong.
/// What to do about it is `ReasonAction.nextStep`, printed after it.
public enum ReasonText {
    public static func sentence(_ code: ReasonCode, _ language: ReceiptLanguage) -> String {
        switch language {
        case .vi: return vietnamese(code)
        case .en: return english(code)
        }
    }

    static func vietnamese(_ code: ReasonCode) -> String {
        switch code {
        case .missingElectronic:
            return "Văn bản giấy (bản quét) không kèm theo văn bản điện tử có chữ ký số."
        case .missingScan:
            return "Loại văn bản này còn phải gửi bản giấy, nhưng không nhận được bản quét trong thời hạn ghép cặp."
        case .signatureMissing:
            return "Văn bản điện tử không có chữ ký số."
        case .signatureInvalid:
            return "Chữ ký số không hợp lệ (không kiểm tra được chữ ký hoặc cấu trúc chữ ký bị lỗi)."
        case .modifiedAfterSigning:
            return "Văn bản đã bị thay đổi sau khi ký số."
        case .certificateUntrusted:
            return "Chứng thư số của người ký không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp."
        case .certificateNotValidAtSigning:
            return "Chứng thư số không còn hoặc chưa có hiệu lực tại thời điểm ký."
        case .certificateRevoked:
            return "Chứng thư số đã bị thu hồi trước thời điểm ký."
        case .certificateWrongUsage:
            return "Chứng thư số không được phép dùng để ký số văn bản."
        case .signingTimeInFuture:
            return "Thời điểm ký ghi trong chữ ký số muộn hơn thời điểm nhận văn bản."
        case .signerNotOfUnit:
            return "Người ký không thuộc đơn vị gửi văn bản."
        case .unitNotActive:
            return "Đơn vị gửi không còn hoạt động (đã giải thể, sáp nhập hoặc chưa bắt đầu hoạt động) nên văn bản không được tiếp nhận. Đề nghị gửi văn bản qua thư mục chia sẻ của đơn vị kế thừa."
        case .duplicate:
            return "Văn bản này đã được đơn vị gửi và tiếp nhận trước đó."
        case .unsupportedFile:
            return "Tệp không đúng định dạng được tiếp nhận (PDF có ký số, tệp kèm chữ ký .p7s, bản quét PDF/TIFF/JPEG/PNG)."
        case .tooLarge:
            return "Tệp vượt quá dung lượng tối đa được tiếp nhận."
        case .unreadable:
            return "Không đọc được tệp (tệp rỗng, hỏng hoặc không phải tệp thông thường)."
        }
    }

    static func english(_ code: ReasonCode) -> String {
        switch code {
        case .missingElectronic:
            return "The paper document (scan) came without its digitally signed electronic version."
        case .missingScan:
            return "This document type still needs its paper copy, and no scan arrived within the pairing window."
        case .signatureMissing:
            return "The electronic document carries no digital signature."
        case .signatureInvalid:
            return "The digital signature is invalid (it does not verify or its structure is broken)."
        case .modifiedAfterSigning:
            return "The document was changed after it was signed."
        case .certificateUntrusted:
            return "The signer's certificate was not issued by a trusted certification authority."
        case .certificateNotValidAtSigning:
            return "The signer's certificate was not valid at the time of signing."
        case .certificateRevoked:
            return "The signer's certificate was revoked before the time of signing."
        case .certificateWrongUsage:
            return "The signer's certificate may not be used to sign documents."
        case .signingTimeInFuture:
            return "The signing time in the signature is later than the time the document arrived."
        case .signerNotOfUnit:
            return "The signer does not belong to the sending unit."
        case .unitNotActive:
            return "The sending unit is no longer active (dissolved, merged, or not yet started), so the document was not received. Send it through the shared folder of the unit that took over."
        case .duplicate:
            return "This document was already sent by the unit and accepted."
        case .unsupportedFile:
            return "The file is not in a format the gateway takes (signed PDF, file with a .p7s signature, PDF/TIFF/JPEG/PNG scan)."
        case .tooLarge:
            return "The file is larger than the gateway accepts."
        case .unreadable:
            return "The file could not be read (empty, damaged, or not a regular file)."
        }
    }
}
