import Foundation
import Testing
@testable import LienThongCore

/// Builders for the decision table: a unit, parts and a clock the test controls.
enum D {
    static let policy = DecisionPolicy(
        settle: 2, pairingWindow: 24 * 3600, effective: GatewayConfig.Rule().effective, timeZone: Fixture.hcm)

    static let department = Unit(id: "000.00.12.H41", name: "Sở Thông tin và Truyền thông", level: .department)
    static let district = Unit(id: "000.00.31.H41", name: "UBND huyện Nghi Lộc", level: .district)
    static let commune = Unit(id: "000.31.01.H41", name: "UBND xã Nghi Xuân", level: .commune, parent: "000.00.31.H41")

    static let bc = DocumentType.from(symbol: "BC-STTTT")
    static let qd = DocumentType.from(symbol: "QĐ-UBND")

    static func validation(_ file: String, subject: String = "CN=Nguyễn Văn An,O=Sở Thông tin và Truyền thông,L=Nghệ An,C=VN") -> DocumentValidation {
        DocumentValidation(file: file, signatures: [
            SignatureFinding(file: file, signer: "Nguyễn Văn An", organization: "Sở Thông tin và Truyền thông",
                             subject: subject, signingTime: Fixture.at(2024, 3, 1), timeSource: .timestamp, valid: true),
        ])
    }

    static func electronic(_ name: String = "45-BC-STTTT.pdf", subject: String? = nil) -> SubmissionPart {
        SubmissionPart(name: name, role: .electronic, size: 1000, sha256: String(repeating: "a", count: 64),
                       validation: subject.map { validation(name, subject: $0) } ?? validation(name))
    }

    static func invalidElectronic(_ name: String = "45-BC-STTTT.pdf", codes: [ReasonCode]) -> SubmissionPart {
        let v = DocumentValidation(file: name, signatures: [
            SignatureFinding(file: name, signer: "Nguyễn Văn An", subject: "CN=Nguyễn Văn An", valid: false, problems: codes),
        ])
        return SubmissionPart(name: name, role: .electronic, size: 1000, sha256: "", validation: v)
    }

    static func scan(_ name: String = "45-BC-STTTT_scan.pdf") -> SubmissionPart {
        SubmissionPart(name: name, role: .scan, size: 5000, sha256: String(repeating: "b", count: 64))
    }

    static func input(
        _ parts: [SubmissionPart], type: DocumentType = bc, subject: String? = nil, unit: LienThongCore.Unit = department,
        first: Date = t0, last: Date? = nil, awaiting: Bool = false, claimable: Bool = false
    ) -> DecisionInput {
        DecisionInput(unit: unit, parts: parts, type: type, subject: subject, firstArrival: first,
                      lastArrival: last ?? first, awaitingMoreFiles: awaiting, twinClaimable: claimable)
    }

    static let t0 = Fixture.at(2024, 3, 5, 9, 30)
    static let window: TimeInterval = 24 * 3600
    static let ms: TimeInterval = 0.001

    static func decide(_ s: DecisionInput, at now: Date) -> Outcome {
        Decision.decide(s, now: now, policy: policy)
    }

    static func codes(_ o: Outcome) -> [ReasonCode]? {
        if case .reject(let f) = o { return f.map(\.code) }
        return nil
    }

    static func isAccept(_ o: Outcome) -> Bool {
        if case .accept = o { return true }
        return false
    }

    static func warnings(_ o: Outcome) -> [DecisionWarning]? {
        if case .accept(let w) = o { return w }
        return nil
    }
}

@Suite("Decision table (SPEC §4) with an injected clock")
struct DecisionTableTests {
    // MARK: electronic (valid) only

    @Test("Electronic-only type, electronic only: accept")
    func electronicOnlyTypeElectronic() {
        let o = D.decide(D.input([D.electronic()], type: D.bc), at: D.t0)
        #expect(o == .accept(warnings: []))
    }

    @Test("Paper type, electronic only: waits the whole window, then missing-scan")
    func paperTypeElectronicOnly() {
        let s = D.input([D.electronic("123-QĐ-UBND.pdf")], type: D.qd)
        #expect(D.decide(s, at: D.t0).waitsUntil == D.t0 + D.window)
        #expect(D.decide(s, at: D.t0 + D.window - D.ms).waitsUntil == D.t0 + D.window)
        let o = D.decide(s, at: D.t0 + D.window)
        #expect(D.codes(o) == [.missingScan])
        #expect(D.decide(s, at: D.t0 + 10 * D.window).self == o)
    }

    // MARK: scan only

    @Test("Scan only, electronic-only type: after the window missing-electronic")
    func scanOnlyElectronicType() {
        let s = D.input([D.scan()], type: D.bc)
        #expect(D.decide(s, at: D.t0 + 1).waitsUntil == D.t0 + D.window)
        #expect(D.decide(s, at: D.t0 + D.window - D.ms).waitsUntil == D.t0 + D.window)
        #expect(D.codes(D.decide(s, at: D.t0 + D.window)) == [.missingElectronic])
    }

    @Test("Scan only, paper type: the same")
    func scanOnlyPaperType() {
        let s = D.input([D.scan("123-QĐ-UBND_scan.pdf")], type: D.qd)
        #expect(D.decide(s, at: D.t0 + D.window - D.ms).waitsUntil == D.t0 + D.window)
        let o = D.decide(s, at: D.t0 + D.window)
        #expect(D.codes(o) == [.missingElectronic])
        if case .reject(let f) = o { #expect(f.first?.detail.contains("123-QĐ-UBND_scan.pdf") == true) }
    }

    @Test("The window counts from the first file, not the last")
    func windowFromFirst() {
        let s = D.input([D.scan(), D.scan("b.jpg")], type: D.bc, first: D.t0, last: D.t0 + 3600)
        #expect(D.codes(D.decide(s, at: D.t0 + D.window)) == [.missingElectronic])
    }

    // MARK: both

    @Test("Both, electronic valid: accept for either kind of type", arguments: [D.bc, D.qd, DocumentType.congVan])
    func both(_ type: DocumentType) {
        let o = D.decide(D.input([D.electronic(), D.scan()], type: type), at: D.t0)
        #expect(o == .accept(warnings: []))
    }

    @Test("Both arriving apart within the window: accept once the second is there")
    func bothApart() {
        let s = D.input([D.electronic("123-QĐ-UBND.pdf"), D.scan("123-QĐ-UBND_scan.pdf")], type: D.qd,
                        first: D.t0, last: D.t0 + D.window - 1)
        #expect(D.isAccept(D.decide(s, at: D.t0 + D.window - 1)))
    }

    // MARK: electronic invalid

    @Test("Invalid electronic: reject at once with the signature reason", arguments: [
        ReasonCode.signatureInvalid, .modifiedAfterSigning, .certificateUntrusted, .certificateNotValidAtSigning,
        .certificateRevoked, .certificateWrongUsage, .signingTimeInFuture,
    ])
    func invalidAtOnce(_ code: ReasonCode) {
        for type in [D.bc, D.qd] {
            // Even with a scan, before the window: a twin still being copied
            // is waited for (one receipt for what was sent together), then
            // the rejection comes as soon as settle has passed.
            let s = D.input([D.invalidElectronic(codes: [code]), D.scan()], type: type, awaiting: true)
            #expect(D.decide(s, at: D.t0).waitsUntil == D.t0 + 2)
            #expect(D.codes(D.decide(s, at: D.t0 + 2)) == [code])
            let alone = D.input([D.invalidElectronic(codes: [code])], type: type)
            #expect(D.codes(D.decide(alone, at: D.t0)) == [code])
        }
    }

    @Test("An invalid signature without a listed problem is signature-invalid")
    func invalidWithoutReason() {
        let s = D.input([D.invalidElectronic(codes: [])], type: D.bc)
        #expect(D.codes(D.decide(s, at: D.t0)) == [.signatureInvalid])
    }

    @Test("A signed file with no signature found is signature-missing / modified-after-signing at document level")
    func documentLevelProblems() {
        let noSig = SubmissionPart(name: "x.pdf", role: .electronic, validation: DocumentValidation(file: "x.pdf", problems: [.signatureMissing]))
        #expect(D.codes(D.decide(D.input([noSig]), at: D.t0)) == [.signatureMissing])
        var modified = D.validation("y.pdf")
        modified.problems = [.modifiedAfterSigning]
        let part = SubmissionPart(name: "y.pdf", role: .electronic, validation: modified)
        #expect(D.codes(D.decide(D.input([part, D.scan()]), at: D.t0)) == [.modifiedAfterSigning])
        // Validation with no signature and no problem is not valid either.
        let empty = SubmissionPart(name: "z.pdf", role: .electronic, validation: DocumentValidation(file: "z.pdf"))
        #expect(D.codes(D.decide(D.input([empty]), at: D.t0)) == [.signatureInvalid])
    }

    @Test("Several reasons on one signature are all reported, without repeats, in contract order")
    func severalReasons() {
        var v = DocumentValidation(file: "x.pdf", signatures: [
            SignatureFinding(file: "x.pdf", valid: false, problems: [.certificateRevoked, .certificateUntrusted]),
            SignatureFinding(file: "x.pdf", valid: false, problems: [.certificateUntrusted]),
        ])
        v.problems = [.modifiedAfterSigning]
        let part = SubmissionPart(name: "x.pdf", role: .electronic, validation: v)
        #expect(D.codes(D.decide(D.input([part]), at: D.t0)) == [.modifiedAfterSigning, .certificateUntrusted, .certificateRevoked])
    }

    @Test("One valid and one invalid electronic part: reject")
    func oneBadOfTwo() {
        let s = D.input([D.electronic("a.pdf"), D.invalidElectronic("b.pdf", codes: [.certificateRevoked]), D.scan()])
        #expect(D.codes(D.decide(s, at: D.t0)) == [.certificateRevoked])
    }

    @Test("An electronic part that was never validated is not accepted")
    func unvalidated() {
        let part = SubmissionPart(name: "x.pdf", role: .electronic)
        let o = D.decide(D.input([part, D.scan()]), at: D.t0)
        #expect(!D.isAccept(o))
        #expect(D.codes(o) != nil)
    }

    // MARK: file problems

    @Test("A file problem rejects at once", arguments: [ReasonCode.tooLarge, .unreadable, .unsupportedFile])
    func fileProblem(_ code: ReasonCode) {
        var big = D.scan("huge.tif")
        big.problem = Finding(code, "huge.tif: 300 MiB > 200 MiB")
        let s = D.input([D.electronic(), big], type: D.bc, awaiting: true)
        #expect(D.decide(s, at: D.t0).waitsUntil == D.t0 + 2)
        let o = D.decide(s, at: D.t0 + 2)
        #expect(D.codes(o) == [code])
        if case .reject(let f) = o { #expect(f[0].detail.contains("huge.tif")) }
    }

    // MARK: settle

    @Test("awaitingMoreFiles holds an acceptance until settle has passed since the last file")
    func awaitingHolds() {
        let last = D.t0 + 5
        let s = D.input([D.electronic(), D.scan()], type: D.qd, first: D.t0, last: last, awaiting: true)
        #expect(D.decide(s, at: last).waitsUntil == last + 2)
        #expect(D.decide(s, at: last + 2 - D.ms).waitsUntil == last + 2)
        #expect(D.decide(s, at: last + 2) == .accept(warnings: []))
        // Not awaiting: decided at once.
        let done = D.input([D.electronic(), D.scan()], type: D.qd, first: D.t0, last: last, awaiting: false)
        #expect(D.decide(done, at: last) == .accept(warnings: []))
    }

    @Test("awaitingMoreFiles holds an electronic-only acceptance too")
    func awaitingElectronicOnly() {
        let s = D.input([D.electronic()], type: D.bc, awaiting: true)
        #expect(D.decide(s, at: D.t0 + 1).waitsUntil == D.t0 + 2)
        #expect(D.decide(s, at: D.t0 + 2) == .accept(warnings: []))
    }

    @Test("A settled twin waiting for the next turn's claim holds the decision past settle, without a notice")
    func claimableTwinHolds() {
        // A scan alone, long after its settle: without the twin it waits for the sender (a notice).
        let alone = D.input([D.scan()], type: D.qd, first: D.t0, last: D.t0)
        guard case .wait(_, let reason) = D.decide(alone, at: D.t0 + 60) else { Issue.record("a lone scan is not decided"); return }
        #expect(reason.tellsSender)
        // Its twin settled and is claimed next turn: wait a moment, quietly.
        let queued = D.input([D.scan()], type: D.qd, first: D.t0, last: D.t0, claimable: true)
        guard case .wait(let until, let quiet) = D.decide(queued, at: D.t0 + 60) else { Issue.record("decided without its twin"); return }
        #expect(quiet == .moreFiles && !quiet.tellsSender)
        #expect(until > D.t0 + 60 && until <= D.t0 + 62)
        // Even an acceptable pair waits for it (one receipt for what was sent together).
        let pair = D.input([D.electronic(), D.scan()], type: D.qd, claimable: true)
        #expect(D.decide(pair, at: D.t0 + 60).waitsUntil != nil)
    }

    // MARK: effective dates

    @Test("A commune on 2018-08-15 with a scan only is accepted with a warning")
    func communeBeforeRule() throws {
        let when = Fixture.at(2018, 8, 15, 10)
        let o = D.decide(D.input([D.scan()], type: D.bc, unit: D.commune, first: when), at: when)
        let w = try #require(D.warnings(o))
        #expect(w == [.paperOnlyBeforeRule(level: .commune, from: CivilDate(year: 2018, month: 9, day: 1))])
        #expect(w[0].text(.en).contains("2018-09-01"))
        #expect(w[0].text(.vi) == "chấp nhận văn bản giấy không kèm văn bản điện tử: quy định áp dụng với UBND cấp xã từ ngày 01/09/2018")
    }

    @Test("A district the same day is not: the window, then missing-electronic")
    func districtSameDay() {
        let when = Fixture.at(2018, 8, 15, 10)
        let s = D.input([D.scan()], type: D.bc, unit: D.district, first: when)
        #expect(D.decide(s, at: when).waitsUntil == when + D.window)
        #expect(D.codes(D.decide(s, at: when + D.window)) == [.missingElectronic])
    }

    @Test("Effective dates are days in the province's calendar (UTC+7)")
    func effectiveBoundaries() {
        // 30/6/2018 23:30 in Nghệ An is before the rule; 1/7/2018 00:30 is under it,
        // though both are 30 June in UTC.
        let before = Fixture.at(2018, 6, 30, 23, 30)
        let after = Fixture.at(2018, 7, 1, 0, 30)
        #expect(!Decision.ruleInForce(for: D.district, at: before, policy: D.policy))
        #expect(Decision.ruleInForce(for: D.district, at: after, policy: D.policy))
        #expect(Decision.ruleInForce(for: D.department, at: Fixture.at(2018, 7, 1, 0, 0)))
        #expect(!Decision.ruleInForce(for: D.department, at: Fixture.at(2018, 6, 30, 23, 59, 59)))
        #expect(!Decision.ruleInForce(for: D.commune, at: Fixture.at(2018, 8, 31, 23, 59, 59)))
        #expect(Decision.ruleInForce(for: D.commune, at: Fixture.at(2018, 9, 1, 0, 0)))
        #expect(D.isAccept(D.decide(D.input([D.scan()], unit: D.district, first: before), at: before)))
        #expect(!D.isAccept(D.decide(D.input([D.scan()], unit: D.district, first: after), at: after)))
    }

    @Test("The rule date is judged on the first arrival, not on the decision time")
    func firstArrivalCounts() {
        let first = Fixture.at(2018, 8, 31, 20)
        let now = Fixture.at(2018, 9, 1, 9)
        let o = D.decide(D.input([D.scan()], unit: D.commune, first: first), at: now)
        #expect(D.isAccept(o))
    }

    @Test("At the window's end a twin still being copied is waited for, not lost")
    func windowEndWaitsForSettlingTwin() {
        let last = D.t0 + D.window - 1
        let s = D.input([D.scan()], type: D.qd, first: D.t0, last: last, awaiting: true)
        #expect(D.decide(s, at: D.t0 + D.window).waitsUntil == last + 2)
        #expect(D.codes(D.decide(s, at: last + 2)) == [.missingElectronic])
    }

    @Test("A level with no effective date is always under the rule")
    func noDateMeansInForce() {
        var p = D.policy
        p.effective = [:]
        #expect(Decision.ruleInForce(for: D.commune, at: Fixture.at(2000, 1, 1), policy: p))
    }

    @Test("Before the rule, a scan still waits for settle when more files are coming")
    func beforeRuleWaitsForSettle() {
        let when = Fixture.at(2018, 8, 15, 10)
        let s = D.input([D.scan()], unit: D.commune, first: when, awaiting: true)
        #expect(D.decide(s, at: when + 1).waitsUntil == when + 2)
        #expect(D.isAccept(D.decide(s, at: when + 2)))
    }

    // MARK: signer binding

    @Test("A signer of the unit passes; case and NFC/NFD are ignored", arguments: [
        "CN=Nguyễn Văn An,O=Sở Thông tin và Truyền thông,L=Nghệ An",
        "CN=NGUYỄN VĂN AN,O=SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH NGHỆ AN",
        Fixture.nfd("CN=Nguyễn Văn An,O=Sở Thông tin và Truyền thông"),
    ])
    func signerMatches(_ subject: String) {
        for signer in ["Sở Thông tin và Truyền thông", Fixture.nfd("sở thông tin và truyền thông"), "  SỞ THÔNG TIN VÀ TRUYỀN THÔNG "] {
            var unit = D.department
            unit.signer = signer
            let o = D.decide(D.input([D.electronic(subject: subject)], unit: unit), at: D.t0)
            #expect(o == .accept(warnings: []), "signer \(signer) subject \(subject)")
        }
    }

    @Test("A signer from elsewhere is signer-not-of-unit, at once")
    func signerFromElsewhere() {
        var unit = D.department
        unit.signer = "Sở Thông tin và Truyền thông"
        let s = D.input([D.electronic(subject: "CN=Trần Thị B,O=Sở Tài chính,L=Nghệ An"), D.scan()], type: D.qd, unit: unit, awaiting: true)
        let o = D.decide(s, at: D.t0 + 2)
        #expect(D.codes(o) == [.signerNotOfUnit])
        // Without diacritics it is another name (Sở ≠ So).
        unit.signer = "So Thong tin va Truyen thong"
        let s2 = D.input([D.electronic()], unit: unit)
        #expect(D.codes(D.decide(s2, at: D.t0)) == [.signerNotOfUnit])
    }

    @Test("One of several signatures from the unit is enough")
    func oneSignerEnough() {
        var unit = D.department
        unit.signer = "Sở Thông tin và Truyền thông"
        let s = D.input([D.electronic("a.pdf", subject: "CN=X,O=Sở Tài chính"), D.electronic("b.pdf")], unit: unit)
        #expect(D.isAccept(D.decide(s, at: D.t0)))
    }

    @Test("No signer in the registry: any valid signer is fine")
    func noSignerRequired() {
        var unit = D.department
        unit.signer = "   "
        let s = D.input([D.electronic(subject: "CN=Ai đó,O=Nơi khác")], unit: unit)
        #expect(D.isAccept(D.decide(s, at: D.t0)))
    }

    @Test("Signer binding does not apply to paper-only before the rule")
    func signerNoElectronic() {
        var unit = D.commune
        unit.signer = "UBND xã Nghi Xuân"
        let when = Fixture.at(2018, 8, 15, 10)
        #expect(D.isAccept(D.decide(D.input([D.scan()], unit: unit, first: when), at: when)))
    }

    // MARK: subjects

    @Test("Công văn mời họp / giao việc: electronic alone is accepted", arguments: ["mời họp giao ban", "giao việc triển khai", "V/v Mời họp"])
    func congVanElectronicOnly(_ subject: String) {
        let s = D.input([D.electronic("15-UBND-VX.pdf")], type: DocumentType.congVan, subject: subject)
        #expect(D.decide(s, at: D.t0) == .accept(warnings: []))
    }

    @Test("Plain công văn: electronic alone waits for its scan")
    func plainCongVan() {
        let s = D.input([D.electronic("4116-UBND-CN.pdf")], type: DocumentType.congVan, subject: "về chữ ký số")
        #expect(D.decide(s, at: D.t0).waitsUntil == D.t0 + D.window)
        #expect(D.codes(D.decide(s, at: D.t0 + D.window)) == [.missingScan])
    }

    @Test("Quyết định thành lập Ban Chỉ đạo is electronic-only; a plain quyết định needs paper")
    func quyetDinh() {
        let bcd = D.input([D.electronic("12-QĐ-UBND.pdf")], type: D.qd, subject: "Thành lập Ban Chỉ đạo chuyển đổi số")
        #expect(D.decide(bcd, at: D.t0) == .accept(warnings: []))
        let plain = D.input([D.electronic("13-QĐ-UBND.pdf")], type: D.qd, subject: "phê duyệt kế hoạch")
        #expect(D.decide(plain, at: D.t0).waitsUntil == D.t0 + D.window)
        #expect(D.codes(D.decide(plain, at: D.t0 + D.window)) == [.missingScan])
        let none = D.input([D.electronic("14-QĐ-UBND.pdf")], type: D.qd, subject: nil)
        #expect(D.codes(D.decide(none, at: D.t0 + D.window)) == [.missingScan])
    }

    // MARK: nothing usable

    @Test("Unsigned documents only: signature-missing after the window")
    func unsignedDocuments() {
        let s = D.input([SubmissionPart(name: "x.docx", role: .other)])
        #expect(D.decide(s, at: D.t0).waitsUntil == D.t0 + D.window)
        #expect(D.codes(D.decide(s, at: D.t0 + D.window)) == [.signatureMissing])
    }

    @Test("Files of no known kind: unsupported-file after the window")
    func unsupported() {
        let s = D.input([SubmissionPart(name: "x.exe", role: .other), SubmissionPart(name: "x.json", role: .manifest)])
        #expect(D.codes(D.decide(s, at: D.t0 + D.window)) == [.unsupportedFile])
    }

    @Test("A manifest and other files do not stop an acceptance")
    func extrasAllowed() {
        let s = D.input([D.electronic(), D.scan(), SubmissionPart(name: "45-BC-STTTT.json", role: .manifest),
                         SubmissionPart(name: "ghi-chu.txt", role: .other)])
        #expect(D.isAccept(D.decide(s, at: D.t0)))
    }

    @Test("Decisions are pure: the same input and clock give the same outcome")
    func pure() {
        let s = D.input([D.scan()], type: D.bc)
        for offset in [0, 1, 3600, D.window - D.ms, D.window, D.window + 1] {
            #expect(D.decide(s, at: D.t0 + offset) == D.decide(s, at: D.t0 + offset))
        }
    }
}

extension Decision {
    static func ruleInForce(for unit: LienThongCore.Unit, at date: Date) -> Bool {
        ruleInForce(for: unit, at: date, policy: D.policy)
    }
}

extension Outcome {
    /// When a waiting outcome looks again; nil for a decision.
    var waitsUntil: Date? {
        if case .wait(let until, _) = self { return until }
        return nil
    }
}
