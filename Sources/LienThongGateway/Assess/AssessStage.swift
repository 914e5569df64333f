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
    /// Its files are being read, or an electronic part validated, on a
    /// worker thread: decide nothing yet; the result makes the submission
    /// due again.
    var validating = false

    /// Nothing to decide on yet: a file changed while it was read, or a
    /// worker is reading or validating.
    static func notYet(stillArriving: Bool) -> Assessment {
        Assessment(parts: [], type: .congVan, quarantine: false, stillArriving: stillArriving, validating: !stillArriving)
    }
}

/// Assess: has a submission's claimed files read — safely, once each — and
/// its electronic parts validated on the worker threads (`FileWork`), then
/// gives the parts their roles from what was found. Its own state is the
/// jobs under way and those that came back while others still ran; what it
/// learned about each file stays on the open submission.
final class AssessStage {
    var settings: GatewaySettings
    let ledger: Ledger
    let open: OpenSubmissions
    let clock: StageClock
    /// Reading and validation off the loop thread (AssessWorkers.swift).
    let workers: AssessWorkers
    /// Submissions whose job came back while others still ran.
    private var validated: [OpenSubmission] = []

    init(settings: GatewaySettings, ledger: Ledger, open: OpenSubmissions, clock: StageClock) throws {
        self.settings = settings
        self.ledger = ledger
        self.open = open
        self.clock = clock
        workers = try AssessWorkers()
    }

    /// `readHere`: files not read yet are read on the loop thread, as an
    /// operator's release waits for its answer (`DecideStage.evaluate`);
    /// their validations still run on the workers.
    func assess(_ sub: OpenSubmission, now: Date, readHere: Bool = false) throws -> Assessment {
        let root = settings.layout.queuedFiles(sub.id)
        let entries = try SpoolTree.entries(under: root)
        // As listed a moment ago (from the folder's descriptor): a file's
        // facts hold only for the bytes they were read from, so one whose
        // stamp moved since is read again.
        let listing = entries.map { FileWork.Listed(name: FileName($0.path), stamp: FileStamp($0.status)) }
        for entry in listing where sub.facts[entry.name].map({ $0.stamp != entry.stamp }) ?? false {
            sub.facts[entry.name] = nil
            sub.validations[entry.name] = nil
        }
        if sub.changedWhileRead {
            sub.changedWhileRead = false
            return .notYet(stillArriving: true)
        }
        let unread = listing.contains { sub.facts[$0.name] == nil }
        if unread, readHere {
            take(job(sub, root: root, listing: listing).run(validating: false), into: sub)
            return try assess(sub, now: now)
        }
        let names = listing.map(\.name)
        var roles: [FileName: FileRole] = [:]
        if !unread {
            var content: [FileName: RoleClassifier.Content] = [:]
            for name in names { content[name] = sub.facts[name]?.content ?? .unknown }
            roles = RoleClassifier.roles(names: names, content: content, key: sub.key)
        }
        let unvalidated = names.contains { roles[$0] == .electronic && sub.facts[$0]?.problem == nil && sub.validations[$0] == nil }
        if unread || unvalidated {
            // Decided once its job is done (collectValidations wakes it).
            if !workers.isRunning(sub.id, listing: listing) {
                let work = job(sub, root: root, listing: listing)
                workers.start(sub.id, listing: listing) { work.run() }
            }
            return .notYet(stillArriving: false)
        }

        var manifest: Manifest?
        var manifestUnreadable = false
        var parts: [SubmissionPart] = []
        for name in names {
            guard let facts = sub.facts[name] else { continue }
            let role = roles[name] ?? .other
            // The exact name: the ledger row, the archive and the receipt all
            // speak of this file, never of its NFC twin.
            var part = SubmissionPart(name: name.string, role: role, size: facts.size, sha256: facts.sha256, problem: facts.problem)
            if role == .manifest, facts.problem == nil {
                manifest = facts.manifest
                manifestUnreadable = manifest == nil
            }
            if role == .electronic, facts.problem == nil {
                part.validation = sub.validations[name]
                if let stop = part.validation?.stopped {
                    // Said as a file problem, so the receipt names the bound.
                    part.problem = Finding(.unreadable, settings.detail(.validationStopped(name: part.name, stop)))
                }
                if let earlier = try ledger.acceptedSubmission(unit: sub.unit, sha256: facts.sha256, excluding: sub.id) {
                    part.problem = Finding(.duplicate, settings.detail(.duplicate(name: part.name, earlier: earlier)))
                }
            }
            parts.append(part)
        }
        let document = manifest?.document ?? DocumentNumber.find(in: sub.key)
        let type = manifest?.type ?? document.map { DocumentType.from(symbol: $0.symbol) } ?? .congVan
        let subject = manifest?.subject ?? sub.key
        return Assessment(parts: parts, document: document, type: type, subject: subject,
                          quarantine: listing.contains { sub.facts[$0.name]?.quarantine ?? false },
                          manifest: manifest, manifestUnreadable: manifestUnreadable)
    }

    /// The job for a worker: the files not read yet, and the electronic
    /// parts not validated yet, of `sub` as listed.
    private func job(_ sub: OpenSubmission, root: String, listing: [FileWork.Listed]) -> FileWork {
        var known: [FileName: FileWork.Known] = [:]
        for (name, facts) in sub.facts { known[name] = .init(content: facts.content, readable: facts.problem == nil) }
        return FileWork(root: root, key: sub.key, listing: listing, known: known, validated: Set(sub.validations.keys),
                        arrival: sub.firstArrival, maxFileSize: settings.config.intake.maxFileSize, validator: settings.validator)
    }

    /// Takes finished jobs into their submissions (`take`) and makes those
    /// due; a validation of a file that changed since is dropped, and the
    /// next look reads and validates it again.
    ///
    /// Group commit: while `gatherFrom` or more other jobs still run
    /// (a burst), a finished one waits a moment (`validationGather`) for
    /// them, so that one round of fsyncs files them all; deciding each as it
    /// came back split a burst into many small commits (the throughput bench
    /// fell to a third). With fewer running (a steady flow: at 200 a second
    /// one or two) it is decided at once: waiting for the next submission's
    /// validation there put claim -> decided p99 at 35-51 ms against 18-27
    /// (make bench, three pairs). The moment is counted from when the
    /// job finished, not from when the loop collected it: in a burst
    /// the loop collects after a claim turn of a tenth of a second or more,
    /// and 50 ms more from then let the next claim turn start first, so a
    /// burst's decisions waited for all its claims and were filed at the
    /// end (make bench, the ledger's times: 737 of 1,000 decided in one
    /// turn after the last claim).
    func collectValidations(now: Date) {
        let gathering = workers.runningCount >= Self.gatherFrom
        for r in workers.collect() {
            clock.workerCPU += r.cpuSeconds
            guard let sub = open[r.submission] else { continue }  // decided or dropped meanwhile
            take(r.outcome, into: sub, validatedWithCurrentTrust: r.trustGeneration == workers.trustGeneration)
            sub.wakeAt = gathering ? Self.gathered(finishedAt: r.finishedAt, now: now) : now
            validated.append(sub)
        }
        if workers.runningCount < Self.gatherFrom {
            for sub in validated { sub.wakeAt = now }
            validated = []
        }
    }

    /// A job's findings taken into its submission: the facts of the files
    /// read, each for the stamp it was listed with, and the validations of
    /// files whose facts still hold for the bytes validated — unless a
    /// reload brought another trust store since the job began (its verdict
    /// rested on the anchors and CRLs before; the next look validates again).
    private func take(_ outcome: FileWork.Outcome, into sub: OpenSubmission, validatedWithCurrentTrust: Bool = true) {
        for (name, read) in outcome.reads {
            if sub.facts[name]?.stamp != read.stamp { sub.validations[name] = nil }
            sub.facts[name] = facts(read.read, name: name.string, stamp: read.stamp)
        }
        for (name, v) in outcome.validations where validatedWithCurrentTrust && sub.facts[name]?.stamp == v.stamp {
            sub.validations[name] = v.validation
        }
        if outcome.changed { sub.changedWhileRead = true }
    }

    static let validationGather: Double = 0.05
    static let gatherFrom = 4

    /// When a job that finished at `finishedAt` is decided while others
    /// still run: `validationGather` after it finished, and never later
    /// than that from `now` (a clock set back meanwhile).
    static func gathered(finishedAt: Date, now: Date) -> Date {
        min(finishedAt, now).addingTimeInterval(validationGather)
    }

    /// What a worker's read of one file means for the submission: its
    /// facts, with the finding a refused file is reported with.
    private func facts(_ read: FileWork.Read, name: String, stamp: FileStamp) -> FileFacts {
        switch read {
        case .file(let size, let sha, let content, let manifest):
            return FileFacts(size: size, sha256: sha, content: content, problem: nil, quarantine: false, manifest: manifest, stamp: stamp)
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
            return FileFacts(size: size, sha256: sha, content: .unknown, problem: finding, quarantine: quarantine, stamp: stamp)
        }
    }
}
