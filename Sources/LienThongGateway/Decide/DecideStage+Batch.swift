import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd

/// Decisions in groups (group commit): every submission due in one loop turn
/// is assessed, then all their decisions — verdicts, arrival numbers, exact
/// receipts — commit in one ledger transaction, then they are placed together
/// (`Placement.placeAll` in its two halves, on the filing threads) and
/// marked placed in one more. Durability order is that of one submission:
/// decision committed before any file moves; a receipt visible only after
/// its files are durable in the archive.
extension DecideStage {
    /// The most submissions per transaction and per placement batch: the
    /// submissions of a turn's claims (`Gateway.claimsPerTurn`, files of one
    /// or two each) in one or two batches, each batch's barriers shared.
    static let batchLimit = 256

    /// A submission whose outcome is known and only needs committing.
    struct Ready {
        let sub: OpenSubmission
        let assessment: Assessment
        let unit: LienThongCore.Unit
        let outcome: Outcome
    }

    /// Decides the given submissions where their time has come; sets when to
    /// look again at the others. The decisions are filed on the filing
    /// thread; with `waitForFiling` this returns once they are (and marked
    /// placed), else the loop takes them when they are done
    /// (`FileStage.collectFiled`) and goes on meanwhile.
    ///
    /// `durableLater` (the loop's turn): the decisions commit without
    /// waiting for the disk, and are filed and logged only once the claim's
    /// intents have committed after them (`fileIfAlreadyDurable`, or
    /// `fileWhenDurable` at the end of the claim) — that one wait makes both
    /// durable, where each waited for its own fsync (one of the four waits
    /// of a loop turn at 200/s).
    func decideAll(_ subs: [OpenSubmission], now: Date, waitForFiling: Bool = true, durableLater: Bool = false, readHere: Bool = false) {
        var ready: [Ready] = []
        for sub in subs {
            // An operator's hold (Gateway+Control): not decided until released.
            if sub.held { sub.wakeAt = nil; continue }
            // The office's own documents take the outbound path (OutboundDecide.swift).
            if sub.outboundGroup != nil { clock.measure(.deliver) { evaluateOutbound(sub, now: now) }; continue }
            if let r = clock.measure(.assess, { prepare(sub, now: now, readHere: readHere) }) { ready.append(r) }
        }
        var start = 0
        while start < ready.count {
            commit(Array(ready[start..<min(ready.count, start + Self.batchLimit)]), now: now, durableLater: durableLater)
            start += Self.batchLimit
        }
        // A retry files every decided submission: not before they are durable.
        guard !durableLater else { return }
        clock.measure(.file) {
            if waitForFiling { file.finishFiling(now: now) }
            file.retryIfDue(now: now)
        }
    }

    /// What `decideAll(durableLater:)` left waiting: made durable — already,
    /// when a commit that waited came after those decisions (the claim's
    /// intents, in the same turn), else by an fsync of the ledger's log —
    /// then filed and logged. Throws when the ledger cannot be made
    /// durable: the daemon must stop, and its next start works from what is
    /// on disk (a decision lost there was neither filed nor told to anyone,
    /// and is made again).
    func fileWhenDurable(now: Date) throws {
        if let waiting = undurable {
            do {
                try clock.measure(.commit) { try ledger.makeDurable(after: waiting.mark) }
            } catch {
                undurable = nil
                throw LedgerNotDurable(count: waiting.then.count, error: error)
            }
        }
        fileIfAlreadyDurable()
        clock.measure(.file) { file.retryIfDue(now: now) }
    }

    /// Files and logs the decisions left waiting if a commit that waited
    /// has made them durable since (the claim's intents: `ClaimStage.afterIntents`),
    /// without a sync of its own; `fileWhenDurable` does the rest.
    func fileIfAlreadyDurable() {
        guard let waiting = undurable, ledger.durableCommits > waiting.mark else { return }
        undurable = nil
        for release in waiting.then { release() }
    }

    struct LedgerNotDurable: Error, CustomStringConvertible {
        let count: Int
        let error: any Error
        var description: String {
            "\(count) groups of decisions committed to the ledger could not be made durable (\(error)); "
                + "stopping before anything acts on them: at the next start they are made again from what is on disk"
        }
    }

    /// Assesses one submission and asks the rule. nil when there is nothing
    /// to commit now (waiting, still arriving, vanished, or an error to retry).
    func prepare(_ sub: OpenSubmission, now: Date, readHere: Bool = false) -> Ready? {
        sub.awaitingValidation = false
        do {
            // The ledger's count first (settling asks it anyway), where the
            // folder is a guarded walk of the spool (a twentieth of the loop's time).
            if try claim.settleIntents(sub, now: now) == 0, !DurableFS.exists(settings.layout.queuedFiles(sub.id)) {
                // Its only claim was undone (the sender took the file back).
                claim.dropOpen(sub, now: now)
                return nil
            }
            let a = try assess.assess(sub, now: now, readHere: readHere)
            if a.stillArriving {
                // Written to after it was claimed (an SMB client holding it
                // open): read it again once it is quiet.
                sub.wakeAt = now.addingTimeInterval(max(settings.config.intake.settle, 1))
                log.log(.info, "submission \(sub.id): a claimed file changed while it was read; reading it again when it is quiet",
                        fields: [(JournalField.submission, sub.id), (JournalField.unit, sub.unit)])
                return nil
            }
            if a.validating {
                // Decided once its files are read and validated (collectValidations wakes it).
                sub.wakeAt = nil
                sub.awaitingValidation = true
                return nil
            }
            guard let unit = settings.config.registry[sub.unit] else {
                // The unit left the registry on reload: decide by the rule anyway.
                return Ready(sub: sub, assessment: a, unit: LienThongCore.Unit(id: sub.unit, name: sub.unit, level: .department),
                             outcome: .reject([Finding(.unsupportedFile, settings.detail(.unitGone(unit: sub.unit)))]))
            }
            if a.parts.isEmpty {
                // Everything it had vanished (recovery of a half claim): nothing to decide.
                claim.dropOpen(sub, now: now)
                return nil
            }
            let input = DecisionInput(
                unit: unit, parts: a.parts, type: a.type, subject: a.subject, firstArrival: sub.firstArrival,
                lastArrival: sub.lastArrival, awaitingMoreFiles: isAwaitingMoreFiles(sub), twinClaimable: hasClaimableTwin(sub, now))
            let outcome = Decision.decide(input, now: now, policy: settings.policy)
            if case .wait(let until, let reason) = outcome {
                if case .revocationData(_, let lacking) = reason {
                    awaitRevocationData(sub, reasons: lacking, windowPassed: now >= until, now: now)
                } else {
                    sub.revocationWait = []
                    sub.wakeAt = until
                }
                noticePending(sub, assessment: a, unit: unit, until: until, reason: reason)
                return nil
            }
            sub.revocationWait = []
            return Ready(sub: sub, assessment: a, unit: unit, outcome: outcome)
        } catch {
            log.log(.error, "submission \(sub.id) of \(sub.unit): \(error); nothing was decided, will retry in 5 s",
                    fields: [(JournalField.submission, sub.id), (JournalField.unit, sub.unit)])
            sub.wakeAt = now.addingTimeInterval(5)
            return nil
        }
    }

    /// Commits a group of decisions in one transaction, then starts filing
    /// them (with `durableLater`, once they are durable: `fileWhenDurable`).
    func commit(_ group: [Ready], now: Date, durableLater: Bool = false) {
        var done: [(ready: Ready, receipt: Receipt, number: Int?, shelf: SpoolLayout.Shelf)] = []
        var records: [SubmissionRecord] = []
        let recordAll = {
            for r in group {
                do {
                    done.append(try self.record(r, now: now))
                } catch {
                    self.log.log(.error, "submission \(r.sub.id) of \(r.sub.unit): could not record the decision: \(error); will retry in 5 s",
                                 fields: [(JournalField.submission, r.sub.id), (JournalField.unit, r.sub.unit)])
                    r.sub.wakeAt = now.addingTimeInterval(5)
                }
            }
            // Read back for filing inside the same transaction: one read
            // lock of the ledger for the group, not one a submission.
            records = done.compactMap { try? self.ledger.submission($0.ready.sub.id) }
        }
        do {
            try clock.measure(.commit) {
                if durableLater { try ledger.batchWithoutWaiting(recordAll) } else { try ledger.batch(recordAll) }
            }
        } catch {
            // Disk full (SQLITE_FULL) or I/O error at commit: none of the group
            // was decided, numbered or filed. All stay open and are retried.
            log.log(.error, "could not commit \(group.count) decisions to the ledger: \(error); nothing was decided, will retry in 5 s",
                    fields: [])
            for r in group { r.sub.wakeAt = now.addingTimeInterval(5) }
            return
        }
        for d in done { open[d.ready.sub.id] = nil }
        clock.decided += done.count
        clock.decisionBatches += done.isEmpty ? 0 : 1
        let release = { [self] in
            clock.measure(.file) { file.startFiling(records) }
            for d in done { logDecision(d.receipt, shelf: d.shelf, number: d.number) }
        }
        if durableLater {
            undurable = (ledger.durableCommits, (undurable?.then ?? []) + [release])
        } else {
            release()
        }
    }

    /// One decision inside the group's transaction (a savepoint of its own).
    private func record(_ ready: Ready, now: Date) throws -> (ready: Ready, receipt: Receipt, number: Int?, shelf: SpoolLayout.Shelf) {
        let r = try recheckDuplicates(ready, now: now)
        let sub = r.sub, a = r.assessment, unit = r.unit
        let accepted: Bool
        var reasons: [Finding] = []
        var warnings: [String] = []
        switch r.outcome {
        case .accept(let w): accepted = true; warnings = w.map { $0.text(settings.config.language) }
        case .reject(let f): accepted = false; reasons = f
        case .wait: throw SpoolError("decide (the outcome is still to wait)", sub.id, errno: EINVAL)
        }
        warnings += try sameNumberWarnings(sub, a)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let ym = calendar.dateComponents([.year, .month], from: now)
        let shelf: SpoolLayout.Shelf = a.quarantine ? .quarantine : (accepted ? .accepted : .rejected)
        let archiveDir = settings.layout.archive(shelf, submission: sub.id, year: ym.year ?? 0, month: ym.month ?? 0)
        let codes = Array(Set(reasons.map(\.code))).sorted()
        let language = settings.config.language
        let tz = settings.timeZone
        let rule = settings.config.rule.citation
        let officeName = settings.officeUnit.name
        var receipt: Receipt?
        let number = try ledger.batch { () -> Int? in
            for part in a.parts {
                try ledger.recordFacts(submission: sub.id, name: part.name, size: part.size, sha256: part.sha256, role: part.role)
            }
            return try ledger.decide(
                submission: sub.id, accepted: accepted, numbered: true, year: ym.year ?? 0, reasons: codes,
                placement: archiveDir, at: now
            ) { number in
                var made = Receipt(
                    submission: sub.id, unit: unit.id, unitName: unit.name, key: sub.key, document: a.document, type: a.type,
                    accepted: accepted, reasons: reasons, warnings: warnings, arrivalNumber: number,
                    files: a.parts.map { .init(name: $0.name, role: $0.role, size: $0.size, sha256: $0.sha256) },
                    signatures: a.parts.compactMap(\.validation).flatMap(\.signatures),
                    receivedAt: sub.firstArrival, decidedAt: now, rule: rule)
                made.officeName = officeName
                receipt = made
                return (made.json(language: language, timeZone: tz).serialized(),
                        ReceiptText.file(made, language: language, timeZone: tz),
                        ValidationReport.render(submission: sub.id, parts: a.parts, settings: settings, decidedAt: now))
            }
        }
        guard let receipt else { throw SpoolError("decide (no receipt was made)", sub.id, errno: EINVAL) }
        return (r, receipt, number, shelf)
    }

    /// Two submissions of one document assessed in the same loop turn both
    /// found no earlier acceptance; inside the group's transaction the first
    /// one's is visible, so the second is judged again as a duplicate.
    private func recheckDuplicates(_ r: Ready, now: Date) throws -> Ready {
        guard case .accept = r.outcome else { return r }
        var a = r.assessment
        var changed = false
        for i in a.parts.indices where a.parts[i].role == .electronic && a.parts[i].problem == nil {
            if let earlier = try ledger.acceptedSubmission(unit: r.sub.unit, sha256: a.parts[i].sha256, excluding: r.sub.id) {
                a.parts[i].problem = Finding(.duplicate, settings.detail(.duplicate(name: a.parts[i].name, earlier: earlier)))
                changed = true
            }
        }
        guard changed else { return r }
        let input = DecisionInput(
            unit: r.unit, parts: a.parts, type: a.type, subject: a.subject, firstArrival: r.sub.firstArrival,
            lastArrival: r.sub.lastArrival, awaitingMoreFiles: false)
        var outcome = Decision.decide(input, now: now, policy: settings.policy)
        if case .wait = outcome { outcome = .reject(a.parts.compactMap(\.problem)) }
        return Ready(sub: r.sub, assessment: a, unit: r.unit, outcome: outcome)
    }
}
