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
    /// Sources whose claim failed for lack of space or an I/O error, by
    /// their exact path bytes (an NFD twin is another source).
    var retryLater: Set<FileName> = []
    /// Asked by the decision: are twins of this submission still settling?
    var isAwaitingMoreFiles: (OpenSubmission) -> Bool = { _ in false }
    /// Asked by the decision: has a twin settled that the next turn claims?
    var hasClaimableTwin: (OpenSubmission, Date) -> Bool = { _, _ in false }
    /// Fan-out delivery scheduling (OutboundDeliveries.swift).
    let fanout = FanoutState()
    /// Decided submissions whose filing failed (disk full, I/O error) are
    /// filed again from the ledger at this time, with doubling backoff.
    var placementRetryAt: Date?
    var placementBackoff: Double = 1
    /// Signature validation off the loop thread (ValidationWorkers.swift).
    let validations: ValidationWorkers
    /// Submissions whose validation came back while others still ran.
    var validated: [OpenSubmission] = []
    /// Time per stage, reported when the daemon stops (StageClock.swift).
    let clock = StageClock()

    public init(settings: GatewaySettings, log: EventLog) throws {
        self.settings = settings
        self.log = log
        try Self.createFolders(settings, log: log)
        ledger = try Ledger(path: settings.layout.ledger)
        validations = try ValidationWorkers()
    }

    /// Takes finished validations into their submissions and makes those due.
    /// A result for a file that changed since it was read is dropped: the
    /// next look reads the file again and validates it again.
    ///
    /// Group commit: while other validations still run, a finished one waits
    /// a moment (`validationGather`) for them, so that one round of fsyncs
    /// files them all; deciding each as it came back split a burst into many
    /// small commits (the throughput bench fell to a third).
    func collectValidations(now: Date) {
        let wake = validations.runningCount == 0 ? now : now.addingTimeInterval(Self.validationGather)
        for r in validations.collect() {
            clock.validationCPU += r.cpuSeconds
            clock.validations += 1
            guard let sub = open[r.key.submission] else { continue }  // decided or dropped meanwhile
            if let facts = sub.facts[r.key.name], facts.stamp == r.stamp {
                sub.validations[r.key.name] = r.validation
            }
            sub.wakeAt = wake
            validated.append(sub)
        }
        if validations.runningCount == 0 {
            for sub in validated { sub.wakeAt = now }
            validated = []
        }
    }

    static let validationGather: Double = 0.05

    /// The spool's folders. A link planted in an inbox's place is reported
    /// here (deliveries into it are deferred); one in an outbox's place is
    /// reported by the watch, which never goes through it.
    static func createFolders(_ settings: GatewaySettings, log: EventLog) throws {
        let outboxes = Set(settings.outboxes.map(SpoolRoots.normalized))
        for refused in try settings.layout.create(units: settings.config.registry.ids) where !outboxes.contains(SpoolRoots.normalized(refused.path)) {
            log.log(.warning, "\(refused); deliveries to it wait until it is a folder again", fields: [])
        }
        try settings.createOfficeFolders()
    }

    public var openCount: Int { open.count }

    /// The earliest time a submission must be looked at again.
    var nextWake: Date? { (open.values.compactMap(\.wakeAt) + [placementRetryAt].compactMap { $0 }).min() }

    /// Decides every submission whose time has come, in groups (BatchDecide).
    func evaluateDue(now: Date) {
        let due = open.values.sorted(by: { $0.firstArrival < $1.firstArrival }).filter { !$0.held && ($0.wakeAt ?? .distantPast) <= now }
        decideAll(due, now: now)
    }

    /// Looks at a submission: decides it, or sets when to look again.
    func evaluate(_ sub: OpenSubmission, now: Date) {
        decideAll([sub], now: now)
    }

    /// Files a decided submission away from its ledger record (also the
    /// recovery path), then marks it placed.
    func place(_ record: Ledger.SubmissionRecord) throws {
        if Self.isOutbound(record) { return try placeOutbound(record) }
        guard let plan = plan(for: record) else { return }
        try placement().place(plan)
        try ledger.markPlaced(submission: record.id, at: Date())
    }

    func logDecision(_ r: Receipt, shelf: SpoolLayout.Shelf, number: Int?) {
        let codes = r.reasons.map(\.code.rawValue)
        var fields: [(String, String)] = [
            (JournalField.messageID, r.accepted ? MessageID.accepted : (shelf == .quarantine ? MessageID.quarantined : MessageID.rejected)),
            (JournalField.submission, r.submission),
            (JournalField.unit, r.unit),
            (JournalField.key, r.key),
            (JournalField.verdict, r.verdict.rawValue),
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
