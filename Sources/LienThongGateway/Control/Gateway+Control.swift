import Foundation
import LienThongControl
import LienThongCore
import LienThongSpool
import LienThongSystemd
#if canImport(Glibc)
import Glibc
#endif

/// What `lienthongctl` may ask the running daemon (see ControlProtocol):
/// live status, hold, release, retry. Runs on the main loop's thread, between
/// two turns of the pipeline, so it sees and changes a consistent state.
extension Gateway {
    /// Opens the control socket. A daemon without it still does its main job,
    /// so a failure is logged, not fatal.
    func startControl() -> ControlServer? {
        let path = ControlChannel.socketPath(spool: settings.layout.root)
        do {
            return try ControlServer(path: path, warn: { [log] in log.log(.warning, $0) }) { [unowned self] request, peer in
                self.perform(request, peer: peer, now: Date())
            }
        } catch {
            log.log(.error, "\(error); lienthongctl hold/release/retry/status will not work until this is fixed and the daemon restarted")
            return nil
        }
    }

    func perform(_ request: ControlRequest, peer: ControlServer.Peer, now: Date) -> ControlResponse {
        let who = "operator uid \(peer.uid) pid \(peer.pid)"
        switch request.command {
        case "status":
            return ControlResponse(ok: true, message: statusLine(), status: liveStatus(now: now))
        case "hold", "release":
            if let unit = request.unit { return holdUnit(unit, hold: request.command == "hold", who: who, now: now) }
            guard let id = request.id, !id.isEmpty else {
                return ControlResponse(ok: false, message: "\(request.command) needs a submission id or ALL")
            }
            let hold = request.command == "hold"
            if id == "ALL" {
                var n = 0
                for sub in pipeline.open.values.sorted(by: { $0.firstArrival < $1.firstArrival }) where sub.held != hold {
                    if case .changed = setHeld(sub.id, hold, who: who, now: now) { n += 1 }
                }
                return ControlResponse(ok: true, affected: n, message: "\(hold ? "held" : "released") \(n) pending submission\(n == 1 ? "" : "s")")
            }
            if id.lowercased() == "all" {
                return ControlResponse(ok: false, message: "write ALL in capitals to \(request.command) every pending submission")
            }
            return holdOne(id, hold, who: who, now: now)
        case "retry":
            let target = request.id == "ALL" ? nil : request.id
            if let id = target, id.lowercased() == "all" {
                return ControlResponse(ok: false, message: "write ALL in capitals to retry every deferred delivery")
            }
            guard let id = target else {
                let n = pipeline.deliver.retryDeferred(submission: nil, now: now)
                return ControlResponse(ok: true, affected: n, message: "\(n) deferred deliver\(n == 1 ? "y" : "ies") will be tried again now")
            }
            if (try? pipeline.ledger.submission(id)) == nil {
                return ControlResponse(ok: false, message: "no submission \(id) in the ledger")
            }
            let n = pipeline.deliver.retryDeferred(submission: id, now: now)
            return ControlResponse(ok: true, affected: n, message: n == 0
                ? "submission \(id) has no deferred delivery"
                : "\(n) deferred deliver\(n == 1 ? "y" : "ies") of \(id) will be tried again now")
        case "reload":
            return reloadOnRequest(who: who)
        default:
            return ControlResponse(ok: false, message: "unknown command \"\(request.command.prefix(40))\"; known: status, hold, release, retry, reload")
        }
    }

    private func holdOne(_ id: String, _ hold: Bool, who: String, now: Date) -> ControlResponse {
        switch setHeld(id, hold, who: who, now: now) {
        case .changed:
            if hold {
                return ControlResponse(ok: true, affected: 1, message: "held \(id): it will not be decided until released")
            }
            let state = (try? pipeline.ledger.submission(id))?.state
            let outcome = state == .gathering ? "still waiting (its window has not ended and it is not complete)" : "decided: \((try? pipeline.ledger.submission(id))?.verdict?.rawValue ?? "?")"
            return ControlResponse(ok: true, affected: 1, message: "released \(id): \(outcome)")
        case .unchanged:
            return ControlResponse(ok: true, affected: 0, message: "\(id) is \(hold ? "already held" : "not held")")
        case .notPending(let state, let verdict):
            return ControlResponse(ok: false, affected: 0, message: "\(id) is already \(state == .gathering ? "gathering" : "decided (\(verdict?.rawValue ?? "?"))"); only pending submissions can be \(hold ? "held" : "released")")
        case .unknown:
            return ControlResponse(ok: false, affected: 0, message: "no submission \(id) in the ledger")
        case .failed(let error):
            return ControlResponse(ok: false, affected: 0, message: "could not record the \(hold ? "hold" : "release") of \(id): \(error)")
        }
    }

    enum HoldResult { case changed, unchanged, notPending(Ledger.State, Verdict?), unknown, failed(Error) }

    /// Records the hold in the ledger first (it must survive a restart), then
    /// applies it to the open submission. A release looks at the submission
    /// at once: when its window has passed, it is decided now.
    func setHeld(_ id: String, _ hold: Bool, who: String, now: Date) -> HoldResult {
        let change: Ledger.HoldChange
        do { change = try pipeline.ledger.setHeld(id, hold, by: who, at: now) } catch { return .failed(error) }
        switch change {
        case .unknown: return .unknown
        case .notPending(let state, let verdict): return .notPending(state, verdict)
        case .unchanged, .changed:
            guard let sub = pipeline.open[id] else { return change == .changed ? .changed : .unchanged }
            let wasHeld = sub.held
            sub.held = hold
            if hold {
                sub.wakeAt = nil
                if !wasHeld {
                    log.log(.notice, "submission \(id) of \(sub.unit) held by \(who)", fields: [(JournalField.submission, id), (JournalField.unit, sub.unit)])
                }
            } else if wasHeld || change == .changed {
                log.log(.notice, "submission \(id) of \(sub.unit) released by \(who)", fields: [(JournalField.submission, id), (JournalField.unit, sub.unit)])
                sub.wakeAt = now
                pipeline.decide.evaluate(sub, now: now)
            }
            return change == .changed ? .changed : .unchanged
        }
    }

    func liveStatus(now: Date) -> LiveStatus {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let counts = (try? pipeline.ledger.decisionCounts(since: calendar.startOfDay(for: now))) ?? (accepted: 0, rejected: 0)
        let window = settings.config.intake.pairingWindow
        let open = pipeline.open.values.sorted { ($0.firstArrival, $0.id) < ($1.firstArrival, $1.id) }.map { sub in
            LiveStatus.OpenInfo(
                id: sub.id, unit: sub.unit, key: sub.key, firstArrival: sub.firstArrival, wakeAt: sub.held ? nil : sub.wakeAt,
                windowEnds: sub.firstArrival.addingTimeInterval(window), held: sub.held, waitingFor: waitingFor(sub))
        }
        return LiveStatus(
            pid: getpid(), startedAt: startedAt, config: configPath, spool: settings.layout.root,
            foldersWatched: inotify.watchCount, settling: tracker.pendingCount, watchImpaired: inotify.impaired, open: open,
            recentProblems: log.recentProblems.all.map {
                LiveStatus.Problem(at: Date(timeIntervalSince1970: $0.at), priority: $0.priority.label.lowercased(), message: $0.message)
            },
            acceptedToday: counts.accepted, rejectedToday: counts.rejected)
    }

    /// In words, what the decision of an open submission still waits for.
    func waitingFor(_ sub: OpenSubmission) -> String {
        let lacking = sub.revocationWait.joined(separator: "; ")
        if sub.held {
            return lacking.isEmpty ? "held by an operator (lienthongctl release \(sub.id))"
                : "held: its pairing window passed while \(lacking); get current CRLs, then lienthongctl release \(sub.id)"
        }
        if !lacking.isEmpty { return lacking }
        if pipeline.decide.isAwaitingMoreFiles(sub) { return "more files still being copied in (settling)" }
        let names = Array(sub.facts.keys)
        if names.isEmpty { return "its files to be read" }
        var content: [FileName: RoleClassifier.Content] = [:]
        for (name, facts) in sub.facts { content[name] = facts.content }
        let roles = RoleClassifier.roles(names: names, content: content, key: sub.key).values
        let electronic = roles.contains(.electronic), scan = roles.contains(.scan)
        switch (electronic, scan) {
        case (false, true): return "the electronic version (signed document)"
        case (true, false): return "the paper scan (this type still needs paper)"
        case (false, false): return "a document: only \(names.count == 1 ? "a file" : "files") that are neither a signed document nor a scan so far"
        case (true, true): return "the decision (retrying after an error)"
        }
    }
}
