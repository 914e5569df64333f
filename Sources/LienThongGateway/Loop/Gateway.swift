import CLinux
import Foundation
import LienThongCore
import LienThongSpool
import LienThongSystemd
import LienThongWatch
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's main loop: one thread that polls inotify and a signalfd,
/// feeds settled entries to the pipeline, wakes submissions at their
/// deadlines, pings the watchdog, and handles SIGHUP (reload) and SIGTERM.
public final class Gateway {
    let configPath: String
    let log: EventLog
    let pipeline: Pipeline
    let inotify: Inotify
    let tracker: SettleTracker
    private var signalFD: Int32 = -1
    private var lastWatchdog = Date.distantPast
    private var lastRescan = Date()
    private var lastRetry = Date.distantPast
    /// When old receipts were last shelved (Gateway+Shelving).
    var lastShelving = Date.distantPast
    private var lastStatus = ""
    /// When STATUS was last worked out (`statusInterval`).
    private var lastStatusAt = Date.distantPast
    /// STATUS is worked out at most this often. Its counts are a query over
    /// the day's decisions, and every loop turn paid it: 1 ms with 10,000
    /// decided that day, 18 ms with 100,000 (measured with SQLite here), a
    /// hundred turns a second at 200 submissions a second. `lienthongctl
    /// status` still gets a fresh line.
    let statusInterval: Double = 1
    /// `lienthongctl`'s channel (ControlServer); nil if it could not open.
    var control: ControlServer?
    let startedAt = Date()
    /// Rescan every outbox this often even when inotify is healthy: cheap
    /// insurance against anything the kernel did not tell us.
    let rescanInterval: Double = 300
    /// Entries claimed per loop turn at most (whole drop folders,
    /// `SettleTracker.takeComplete`); the rest wait for the next turn,
    /// which comes at once. Bounds a turn when 100,000 files wait at
    /// start, so SIGTERM, the watchdog and STATUS are not held for minutes.
    /// As large as a claim batch (`ClaimStage.batchLimit`): each batch costs
    /// its barriers whatever its size (with a file's fsync each, 100 a turn
    /// in batches of 64 made 204-214 detached reports a second on the
    /// bench's disk, 256 in one batch 230-254; with the filing thread, 512
    /// against 256 wrote 270 KiB per submission instead of 315 and made
    /// 465/390 a second against 357/371 side by side). A turn of 512 files
    /// takes about half a second.
    let claimsPerTurn = 512
    /// Held from before the first folder or ledger is touched until the
    /// process ends: one daemon per spool.
    let spoolLock: SpoolLock
    /// Outboxes found to be symbolic links (see PlantedLinks.swift).
    var plantedLinks: Set<String> = []

    public init(configPath: String, settings: GatewaySettings, log: EventLog) throws {
        self.configPath = configPath
        self.log = log
        spoolLock = try SpoolLock.acquire(settings.layout)
        pipeline = try Pipeline(settings: settings, log: log)
        inotify = try Inotify()
        tracker = SettleTracker(settle: settings.config.intake.settle)
        pipeline.decide.twins = TwinLookout(tracker: tracker)
    }

    /// Runs until SIGTERM or SIGINT. Returns the exit status.
    public func run() throws -> Int32 {
        // However the loop ends (a stop, or an error the daemon exits on),
        // no worker may still be in OpenSSL when the process exits.
        defer { pipeline.assess.workers.stop() }
        try blockSignals()
        let now = Date()
        if let warning = JournalCheck.warning(for: settings.layout.root) { log.log(.warning, warning, fields: []) }
        try pipeline.recover(now: now)
        watchAll(now: now)
        control = startControl()
        let status = statusLine()
        ServiceNotifier.ready(status: status)
        log.log(.notice, "lienthongd ready: \(status)", fields: [(JournalField.messageID, MessageID.started)])
        while true {
            let now = Date()
            let timeout = nextTimeout(now: now)
            var fds = [inotify.fd, signalFD, pipeline.assess.workers.wakeFD, pipeline.file.filing.wakeFD].map {
                pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
            }
            // The loop's own descriptors first, then the control channel's.
            let own = fds.count
            fds += control?.pollDescriptors() ?? []
            let n = pipeline.clock.measure(.wait) { poll(&fds, nfds_t(fds.count), timeout) }
            if n < 0 && errno != EINTR { throw WatchError("poll", "", errno) }
            if fds[1].revents & Int16(POLLIN) != 0, let signal = readSignal() {
                switch signal {
                case SIGHUP: reload()
                case SIGTERM, SIGINT:
                    control?.shutdown()
                    // The batches being filed are finished and marked placed
                    // (a stop mid-batch would only mean filing it again).
                    pipeline.file.finishFiling(now: Date())
                    ServiceNotifier.stopping(status: "stopping: \(pipeline.openCount) submissions kept for the next start")
                    log.log(.notice, "stopping on signal \(signal); \(pipeline.openCount) open submissions stay in queue/ for the next start",
                            fields: [(JournalField.messageID, MessageID.stopping)])
                    log.log(.info, pipeline.clock.summary(), fields: [])
                    return 0
                default: break
                }
            }
            if fds[0].revents & Int16(POLLIN) != 0 { pipeline.clock.measure(.watch) { handle(inotify.read(), now: Date()) } }
            pipeline.clock.measure(.other) {
                if fds[2].revents & Int16(POLLIN) != 0 { pipeline.assess.collectValidations(now: Date()) }
                control?.handle(Array(fds.dropFirst(own)), now: Date())
            }
            try tick(now: Date())
        }
    }

    /// One turn of the pipeline: due submissions decided and filed, then
    /// complete entries claimed, the watchdog fed, STATUS refreshed.
    func tick(now: Date) throws {
        if TrustedPath.forgetRememberedFoldersIfMountsChanged() {
            log.log(.info, "the mount table changed: spool folders are walked afresh from the spool root", fields: [])
        }
        // What the filing threads have filed since: marked placed.
        pipeline.clock.measure(.file) { pipeline.file.collectFiled(now: now) }
        // Decided first: the submissions whose validation came back since
        // the last turn. A receipt that waited for this turn's claims (and
        // their barriers) came a whole claim later (make bench: drop ->
        // receipt at 200/s). The filing threads file them while the loop
        // goes on (FilingThreads says what the loop then leaves alone); the
        // batches that wait for it meanwhile are filed together next. They
        // commit without waiting for the disk: the claim's commit below
        // makes them durable with its own, and only then are they filed.
        pipeline.decide.evaluateDue(now: now, waitForFiling: false, durableLater: true)
        // Then claimed together (group commit), at most claimsPerTurn a turn
        // so a backlog never deafens the loop to signals and the watchdog,
        // with the clock read again: entries that settled while the turn
        // decided are taken now, not a turn later.
        let claimNow = Date()
        let claimed = pipeline.clock.measure(.claim) {
            pipeline.claim.claimAll(tracker.takeComplete(now: claimNow, limit: claimsPerTurn).map { ($0.root, $0.name) }, now: claimNow)
        }
        // The decisions above were filed as soon as the claim's intents
        // committed (`ClaimStage.afterIntents`); when nothing was claimed,
        // an fsync of the ledger's log makes them durable here.
        try pipeline.decide.fileWhenDurable(now: now)
        // Looked at at once: their validations run on the workers while the
        // loop waits, and what needs none is decided in this turn.
        pipeline.decide.decideAll(claimed, now: claimNow, waitForFiling: false)
        if !pipeline.claim.retryLater.isEmpty, now.timeIntervalSince(lastRetry) >= 5 {
            let sources = pipeline.claim.retryLater
            pipeline.claim.retryLater = []
            for source in sources.map(\.string) {
                let root = (source as NSString).deletingLastPathComponent
                if let entry = tracker.entry(forEventIn: root, name: (source as NSString).lastPathComponent) {
                    // An outbox swapped for a link since: its entries wait
                    // for a real folder (the watch reports the link).
                    if isPlantedLink(entry.root) { tracker.forget(entry) } else { tracker.noteActivity(entry, now: now) }
                }
            }
            lastRetry = now
        }
        if now.timeIntervalSince(lastRescan) >= rescanInterval || inotify.impaired != nil && now.timeIntervalSince(lastRescan) >= 30 {
            rescan(now: now)
        }
        // The clock read again: claims and decisions before may have taken a
        // while, and delivery times are evidence.
        pipeline.clock.measure(.deliver) { pipeline.deliver.run(now: Date()) }
        pipeline.clock.measure(.other) { shelveReceiptsIfDue(now: now) }
        if let interval = ServiceNotifier.watchdogInterval(), now.timeIntervalSince(lastWatchdog) >= interval {
            ServiceNotifier.watchdog()
            lastWatchdog = now
        }
        if now.timeIntervalSince(lastStatusAt) >= statusInterval || now < lastStatusAt {
            lastStatusAt = now
            let status = statusLine()
            if status != lastStatus {
                ServiceNotifier.status(status)
                lastStatus = status
            }
        }
    }

    func handle(_ events: [WatchEvent], now: Date) {
        for event in events {
            switch event.kind {
            case .overflow:
                log.log(.warning, "inotify queue overflowed: rescanning every outbox", fields: [(JournalField.messageID, MessageID.watchImpaired)])
                rescan(now: now)
            case .folderGone:
                // An outbox itself was removed or renamed: recreate and rewatch.
                if settings.isOutbox(event.directory) {
                    try? DurableFS.makeDirectories(event.directory, mode: SpoolLayout.clerkFolderMode, exact: true)
                    watchOutbox(event.directory, now: now)
                }
            case .removed:
                if isOutboxEntry(event) { outboxReplaced(event.directory + "/" + event.name, now: now) }
                if let entry = tracker.entry(forEventIn: event.directory, name: event.name) {
                    if event.directory == entry.root { tracker.forget(entry) } else { tracker.noteActivity(entry, now: now) }
                }
            case .activity:
                if isOutboxEntry(event) { outboxReplaced(event.directory + "/" + event.name, now: now) }
                repairIfMangled(WatchEventName(directory: event.directory, name: event.name))
                guard let entry = tracker.entry(forEventIn: event.directory, name: event.name) else { continue }
                if event.directory == entry.root, settings.ignore.matches(event.name) { continue }
                tracker.noteActivity(entry, now: now)
            }
        }
    }

    var settings: GatewaySettings { pipeline.settings }

    func watchAll(now: Date) {
        for outbox in settings.outboxes { watchOutbox(outbox, now: now) }
    }

    /// Watches an outbox tree and notes everything already in it (files
    /// dropped while the daemon was down, or before the watch existed).
    func watchOutbox(_ outbox: String, now: Date) {
        if isPlantedLink(outbox) { return }
        tracker.register(root: outbox)
        inotify.watchTree(outbox)
        scan(outbox, now: now)
    }

    func scan(_ outbox: String, now: Date) {
        if isPlantedLink(outbox) { return }
        repairNames(in: outbox)
        // Listed by a walk from the spool root: never through a planted link.
        guard let names = try? TrustedPath.names(outbox) else { return }
        for name in names where !settings.ignore.matches(name) {
            let entry = SettleTracker.Entry(root: outbox, name: name)
            if !tracker.isPending(entry) { tracker.noteActivity(entry, now: now) }
        }
    }

    func rescan(now: Date) {
        inotify.clearImpaired()
        for outbox in settings.outboxes where !isPlantedLink(outbox) {
            tracker.register(root: outbox)
            inotify.watchTree(outbox)
            scan(outbox, now: now)
        }
        lastRescan = now
        if let impaired = inotify.impaired {
            log.log(.error, "watching is impaired: \(impaired); outboxes are rescanned every 30 s meanwhile",
                    fields: [(JournalField.messageID, MessageID.watchImpaired)])
        }
    }

    func nextTimeout(now: Date) -> Int32 {
        var deadlines: [Date] = [now.addingTimeInterval(rescanInterval)]
        if let d = tracker.nextDeadline() { deadlines.append(d) }
        if let d = pipeline.nextWake { deadlines.append(d) }
        if let d = pipeline.deliver.nextWake(now: now) { deadlines.append(d) }
        if let d = control?.nextDeadline() { deadlines.append(d) }
        if let interval = ServiceNotifier.watchdogInterval() { deadlines.append(lastWatchdog.addingTimeInterval(interval)) }
        if !pipeline.claim.retryLater.isEmpty { deadlines.append(now.addingTimeInterval(5)) }
        let wait = max(0, deadlines.min()!.timeIntervalSince(now))
        return Int32(min(wait * 1000 + 1, 3_600_000))
    }

    func statusLine() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let today = calendar.startOfDay(for: Date())
        let counts = (try? pipeline.ledger.decisionCounts(since: today)) ?? (accepted: 0, rejected: 0)
        var line = "watching \(inotify.watchCount) folders; \(pipeline.openCount + tracker.pendingCount) pending; "
            + "today \(counts.accepted) accepted, \(counts.rejected) rejected"
        if let deferred = try? pipeline.ledger.deferredDeliveryCount(), deferred > 0 { line += "; \(deferred) deliveries deferred" }
        let lacking = pipeline.decide.revocationWaitingCount
        if lacking > 0 { line += "; \(lacking) waiting for revocation data (lienthongctl fetch-crls)" }
        if let impaired = inotify.impaired { line += "; WATCH IMPAIRED: \(impaired)" }
        if let links = plantedLinksStatus { line += "; \(links)" }
        return line
    }

    // MARK: reload

    /// SIGHUP: re-read config, registry, trust anchors and CRLs. A broken new
    /// config is refused and the old one keeps running; open submissions are
    /// kept as they are.
    /// Returns what happened, in words, for `lienthongctl fetch-crls`.
    @discardableResult
    func reload() -> (ok: Bool, message: String) {
        ServiceNotifier.reloading(status: "reloading \(configPath)")
        defer { ServiceNotifier.ready(status: statusLine()) }
        do {
            let next = try GatewaySettings.load(path: configPath)
            try Pipeline.createFolders(next, log: log)
            guard next.layout.root == settings.layout.root else {
                throw ReloadRefused("spool changed from \(settings.layout.root) to \(next.layout.root); restart the service to move the spool")
            }
            let old = Set(settings.outboxes)
            pipeline.settings = next
            pipeline.decide.reconsiderOpen(now: Date())
            tracker.settle = next.config.intake.settle
            for gone in old.subtracting(next.outboxes) {
                tracker.unregister(root: gone)
                inotify.forgetTree(gone)
            }
            watchAll(now: Date())
            // New anchors or CRLs: what waited for revocation data is decided now.
            pipeline.decide.trustReloaded(now: Date())
            let message = "reloaded \(configPath): \(next.config.registry.units.count) units, \(next.trust.anchorCount) trust anchors, \(next.trust.crlCount) CRLs"
            log.log(.notice, message, fields: [(JournalField.messageID, MessageID.reloaded)])
            return (true, message)
        } catch {
            let message = "reload refused, the previous configuration keeps running: \(error)"
            log.log(.warning, message, fields: [(JournalField.messageID, MessageID.reloadFailed), (JournalField.configFile, configPath)])
            return (false, message)
        }
    }

    struct ReloadRefused: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    // MARK: signals

    private func blockSignals() throws {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGHUP, SIGTERM, SIGINT] { sigaddset(&set, s) }
        guard pthread_sigmask(SIG_BLOCK, &set, nil) == 0 else { throw WatchError("pthread_sigmask", "", errno) }
        signalFD = signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard signalFD >= 0 else { throw WatchError("signalfd", "", errno) }
    }

    private func readSignal() -> Int32? {
        var info = signalfd_siginfo()
        let n = withUnsafeMutableBytes(of: &info) { read(signalFD, $0.baseAddress, $0.count) }
        return n == MemoryLayout<signalfd_siginfo>.size ? Int32(info.ssi_signo) : nil
    }
}
