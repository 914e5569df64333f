import Foundation
import LienThongCore
import LienThongSignature
import LienThongSpool

/// What the assess stage learned about a submission's files.
struct Assessment {
    var parts: [SubmissionPart]
    var document: DocumentNumber?
    var type: DocumentType
    var subject: String?
    var quarantine: Bool
    /// The parsed `<key>.json`, when there is one and it is a JSON object.
    var manifest: Manifest?
    /// A `<key>.json` that is not a JSON object (reported outbound).
    var manifestUnreadable = false
    /// A claimed file changed while or since it was read (a sender still
    /// writing through an open handle): decide nothing yet.
    var stillArriving = false
    /// An electronic part is being validated on a worker thread: decide
    /// nothing yet; its result makes the submission due again.
    var validating = false
}

/// Assess: reads a submission's claimed files — safely, once each — gives
/// them roles and validates the electronic parts on worker threads. Its own
/// state is the validations under way and those that came back while others
/// still ran; what it learned about each file stays on the open submission.
final class AssessStage {
    var settings: GatewaySettings
    let ledger: Ledger
    let open: OpenSubmissions
    let clock: StageClock
    /// Signature validation off the loop thread (ValidationWorkers.swift).
    let validations: ValidationWorkers
    /// Submissions whose validation came back while others still ran.
    private var validated: [OpenSubmission] = []

    init(settings: GatewaySettings, ledger: Ledger, open: OpenSubmissions, clock: StageClock) throws {
        self.settings = settings
        self.ledger = ledger
        self.open = open
        self.clock = clock
        validations = try ValidationWorkers()
    }

    func assess(_ sub: OpenSubmission, now: Date) throws -> Assessment {
        let root = settings.layout.queuedFiles(sub.id)
        let entries = try SpoolTree.entries(under: root)
        let (bytesOf, stillArriving) = readFacts(sub, entries: entries, root: root)
        let names = entries.map { FileName($0.path) }
        var content: [FileName: RoleClassifier.Content] = [:]
        for name in names { content[name] = sub.facts[name]?.content ?? .unknown }
        let roles = RoleClassifier.roles(names: names, content: content, key: sub.key)

        var manifest: Manifest?
        var manifestUnreadable = false
        var parts: [SubmissionPart] = []
        var validating = false
        for name in names {
            guard let facts = sub.facts[name] else { continue }
            let role = roles[name] ?? .other
            // The exact name: the ledger row, the archive and the receipt all
            // speak of this file, never of its NFC twin.
            var part = SubmissionPart(name: name.string, role: role, size: facts.size, sha256: facts.sha256, problem: facts.problem)
            if role == .manifest, facts.problem == nil {
                manifest = Manifest.parse(bytesOf[name] ?? readBytes(root + "/" + name.string))
                manifestUnreadable = manifest == nil
            }
            if role == .electronic, facts.problem == nil {
                if sub.validations[name] == nil {
                    validating = true
                    let key = ValidationWorkers.Key(submission: sub.id, name: name)
                    if !validations.isRunning(key, stamp: facts.stamp) {
                        validations.start(key, stamp: facts.stamp,
                                          validationJob(root: root, name: name.string, signature: RoleClassifier.signature(of: name, among: names),
                                                        bytes: bytesOf[name], arrival: sub.firstArrival))
                    }
                }
                part.validation = sub.validations[name]
                if let stop = part.validation?.stopped {
                    // Said as a file problem, so the receipt names the bound.
                    part.problem = Finding(.unreadable, settings.detail(.validationStopped(name: part.name, stop)))
                }
                // Asked once the validation is in: while it runs, this whole
                // assessment is set aside (`validating`) and made again after.
                if part.validation != nil,
                   let earlier = try ledger.acceptedSubmission(unit: sub.unit, sha256: facts.sha256, excluding: sub.id) {
                    part.problem = Finding(.duplicate, settings.detail(.duplicate(name: part.name, earlier: earlier)))
                }
            }
            parts.append(part)
        }
        let document = manifest?.document ?? DocumentNumber.find(in: sub.key)
        let type = manifest?.type ?? document.map { DocumentType.from(symbol: $0.symbol) } ?? .congVan
        let subject = manifest?.subject ?? sub.key
        return Assessment(parts: parts, document: document, type: type, subject: subject,
                          quarantine: entries.contains { sub.facts[FileName($0.path)]?.quarantine ?? false },
                          manifest: manifest, manifestUnreadable: manifestUnreadable, stillArriving: stillArriving,
                          validating: validating)
    }

    /// Takes finished validations into their submissions and makes those due.
    /// A result for a file that changed since it was read is dropped: the
    /// next look reads the file again and validates it again.
    ///
    /// Group commit: while `gatherFrom` or more other validations still run
    /// (a burst), a finished one waits a moment (`validationGather`) for
    /// them, so that one round of fsyncs files them all; deciding each as it
    /// came back split a burst into many small commits (the throughput bench
    /// fell to a third). With fewer running (a steady flow: at 200 a second
    /// one or two) it is decided at once: waiting for the next submission's
    /// validation there put claim -> decided p99 at 35-51 ms against 18-27
    /// (make bench, three pairs). The moment is counted from when the
    /// validation finished, not from when the loop collected it: in a burst
    /// the loop collects after a claim turn of a tenth of a second or more,
    /// and 50 ms more from then let the next claim turn start first, so a
    /// burst's decisions waited for all its claims and were filed at the
    /// end (make bench, the ledger's times: 737 of 1,000 decided in one
    /// turn after the last claim).
    func collectValidations(now: Date) {
        let gathering = validations.runningCount >= Self.gatherFrom
        for r in validations.collect() {
            clock.validationCPU += r.cpuSeconds
            clock.validations += 1
            guard let sub = open[r.key.submission] else { continue }  // decided or dropped meanwhile
            if let facts = sub.facts[r.key.name], facts.stamp == r.stamp {
                sub.validations[r.key.name] = r.validation
            }
            sub.wakeAt = gathering ? Self.gathered(finishedAt: r.finishedAt, now: now) : now
            validated.append(sub)
        }
        if validations.runningCount < Self.gatherFrom {
            for sub in validated { sub.wakeAt = now }
            validated = []
        }
    }

    static let validationGather: Double = 0.05
    static let gatherFrom = 4

    /// When a validation that finished at `finishedAt` is decided while
    /// others still run: `validationGather` after it finished, and never
    /// later than that from `now` (a clock set back meanwhile).
    static func gathered(finishedAt: Date, now: Date) -> Date {
        min(finishedAt, now).addingTimeInterval(validationGather)
    }

    /// Reads and hashes every claimed file whose facts are not known yet
    /// (once each: a file's facts hold only for the bytes they were read
    /// from, so one whose size or change time moved since is read again).
    /// Returns the bytes kept for this pass and whether a file changed while
    /// it was read.
    private func readFacts(_ sub: OpenSubmission, entries: [SpoolTree.Entry], root: String) -> (bytes: [FileName: [UInt8]], stillArriving: Bool) {
        var bytesOf: [FileName: [UInt8]] = [:]
        var stillArriving = false
        for entry in entries {
            let path = root + "/" + entry.path
            let name = FileName(entry.path)
            // As listed a moment ago (from the folder's descriptor): an lstat
            // of the whole path again cost two a file on every pass.
            let before = FileStamp(entry.status)
            if let known = sub.facts[name], known.stamp == before { continue }
            sub.facts[name] = nil
            sub.validations[name] = nil
            let (facts, bytes) = read(path, name: entry.path)
            guard FileStamp.of(path) == before else {
                stillArriving = true
                continue
            }
            sub.facts[name] = facts
            sub.facts[name]?.stamp = before
            if let bytes { bytesOf[name] = bytes }
        }
        return (bytesOf, stillArriving)
    }

    private func read(_ path: String, name: String) -> (FileFacts, [UInt8]?) {
        switch SafeReader.read(path, maxSize: settings.config.intake.maxFileSize) {
        case .file(let bytes, let sha):
            let signed = SignatureValidator.looksLikePDF(bytes) && SignatureValidator.pdfHasSignature(bytes, limits: Self.sniffLimits)
            let content = RoleClassifier.sniff(head: Array(bytes.prefix(1024)), isSignedPDF: signed)
            // Bytes are kept only for the files validated in this pass.
            let keep = content == .signedPDF || content == .json || name.lowercased().hasSuffix(".p7s")
            return (FileFacts(size: Int64(bytes.count), sha256: sha, content: content, problem: nil, quarantine: false), keep ? bytes : nil)
        case .refused(let kind, let reason, let size, let sha):
            let finding: Finding
            var quarantine = false
            switch reason {
            case .notRegular:
                finding = Finding(.unsupportedFile, settings.detail(.notRegular(name: name, kind: kind)))
                quarantine = true
            case .hardLinked:
                finding = Finding(.unsupportedFile, settings.detail(.hardLinked(name: name)))
            case .tooLarge:
                finding = Finding(.tooLarge, settings.detail(.tooLarge(name: name, size: size, limit: Int64(settings.config.intake.maxFileSize))))
            case .empty:
                finding = Finding(.unreadable, settings.detail(.empty(name: name)))
            case .unreadable:
                finding = Finding(.unreadable, settings.detail(.unreadable(name: name)))
            }
            return (FileFacts(size: size, sha256: sha, content: .unknown, problem: finding, quarantine: quarantine), nil)
        }
    }

    private func readBytes(_ path: String) -> [UInt8] {
        if case .file(let bytes, _) = SafeReader.read(path, maxSize: settings.config.intake.maxFileSize) { return bytes }
        return []
    }

    /// The sniff that gives a file its role runs on the loop thread: a file
    /// too costly to scan in 2 s counts as signed, and its validation (on a
    /// worker, under the full budget) says why it is refused.
    static let sniffLimits: ValidationLimits = {
        var limits = ValidationLimits.standard
        limits.maxSeconds = 2
        return limits
    }()

    /// Reads what validating a file needs (here, on the loop thread) and
    /// returns the validation itself, to run on a worker.
    /// `signature`: its detached `.p7s` (RoleClassifier.signature: the exact
    /// name, or the one NFC/NFD-equivalent), checked against this file's own bytes.
    private func validationJob(root: String, name: String, signature: FileName?, bytes: [UInt8]?, arrival: Date) -> @Sendable () -> DocumentValidation {
        let display = name
        let content = bytes ?? readBytes(root + "/" + name)
        let validator = settings.validator
        if let signatureName = signature {
            let p7s = root + "/" + signatureName.string
            guard case .file(let signature, _) = SafeReader.read(p7s, maxSize: settings.config.intake.maxFileSize) else {
                let unreadable = DocumentValidation(file: display, problems: [.unreadable], notes: ["\(signatureName.string) could not be read"])
                return { unreadable }
            }
            return { validator.validateDetached(content: content, signature: signature, name: display, arrival: arrival) }
        }
        return { validator.validatePDF(content, name: display, arrival: arrival) }
    }
}
