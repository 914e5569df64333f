import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// The stages after the watcher: claim (Intake), read and validate
/// (Assessment), decide (Decision, in Core), file away (Placement). One
/// thread drives it; every step is recorded in the ledger before it counts.
public final class Pipeline {
    /// The ledger row that stands for a whole folder while it is being claimed.
    static let folderMarker = "/"

    var settings: GatewaySettings
    let ledger: Ledger
    let log: EventLog
    var open = OpenSubmissions()
    /// Sources whose claim failed for lack of space or an I/O error.
    var retryLater: Set<String> = []
    /// Asked by the decision: are twins of this submission still settling?
    var isAwaitingMoreFiles: (OpenSubmission) -> Bool = { _ in false }

    public init(settings: GatewaySettings, log: EventLog) throws {
        self.settings = settings
        self.log = log
        try settings.layout.create(units: settings.config.registry.ids)
        ledger = try Ledger(path: settings.layout.ledger)
    }

    public var openCount: Int { open.count }

    /// The earliest time a submission must be looked at again.
    var nextWake: Date? { open.values.compactMap(\.wakeAt).min() }

    /// Decides every submission whose time has come.
    func evaluateDue(now: Date) {
        for sub in open.values.sorted(by: { $0.firstArrival < $1.firstArrival }) where (sub.wakeAt ?? .distantPast) <= now {
            evaluate(sub, now: now)
        }
    }

    /// Looks at a submission: decides it, or sets when to look again.
    func evaluate(_ sub: OpenSubmission, now: Date) {
        do {
            let a = try assess(sub, now: now)
            guard let unit = settings.config.registry[sub.unit] else {
                // The unit left the registry on reload: decide by the rule anyway.
                return try finalize(sub, a, unit: LienThongCore.Unit(id: sub.unit, name: sub.unit, level: .department),
                                    outcome: .reject([Finding(.unsupportedFile, "unit \(sub.unit) is no longer in the registry")]), now: now)
            }
            if a.parts.isEmpty {
                // Everything it had vanished (recovery of a half claim): nothing to decide.
                dropOpen(sub, now: now)
                return
            }
            let input = DecisionInput(
                unit: unit, parts: a.parts, type: a.type, subject: a.subject, firstArrival: sub.firstArrival,
                lastArrival: sub.lastArrival, awaitingMoreFiles: isAwaitingMoreFiles(sub))
            let outcome = Decision.decide(input, now: now, policy: settings.policy)
            if case .wait(let until) = outcome {
                sub.wakeAt = until
                return
            }
            try finalize(sub, a, unit: unit, outcome: outcome, now: now)
        } catch {
            // Disk full or I/O error: nothing was half-done (each step is
            // atomic); try again shortly.
            log.log(.error, "submission \(sub.id) of \(sub.unit): \(error); will retry in 5 s",
                    fields: [(JournalField.submission, sub.id), (JournalField.unit, sub.unit)])
            sub.wakeAt = now.addingTimeInterval(5)
        }
    }

    private func finalize(_ sub: OpenSubmission, _ a: Assessment, unit: LienThongCore.Unit, outcome: Outcome, now: Date) throws {
        let accepted: Bool
        var reasons: [Finding] = []
        var warnings: [String] = []
        switch outcome {
        case .accept(let w): accepted = true; warnings = w
        case .reject(let r): accepted = false; reasons = r
        case .wait: return
        }
        for part in a.parts {
            try ledger.recordFacts(submission: sub.id, name: part.name, size: part.size, sha256: part.sha256, role: part.role.rawValue)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let ym = calendar.dateComponents([.year, .month], from: now)
        let shelf: SpoolLayout.Shelf = a.quarantine ? .quarantine : (accepted ? .accepted : .rejected)
        let archiveDir = settings.layout.archive(shelf, submission: sub.id, year: ym.year ?? 0, month: ym.month ?? 0)
        let codes = Array(Set(reasons.map(\.code))).sorted().map(\.rawValue)
        let language = settings.config.language
        let tz = settings.timeZone
        let rule = settings.config.rule.citation
        var receipt: Receipt?
        let number = try ledger.decide(
            submission: sub.id, accepted: accepted, numbered: true, year: ym.year ?? 0, reasons: codes,
            placement: archiveDir, at: now
        ) { number in
            let r = Receipt(
                submission: sub.id, unit: unit.id, unitName: unit.name, key: sub.key, document: a.document, type: a.type,
                accepted: accepted, reasons: reasons, warnings: warnings, arrivalNumber: number,
                files: a.parts.map { .init(name: $0.name, role: $0.role, size: $0.size, sha256: $0.sha256) },
                signatures: a.parts.compactMap(\.validation).flatMap(\.signatures),
                receivedAt: sub.firstArrival, decidedAt: now, rule: rule)
            receipt = r
            return (r.json(language: language, timeZone: tz).serialized(),
                    ReceiptText.render(r, language: language, timeZone: tz),
                    ValidationReport.render(submission: sub.id, parts: a.parts, settings: settings, decidedAt: now))
        }
        open[sub.id] = nil
        guard let record = try ledger.submission(sub.id) else { return }
        try place(record)
        if let receipt { logDecision(receipt, shelf: shelf, number: number) }
    }

    /// Files a decided submission away from its ledger record (also the
    /// recovery path), then marks it placed.
    func place(_ record: Ledger.SubmissionRecord) throws {
        guard let json = record.receipt, let archiveDir = record.placement else { return }
        let plan = Placement.Plan(
            submission: record.id, unit: record.unit, key: record.key, verdict: record.verdict ?? "rejected",
            archiveDir: archiveDir, receiptJSON: json, receiptText: record.receiptText ?? "", report: record.report ?? "{}\n",
            officeCopy: record.verdict == "accepted")
        try Placement(layout: settings.layout).place(plan)
        try ledger.markPlaced(submission: record.id, at: Date())
    }

    private func logDecision(_ r: Receipt, shelf: SpoolLayout.Shelf, number: Int?) {
        let codes = r.reasons.map(\.code.rawValue)
        var fields: [(String, String)] = [
            (JournalField.messageID, r.accepted ? MessageID.accepted : (shelf == .quarantine ? MessageID.quarantined : MessageID.rejected)),
            (JournalField.submission, r.submission),
            (JournalField.unit, r.unit),
            (JournalField.key, r.key),
            (JournalField.verdict, r.verdict),
            (JournalField.reason, codes.joined(separator: ",")),
        ]
        if let number { fields.append((JournalField.arrivalNumber, String(number))) }
        let what = r.document.map { "\($0.display) (\(r.key))" } ?? r.key
        if r.accepted {
            log.log(.notice, "accepted \(what) from \(r.unit), arrival number \(number.map(String.init) ?? "-")", fields: fields)
        } else {
            log.log(.warning, "rejected \(what) from \(r.unit): \(Array(Set(codes)).sorted().joined(separator: ", "))", fields: fields)
        }
    }
}

/// The validation report kept beside each archived submission, so the
/// decision can be proven again years later: what each signature was, which
/// chain and CRLs were used, which time was trusted.
enum ValidationReport {
    static func render(submission: String, parts: [SubmissionPart], settings: GatewaySettings, decidedAt: Date) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        struct Report: Encodable {
            var submission: String
            var decided_at: Date
            var trust: [String: String]
            var files: [FileReport]
        }
        struct FileReport: Encodable {
            var name: String
            var role: String
            var size: Int64
            var sha256: String
            var problem: Finding?
            var validation: DocumentValidation?
        }
        let report = Report(
            submission: submission, decided_at: decidedAt,
            trust: ["anchors": settings.config.trust.anchors, "crls": settings.config.trust.crls, "tsa": settings.config.trust.tsa,
                    "anchor_count": String(settings.trust.anchorCount), "crl_count": String(settings.trust.crlCount)],
            files: parts.map { FileReport(name: $0.name, role: $0.role.rawValue, size: $0.size, sha256: $0.sha256, problem: $0.problem, validation: $0.validation) })
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
