import Foundation
import Testing
@testable import LienThongCore

/// The province of 2026 with its history (issue 13): units with lifetimes,
/// `unit-not-active`, groups resolved by date, electronic-only as data.
@Suite("Province: lifetimes, groups by date, electronic-only list")
struct ProvinceTests {
    static let office = Unit(id: "000.00.00.H41", name: "UBND tỉnh Nghệ An", level: .province)
    static let khcn = Unit(id: "000.00.15.H41", name: "Sở Khoa học và Công nghệ", level: .department)
    static let tttt = Unit(id: "000.00.21.H41", name: "Sở Thông tin và Truyền thông", level: .department,
                           activeTo: day(2025, 2, 28), successor: "000.00.15.H41")
    static let vinh = Unit(id: "000.00.41.H41", name: "UBND thành phố Vinh", level: .district,
                           activeTo: day(2025, 6, 30), successor: "000.30.01.H41")
    static let hungBinh = Unit(id: "000.01.41.H41", name: "UBND phường Hưng Bình", level: .commune, parent: "000.00.41.H41",
                               activeTo: day(2025, 6, 30), successor: "000.30.01.H41")
    static let thanhVinh = Unit(id: "000.30.01.H41", name: "UBND phường Thành Vinh", level: .commune, activeFrom: day(2025, 7, 1))
    static let registry = Registry(units: [office, khcn, tttt, vinh, hungBinh, thanhVinh])

    static func day(_ y: Int, _ m: Int, _ d: Int) -> CivilDate { CivilDate(year: y, month: m, day: d) }

    static var policy: DecisionPolicy {
        DecisionPolicy(settle: 2, pairingWindow: 24 * 3600, effective: GatewayConfig.Rule().effective, timeZone: Fixture.hcm,
                       registry: registry)
    }

    @Test("Active on D when active_from ≤ D ≤ active_to, both days included")
    func activeBounds() {
        #expect(Self.tttt.isActive(on: Self.day(2025, 2, 28)))
        #expect(!Self.tttt.isActive(on: Self.day(2025, 3, 1)))
        #expect(!Self.thanhVinh.isActive(on: Self.day(2025, 6, 30)))
        #expect(Self.thanhVinh.isActive(on: Self.day(2025, 7, 1)))
        #expect(Self.khcn.isActive(on: Self.day(1990, 1, 1)))
        #expect(Self.vinh.isActive(from: Self.day(2025, 1, 1), to: Self.day(2025, 12, 31)))
        #expect(!Self.thanhVinh.isActive(from: Self.day(2025, 1, 1), to: Self.day(2025, 6, 30)))
    }

    @Test("The province's day, not UTC's: 23:30 on 28 Feb in Vinh is still February")
    func dayInProvinceTimeZone() {
        let lateEvening = Fixture.at(2025, 2, 28, 23, 30)  // 16:30 UTC
        #expect(CivilDate(lateEvening, in: Fixture.hcm) == Self.day(2025, 2, 28))
        let earlyMorning = Fixture.at(2025, 3, 1, 6, 0)  // 23:00 UTC on 28 Feb
        #expect(CivilDate(earlyMorning, in: Fixture.hcm) == Self.day(2025, 3, 1))
    }

    @Test("A merged department's submission is refused with unit-not-active naming its successor")
    func mergedDepartmentRejected() throws {
        let sent = Fixture.at(2026, 1, 5, 9)
        let input = D.input([D.electronic(), D.scan()], unit: Self.tttt, first: sent)
        let outcome = Decision.decide(input, now: sent.addingTimeInterval(5), policy: Self.policy)
        guard case .reject(let findings) = outcome else { Issue.record("expected a rejection, got \(outcome)"); return }
        #expect(findings.map(\.code) == [.unitNotActive])
        let detail = try #require(findings.first?.detail)
        #expect(detail.contains("000.00.15.H41 Sở Khoa học và Công nghệ"))
        #expect(detail.contains("units/000.00.15.H41/outbox/"))
        #expect(detail.contains("2025-02-28"))
    }

    @Test("Sent on the last day, decided after it: judged by the day it was sent")
    func sentOnLastDay() {
        let sent = Fixture.at(2025, 2, 28, 16)
        let input = D.input([D.electronic(), D.scan()], unit: Self.tttt, first: sent)
        #expect(Decision.decide(input, now: Fixture.at(2025, 3, 1, 9), policy: Self.policy) == .accept(warnings: []))
    }

    @Test("The successor chain skips a successor that ended too; English detail")
    func successorChain() {
        var p = Self.policy
        p.language = .en
        let sent = Fixture.at(2026, 1, 5)
        let outcome = Decision.decide(D.input([D.electronic(), D.scan()], unit: Self.hungBinh, first: sent), now: sent, policy: p)
        guard case .reject(let f) = outcome else { Issue.record("expected a rejection"); return }
        #expect(f.first?.detail.contains("its successor is 000.30.01.H41 UBND phường Thành Vinh") == true)
        #expect(ReasonText.sentence(.unitNotActive, .en).contains("shared folder of the unit that took over"))
        #expect(ReasonText.sentence(.unitNotActive, .vi).contains("đơn vị kế thừa"))
        let chained = Registry(units: [
            Unit(id: "a", name: "A", level: .commune, activeTo: Self.day(2019, 12, 31), successor: "b"),
            Unit(id: "b", name: "B", level: .commune, activeTo: Self.day(2025, 6, 30), successor: "c"),
            Unit(id: "c", name: "C", level: .commune),
        ])
        #expect(chained.activeSuccessor(of: chained["a"]!, on: Self.day(2026, 1, 1))?.id == "c")
        #expect(chained.activeSuccessor(of: chained["a"]!, on: Self.day(2020, 1, 1))?.id == "b")
    }

    @Test("Groups resolve to the units active on the day; an empty group is named")
    func groupsByDate() {
        let resolver = RecipientResolver(registry: Self.registry, groups: ["vinh-area": ["000.01.41.H41", "000.30.01.H41"]], office: Self.office.id)
        let before = resolver.resolve(["departments", "districts", "communes-of-000.00.41.H41", "vinh-area"], on: Self.day(2025, 2, 1))
        #expect(before.units == ["000.00.15.H41", "000.00.21.H41", "000.00.41.H41", "000.01.41.H41"])
        #expect(before.emptyGroups.isEmpty)
        let after = resolver.resolve(["departments", "districts", "communes-of-000.00.41.H41", "vinh-area", "communes"], on: Self.day(2025, 7, 1))
        #expect(after.units == ["000.00.15.H41", "000.30.01.H41"])
        #expect(after.emptyGroups == ["districts", "communes-of-000.00.41.H41"])
        let named = resolver.resolve(["000.00.21.H41", "000.00.15.H41"], on: Self.day(2026, 1, 1))
        #expect(named.units == ["000.00.15.H41"])
        #expect(named.inactive == ["000.00.21.H41"])
        #expect(RecipientGaps.lines(emptyGroups: after.emptyGroups, inactive: [], language: .vi).first?.contains("districts") == true)
    }

    @Test("Outbound: groups that reach nobody make a rejection that names them")
    func outboundEmptyGroupsNamed() {
        let resolution = RecipientResolver(registry: Self.registry, groups: [:], office: Self.office.id).resolve(["districts"], on: Self.day(2026, 1, 1))
        let outcome = OutboundDecision.decide(parts: [D.electronic("25-GM-UBND.pdf")], office: Self.office, type: DocumentType.from(symbol: "GM-UBND"),
                                              subject: nil, recipients: resolution, electronicOnly: .congVan4116, language: .vi)
        guard case .reject(let f) = outcome else { Issue.record("expected a rejection"); return }
        // In the receipt's language (the office's clerks read it): Vietnamese here.
        #expect(f.first?.detail.contains("nhóm không còn đơn vị hoạt động hôm nay: districts") == true)
    }

    @Test("The electronic-only list is data: a policy without BC makes BC wait for its scan")
    func electronicOnlyListIsPolicy() {
        let sent = D.t0
        let input = D.input([D.electronic()])
        #expect(Decision.decide(input, now: sent, policy: Self.policy) == .accept(warnings: []))
        var paper = Self.policy
        paper.electronicOnly = ElectronicOnlyList(types: ["GM"], subjects: ["CV": ["Mời Họp"]])
        guard case .wait(let until, let reason) = Decision.decide(input, now: sent, policy: paper) else {
            Issue.record("an electronic report must wait for its scan when BC is not electronic-only")
            return
        }
        #expect(until == sent.addingTimeInterval(24 * 3600))
        guard case .scan = reason else { Issue.record("waits for \(reason), not the scan"); return }
        #expect(paper.electronicOnly.covers(.congVan, subject: "V/v MỜI HỌP giao ban"))
        #expect(!paper.electronicOnly.covers(DocumentType.from(symbol: "QĐ-UBND"), subject: "Thành lập Ban Chỉ đạo"))
    }
}
