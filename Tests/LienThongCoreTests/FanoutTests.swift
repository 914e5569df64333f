import Foundation
import Testing
@testable import LienThongCore

/// SPEC §7 in the domain: which outbound documents are fanned out, to whom,
/// and when a failed delivery is tried again.
@Suite("Fan-out: classification, recipients, backoff")
struct FanoutTests {
    static let office = Unit(id: "000.00.00.H41", name: "UBND tỉnh Nghệ An", level: .province, signer: "UBND tỉnh")
    static let registry = Registry(units: [
        office,
        Unit(id: "000.00.21.H41", name: "Sở TT&TT", level: .department),
        Unit(id: "000.00.22.H41", name: "Sở Tài chính", level: .department),
        Unit(id: "000.00.41.H41", name: "TP Vinh", level: .district),
        Unit(id: "000.00.42.H41", name: "TX Cửa Lò", level: .district),
        Unit(id: "000.41.01.H41", name: "P. Hưng Bình", level: .commune, parent: "000.00.41.H41"),
        Unit(id: "000.41.02.H41", name: "P. Lê Lợi", level: .commune, parent: "000.00.41.H41"),
        Unit(id: "000.42.01.H41", name: "P. Nghi Hương", level: .commune, parent: "000.00.42.H41"),
    ])
    static func resolver(_ groups: [String: [String]] = [:]) -> RecipientResolver {
        RecipientResolver(registry: registry, groups: groups, office: office.id)
    }

    // MARK: classification

    @Test("The symbol's type decides", arguments: [
        ("25-GM-UBND", true), ("40-TB-UBND", true), ("50-KH-UBND", true), ("12-BC-UBND", true), ("3-CĐ-UBND", true),
        ("7-CT-UBND", true), ("9-CTr-UBND", true), ("11-SY-VP", true), ("4-NQ-HĐND", false), ("8-TTr-UBND", false),
        ("12-QĐ-UBND", false), ("4116-UBND-CN", false),
    ])
    func typeFromSymbol(_ key: String, _ electronic: Bool) throws {
        let number = try #require(DocumentNumber.find(in: key))
        let type = DocumentType.from(symbol: number.symbol)
        #expect(ElectronicOnlyList.congVan4116.covers(type, subject: "Về việc tổng kết năm") == electronic, "\(key)")
    }

    @Test("Công văn and quyết định: the subject decides", arguments: [
        ("CV", "Mời họp giao ban tháng 6", true), ("CV", "V/v mời dự hội nghị", true), ("CV", "Giao việc triển khai chữ ký số", true),
        ("CV", "Về việc góp ý dự thảo", false), ("QĐ", "Thành lập Ban Chỉ đạo chuyển đổi số", true),
        ("QĐ", "thành lập Tổ giúp việc Ban Chỉ đạo", true), ("QĐ", "Phê duyệt dự toán năm 2026", false), ("QĐ", nil, false),
    ])
    func subjectDecides(_ code: String, _ subject: String?, _ electronic: Bool) throws {
        let type = try #require(DocumentType.from(code: code))
        #expect(ElectronicOnlyList.congVan4116.covers(type, subject: subject) == electronic)
        #expect(ElectronicOnlyList.congVan4116.covers(type, subject: subject?.decomposedStringWithCanonicalMapping) == electronic, "NFD")
    }

    static func signed(valid: Bool = true, subject: String = "CN=Nguyễn Văn A, O=UBND tỉnh Nghệ An") -> SubmissionPart {
        let sig = SignatureFinding(file: "x.pdf", signer: "Nguyễn Văn A", subject: subject, valid: valid, problems: valid ? [] : [.certificateUntrusted])
        return SubmissionPart(name: "x.pdf", role: .electronic, validation: DocumentValidation(file: "x.pdf", signatures: [sig]))
    }

    @Test func validOfficeSignatureAndElectronicOnlyTypeFansOut() throws {
        let gm = try #require(DocumentType.from(code: "GM"))
        let r = Self.resolver().resolve(["districts", "nowhere"])
        #expect(OutboundDecision.decide(parts: [Self.signed()], office: Self.office, type: gm, subject: nil, recipients: r, electronicOnly: .congVan4116, language: .en)
                == .fanOut(recipients: ["000.00.41.H41", "000.00.42.H41"]))
        let qd = try #require(DocumentType.from(code: "QĐ"))
        #expect(OutboundDecision.decide(parts: [Self.signed()], office: Self.office, type: qd, subject: "phê duyệt", recipients: r, electronicOnly: .congVan4116, language: .en) == .paper)
    }

    @Test func unsignedInvalidOrForeignSignedIsRejected() throws {
        let gm = try #require(DocumentType.from(code: "GM"))
        let r = Self.resolver().resolve(["districts"])
        let scan = SubmissionPart(name: "x.pdf", role: .scan)
        func codes(_ o: OutboundOutcome) -> [ReasonCode] { if case .reject(let f) = o { return f.map(\.code) }; return [] }
        #expect(codes(OutboundDecision.decide(parts: [scan], office: Self.office, type: gm, subject: nil, recipients: r, electronicOnly: .congVan4116, language: .en)) == [.signatureMissing])
        #expect(codes(OutboundDecision.decide(parts: [Self.signed(valid: false)], office: Self.office, type: gm, subject: nil, recipients: r, electronicOnly: .congVan4116, language: .en)) == [.certificateUntrusted])
        let foreign = Self.signed(subject: "CN=Trần B, O=Sở Tài chính")
        #expect(codes(OutboundDecision.decide(parts: [foreign], office: Self.office, type: gm, subject: nil, recipients: r, electronicOnly: .congVan4116, language: .en)) == [.signerNotOfUnit])
        // No recipient at all: delivered nowhere, said so.
        let none = Self.resolver().resolve(["nowhere"])
        #expect(codes(OutboundDecision.decide(parts: [Self.signed()], office: Self.office, type: gm, subject: nil, recipients: none, electronicOnly: .congVan4116, language: .en)) == [.unsupportedFile])
    }

    // MARK: recipients

    @Test func builtInGroups() {
        let r = Self.resolver()
        #expect(r.resolve(["departments"]).units == ["000.00.21.H41", "000.00.22.H41"])
        #expect(r.resolve(["districts"]).units == ["000.00.41.H41", "000.00.42.H41"])
        #expect(r.resolve(["communes"]).units == ["000.41.01.H41", "000.41.02.H41", "000.42.01.H41"])
        #expect(r.resolve(["communes-of-000.00.41.H41"]).units == ["000.41.01.H41", "000.41.02.H41"])
        #expect(r.resolve(["communes-of-000.00.42.H41"]).units == ["000.42.01.H41"])
    }

    @Test func unitIdsAndGroupsMixWithoutRepeatsAndTheOfficeNeverGetsItsOwn() {
        let r = Self.resolver().resolve(["000.41.01.H41", "communes-of-000.00.41.H41", "000.00.21.H41", "000.00.00.H41", "000.41.01.H41"])
        #expect(r.units == ["000.00.21.H41", "000.41.01.H41", "000.41.02.H41"])
        #expect(r.unknown.isEmpty)
    }

    @Test func unknownRecipientsAreReportedNotDropped() {
        let r = Self.resolver().resolve(["districts", "000.99.99.H41", "communes-of-000.00.21.H41", "provinces", "000.99.99.H41"])
        #expect(r.units == ["000.00.41.H41", "000.00.42.H41"])
        // communes-of a department is not a group: reported too.
        #expect(r.unknown == ["000.99.99.H41", "communes-of-000.00.21.H41", "provinces"])
    }

    @Test func configGroupsNestAndCyclesEnd() {
        let groups = ["ban-cds": ["000.00.21.H41", "vinh-all"], "vinh-all": ["000.00.41.H41", "communes-of-000.00.41.H41"],
                      "loop-a": ["loop-b"], "loop-b": ["loop-a", "000.42.01.H41"]]
        let r = Self.resolver(groups)
        #expect(r.resolve(["ban-cds"]).units == ["000.00.21.H41", "000.00.41.H41", "000.41.01.H41", "000.41.02.H41"])
        #expect(r.resolve(["loop-a"]).units == ["000.42.01.H41"])
        #expect(r.isGroup("ban-cds") && r.isGroup("districts") && r.isGroup("communes-of-000.00.42.H41"))
        #expect(!r.isGroup("communes-of-000.41.01.H41") && !r.isGroup("000.00.21.H41"))
        #expect(r.groupFolderNames == ["departments", "districts", "communes", "communes-of-000.00.41.H41", "communes-of-000.00.42.H41",
                                       "ban-cds", "loop-a", "loop-b", "vinh-all"])
    }

    @Test func manifestIsParsedDefensively() throws {
        let m = try #require(Manifest.parse(Array(#"{"subject": "Mời họp", "recipients": ["districts", 7, "000.00.21.H41"], "type": "gm", "number": "25/GM-UBND"}"#.utf8)))
        #expect(m.subject == "Mời họp")
        #expect(m.recipients == ["districts", "000.00.21.H41"])
        #expect(m.type?.code == "GM")
        #expect(m.document?.symbol == "GM-UBND")
        #expect(Manifest.parse(Array("not json".utf8)) == nil)
        #expect(Manifest.parse(Array("[1,2]".utf8)) == nil)
    }

    // MARK: backoff

    @Test func backoffDoublesFrom30sToAnHourCapWithAFiveDayLifetime() {
        let b = DeliveryBackoff(lifetime: 5 * 86400)
        #expect((1...9).map { b.delay(afterAttempts: $0) } == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600])
        let planned = Date(timeIntervalSince1970: 1_000_000)
        #expect(b.next(afterAttempts: 1, plannedAt: planned, now: planned) == .retry(at: planned.addingTimeInterval(30)))
        // The last retry is at the end of the lifetime, not beyond it; after it, give up.
        let nearEnd = planned.addingTimeInterval(5 * 86400 - 10)
        #expect(b.next(afterAttempts: 50, plannedAt: planned, now: nearEnd) == .retry(at: planned.addingTimeInterval(5 * 86400)))
        #expect(b.next(afterAttempts: 51, plannedAt: planned, now: planned.addingTimeInterval(5 * 86400)) == .giveUp)
    }

    @Test func aShortLifetimeShrinksTheStepsSoItIsStillTriedOften() {
        let b = DeliveryBackoff(lifetime: 2)
        #expect(b.delay(afterAttempts: 1) == 0.05)
        #expect(b.delay(afterAttempts: 20) == 0.2)
        // With an injected clock: walk the whole lifetime in simulated time.
        let planned = Date(timeIntervalSince1970: 0)
        var now = planned
        var tries = 0
        while case .retry(let at) = b.next(afterAttempts: tries + 1, plannedAt: planned, now: now) {
            tries += 1
            #expect(at > now && at <= planned.addingTimeInterval(2))
            now = at
        }
        #expect(tries >= 10, "tried only \(tries) times within the lifetime")
        #expect(now == planned.addingTimeInterval(2))
    }
}

/// The office's own documents wait like inbound ones, never past the window.
@Suite("Fan-out: the office's waits")
struct OutboundWaitTests {
    static let policy = DecisionPolicy(settle: 2, pairingWindow: 60, effective: [:], timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh")!)
    static let t0 = Date(timeIntervalSince1970: 1_796_169_600)

    @Test func aTwinStillArrivingWaitsOneSettleAtATimeUntilTheWindowEnds() {
        let wait = { (now: Double) in OutboundDecision.waitUntil(.twinArriving, firstArrival: Self.t0, now: Self.t0.addingTimeInterval(now), policy: Self.policy) }
        #expect(wait(0) == Self.t0.addingTimeInterval(2))
        #expect(wait(59) == Self.t0.addingTimeInterval(60))  // capped at the window's end
        #expect(wait(60) == nil)
    }

    @Test func aManifestAloneWaitsForTheWholeWindow() {
        #expect(OutboundDecision.waitUntil(.manifestOnly, firstArrival: Self.t0, now: Self.t0.addingTimeInterval(5), policy: Self.policy)
                == Self.t0.addingTimeInterval(60))
        #expect(OutboundDecision.waitUntil(.manifestOnly, firstArrival: Self.t0, now: Self.t0.addingTimeInterval(61), policy: Self.policy) == nil)
    }

    @Test func nothingToWaitForDecidesNow() {
        #expect(OutboundDecision.waitUntil(nil, firstArrival: Self.t0, now: Self.t0, policy: Self.policy) == nil)
    }
}
