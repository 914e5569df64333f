import Foundation
import LienThongCore

/// The figures the Sở TT&TT's annual report needs, per unit and period:
/// submissions received, accepted, rejected by reason (missing-electronic
/// first), signature problems, median decision time, and the share of
/// documents that came electronically. Pure: built from ledger rows.
public struct ComplianceReport: Sendable {
    /// One submission as the report counts it: the ledger's record, and
    /// whether at least one of its files was a signed electronic document
    /// (a fact of its files, which the ledger reader reads beside the record).
    public struct Submission: Sendable, Equatable {
        public var record: SubmissionRecord
        public var electronic: Bool

        public init(record: SubmissionRecord, electronic: Bool) {
            self.record = record
            self.electronic = electronic
        }
    }

    public struct UnitInfo: Sendable, Equatable {
        public var id: String
        public var name: String
        public var level: String
        /// The registry's lifetime (SPEC §8): shown, and used to leave out units
        /// that were not active at any time in the period.
        public var activeFrom: CivilDate?
        public var activeTo: CivilDate?
        public var successor: String

        public init(id: String, name: String, level: String, activeFrom: CivilDate? = nil, activeTo: CivilDate? = nil, successor: String = "") {
            self.id = id
            self.name = name
            self.level = level
            self.activeFrom = activeFrom
            self.activeTo = activeTo
            self.successor = successor
        }
    }

    public struct Figures: Sendable, Equatable {
        public var unit: UnitInfo
        public var received = 0
        public var accepted = 0
        public var rejected = 0
        /// Received in the period, not decided yet.
        public var pending = 0
        /// Rejected submissions per reason code, in report order: the codes
        /// of SPEC §4 (missing-electronic first), then any unknown code.
        /// A submission rejected for two reasons counts under both.
        public var rejectedByReason: [(code: String, count: Int)] = []
        /// Submissions with at least one signature-family reason.
        public var signatureProblems = 0
        /// Median of decided_at − first_arrival, seconds.
        public var medianDecisionSeconds: Double?
        public var decided: Int { accepted + rejected }
        /// Decided submissions that carried a signed electronic document.
        public var electronic = 0
        /// electronic / decided; nil when nothing was decided.
        public var electronicShare: Double? { decided == 0 ? nil : Double(electronic) / Double(decided) }

        public init(unit: UnitInfo) { self.unit = unit }

        public func rejected(for code: String) -> Int { rejectedByReason.first { $0.code == code }?.count ?? 0 }

        public static func == (a: Figures, b: Figures) -> Bool {
            a.unit == b.unit && a.received == b.received && a.accepted == b.accepted && a.rejected == b.rejected
                && a.pending == b.pending && a.signatureProblems == b.signatureProblems
                && a.medianDecisionSeconds == b.medianDecisionSeconds && a.electronic == b.electronic
                && a.rejectedByReason.map(\.code) == b.rejectedByReason.map(\.code)
                && a.rejectedByReason.map(\.count) == b.rejectedByReason.map(\.count)
        }
    }

    /// Reasons that say the signature, not the paperwork, was the problem.
    public static let signatureFamily: Set<String> = Set([
        ReasonCode.signatureMissing, .signatureInvalid, .modifiedAfterSigning, .certificateUntrusted,
        .certificateNotValidAtSigning, .certificateRevoked, .certificateWrongUsage, .signingTimeInFuture, .signerNotOfUnit,
    ].map(\.rawValue))

    public let period: ReportPeriod
    public let units: [Figures]
    public let total: Figures
    /// One subtotal per level present, in SPEC §8's order (ComplianceReport+Trend).
    public let levels: [Figures]
    /// One row per calendar month of the period (ComplianceReport+Trend).
    public let months: [Month]
    public let generatedAt: Date
    public let title: String
    public let rule: String

    /// Builds the report. `units` are the registry's units in its order
    /// (the office itself left out by the caller), of which those active at
    /// any time in the period are counted (the districts of 2025 in a 2025
    /// report, not in a 2026 one); units that appear only in the ledger (since
    /// removed from the registry, or sending after they ended) follow.
    /// Submissions of `excludedUnits` (the office's own outbound ones) are
    /// not counted. With `only`, just that unit.
    public init(submissions: [Submission], units: [UnitInfo], period: ReportPeriod, excludedUnits: Set<String>,
                only: String? = nil, generatedAt: Date, title: String = "", rule: String = "") {
        let inPeriod = submissions.filter { $0.record.firstArrival >= period.start && $0.record.firstArrival < period.end }
        let byUnit = Dictionary(grouping: inPeriod, by: \.record.unit)
        var order = units.filter { Self.activeSometime($0, in: period) || byUnit[$0.id] != nil }.map(\.id)
            .filter { !excludedUnits.contains($0) }
        var info = Dictionary(units.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for unit in submissions.map(\.record.unit) where info[unit] == nil && !excludedUnits.contains(unit) {
            info[unit] = UnitInfo(id: unit, name: unit, level: "")
            order.append(unit)
        }
        if let only { order = order.filter { $0 == only } }
        self.units = order.map { Self.figures(info[$0]!, byUnit[$0] ?? []) }
        let counted = order.flatMap { byUnit[$0] ?? [] }
        total = Self.figures(UnitInfo(id: "", name: "Tổng cộng / Total", level: ""), counted)
        levels = Self.levelSubtotals(order.map { info[$0]! }, byUnit)
        months = Self.monthly(counted, period: period)
        self.period = period
        self.generatedAt = generatedAt
        self.title = title
        self.rule = rule
    }

    static func figures(_ unit: UnitInfo, _ list: [Submission]) -> Figures {
        var f = Figures(unit: unit)
        var perReason: [String: Int] = [:]
        var times: [Double] = []
        for (s, electronic) in list.map({ ($0.record, $0.electronic) }) {
            f.received += 1
            let reasons = s.reasons.map(\.rawValue)
            switch s.verdict {
            case .accepted: f.accepted += 1
            case .rejected:
                f.rejected += 1
                for code in Set(reasons) { perReason[code, default: 0] += 1 }
            case nil:
                f.pending += 1
                continue
            }
            if electronic { f.electronic += 1 }
            if reasons.contains(where: signatureFamily.contains) { f.signatureProblems += 1 }
            if let decided = s.decidedAt { times.append(max(0, decided.timeIntervalSince(s.firstArrival))) }
        }
        let known = ReasonCode.allCases.map(\.rawValue)
        f.rejectedByReason = known.compactMap { code in perReason[code].map { (code, $0) } }
            + perReason.keys.filter { !known.contains($0) }.sorted().map { ($0, perReason[$0]!) }
        f.medianDecisionSeconds = median(times)
        return f
    }

    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// "45 s", "12 min", "3 h 05 min", "2 d 4 h".
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "–" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 { return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60) }
        return "\(s / 86400) d \((s % 86400) / 3600) h"
    }

    public static func percent(_ share: Double?) -> String {
        guard let share else { return "–" }
        return String(format: "%.1f %%", share * 100)
    }
}
