import LienThongCore
import Testing

/// Pairing as a pure type (SPEC §3): which names belong together, and the
/// text the ledger stores for a submission's pairing.
@Suite struct PairingTests {
    @Test func aScanAndItsSignedTwinPairByNameKey() {
        #expect(Pairing.pairs(Pairing.keys(forFileName: "4116-UBND-CN.pdf"), Pairing.keys(forFileName: "4116-UBND-CN_scan.pdf")))
        #expect(Pairing.pairs(Pairing.keys(forFileName: "X.docx"), Pairing.keys(forFileName: "X.docx.p7s")))
        #expect(!Pairing.pairs(Pairing.keys(forFileName: "X.docx"), Pairing.keys(forFileName: "Y.docx")))
    }

    @Test func namesHoldingTheSameNumberAndSymbolPair() {
        let long = Pairing.keys(forFileName: "Công văn số 4116-UBND-CN về chữ ký số.pdf")
        let short = Pairing.keys(forFileName: "4116-UBND-CN_scan.pdf")
        #expect(Pairing.pairs(long, short))
        #expect(long.contains { $0.kind == .document })
        // Đ and D are different letters: no pairing across them.
        #expect(!Pairing.pairs(Pairing.keys(forFileName: "12-QĐ-UBND.pdf"), Pairing.keys(forFileName: "12-QD-UBND_scan.pdf")))
    }

    @Test func nfdNamesPairWithTheirNFCTwins() {
        let name = "Báo cáo 45-BC-STTTT"
        #expect(Pairing.pairs(Pairing.keys(forFileName: name.decomposedStringWithCanonicalMapping + ".pdf"),
                              Pairing.keys(forFileName: name + "_scan.pdf")))
    }

    @Test func aSubmissionIsRecordedUnderItsDocumentElseItsName() {
        #expect(Pairing.recorded(Pairing.keys(forKey: "4116-UBND-CN"), key: "4116-UBND-CN").description.hasPrefix("doc:"))
        #expect(Pairing.recorded(Pairing.keys(forKey: "ghi chu"), key: "ghi chu").description == "key:ghi chu")
    }

    @Test(arguments: ["doc:4116//UBND-CN", "key:ghi chu", "folder:Hồ sơ", "outbound:|key:25-GM-UBND",
                      "outbound:districts|folder:Hồ sơ mời", "outbound:ban-chi-dao|key:a|b"])
    func storedTextRoundTrips(_ stored: String) {
        #expect(SubmissionPairing(stored: stored).description == stored)
    }

    @Test func outboundPairingsNameTheirGroupFolder() {
        #expect(SubmissionPairing(stored: "outbound:|key:X").outboundGroup == "")
        #expect(SubmissionPairing(stored: "outbound:districts|folder:F").outboundGroup == "districts")
        #expect(SubmissionPairing(stored: "outbound:districts|folder:F").key == .folder("F"))
        #expect(SubmissionPairing(stored: "doc:1//X").outboundGroup == nil)
        // Text of an unknown writer is kept, never refused.
        #expect(SubmissionPairing(stored: "strange").key == .name("strange"))
    }
}
