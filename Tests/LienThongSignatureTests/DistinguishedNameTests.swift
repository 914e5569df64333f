import Testing
@testable import LienThongSignature

/// A signer's name as receipts and reports show it: most specific first,
/// one line, with control characters a certificate may carry dropped.
@Suite struct DistinguishedNameTests {
    private func name(_ attributes: [(String, String)]) -> DistinguishedName {
        var dn = DistinguishedName(nil)
        dn.attributes = attributes.map { (type: $0.0, value: $0.1) }
        return dn
    }

    @Test func mostSpecificFirstOnOneLine() {
        let dn = name([("C", "VN"), ("O", "UBND tỉnh Nghệ An"), ("CN", "Nguyễn Văn A")])
        #expect(dn.oneLine == "CN=Nguyễn Văn A, O=UBND tỉnh Nghệ An, C=VN")
    }

    @Test func controlCharactersAreDroppedAndNothingElse() {
        // An escape sequence (terminal colours), a line break, DEL and a
        // NUL-free C0 mix; C1 and every other scalar stay as they were.
        let dn = name([("O", "Sở\u{1B}[31m Tài chính\n"), ("CN", "Lê\u{7F} Thị\u{0}B \u{85}é")])
        #expect(dn.oneLine == "CN=Lê ThịB \u{85}é, O=Sở[31m Tài chính")
        #expect(name([]).oneLine == "")
        #expect(name([("CN", "\u{1}\u{2}")]).oneLine == "CN=")
    }
}
