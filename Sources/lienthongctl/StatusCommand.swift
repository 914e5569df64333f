import ArgumentParser
import Foundation
import LienThongControl
import LienThongSpool

/// `lienthongctl status`: what the daemon is doing, from the daemon itself
/// (folders watched, open submissions, recent problems) and from the ledger
/// (queue sizes by state, oldest pending, deliveries).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what the daemon is doing: folders watched, queue sizes, oldest pending, deliveries, last problems.",
        discussion: """
            Asks the running daemon over its control socket (<spool>/state/control.sock) \
            and reads the ledger (<spool>/state/ledger.sqlite) read-only.

            Exit status: 0 when the daemon answered, 3 when it is not running (the \
            ledger figures are still printed), 1 or 2 on other errors.

            Examples:
              lienthongctl status
              lienthongctl status --json | jq .ledger.states
            """
    )

    @OptionGroup var spool: SpoolOptions

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    struct Output: Encodable {
        var daemon: Daemon
        var ledger: Ledger
        struct Daemon: Encodable {
            var running: Bool
            var error: String?
            var pid: Int32?
            var startedAt: String?
            var foldersWatched: Int?
            var settling: Int?
            var watchImpaired: String?
            var openInMemory: Int?
            var acceptedToday: Int?
            var rejectedToday: Int?
            var recentProblems: [Problem]?
            /// The one line the daemon also gives systemd (`systemctl status`).
            var statusLine: String?
        }
        struct Problem: Encodable { var at: String, priority: String, message: String }
        struct Ledger: Encodable {
            var path: String
            var states: [String: Int]
            var oldestPending: Oldest?
            var deliveries: [String: Int]?
        }
        struct Oldest: Encodable { var id: String, unit: String, key: String, since: String, ageSeconds: Int, waitingFor: String? }
    }

    func run() throws {
        let config = try spool.load()
        let ledger = try spool.ledger(config)
        var daemon = Output.Daemon(running: false)
        var live: LiveStatus?
        var line: String?
        do {
            let answer = try ControlChannel.send(ControlRequest(command: "status"), socket: spool.socket(config))
            live = answer.status
            if answer.ok { line = answer.message } else { daemon.error = answer.message }
        } catch {
            daemon.error = "\(error)"
        }
        if let live {
            daemon = Output.Daemon(
                running: true, pid: live.pid, startedAt: Fmt.time(live.startedAt), foldersWatched: live.foldersWatched,
                settling: live.settling, watchImpaired: live.watchImpaired, openInMemory: live.open.count,
                acceptedToday: live.acceptedToday, rejectedToday: live.rejectedToday,
                recentProblems: live.recentProblems.map { Output.Problem(at: Fmt.time($0.at), priority: $0.priority, message: $0.message) },
                statusLine: line)
        }
        let now = Date()
        let oldest = try ledger.pending().first.map { s in
            Output.Oldest(id: s.id, unit: s.unit, key: s.key, since: Fmt.time(s.firstArrival), ageSeconds: Int(now.timeIntervalSince(s.firstArrival)),
                          waitingFor: live?.open.first { $0.id == s.id }?.waitingFor ?? (s.held ? "held by an operator" : nil))
        }
        let out = Output(daemon: daemon, ledger: .init(path: ledger.path, states: try ledger.stateCounts(), oldestPending: oldest,
                                                       deliveries: try ledger.deliveryCounts()))
        if json {
            print(try Fmt.json(out))
        } else {
            print(text(out, config: spool.config), terminator: "")
        }
        if live == nil { throw CtlExit.notRunning }
    }

    func text(_ o: Output, config: String) -> String {
        var t = ""
        let d = o.daemon
        if d.running {
            t += "lienthongd: running, pid \(d.pid ?? 0), since \(d.startedAt ?? "?")\n"
            if let line = d.statusLine { t += "  STATUS: \(Fmt.safe(line))\n" }
            t += "  watching \(d.foldersWatched ?? 0) folders, \(d.settling ?? 0) entries settling in outboxes, \(d.openInMemory ?? 0) open submissions\n"
            t += "  watching: " + (d.watchImpaired.map { "IMPAIRED: \($0)" } ?? "ok") + "\n"
            t += "  today: \(d.acceptedToday ?? 0) accepted, \(d.rejectedToday ?? 0) rejected\n"
        } else {
            t += "lienthongd: NOT REACHABLE — \(d.error ?? "no answer")\n"
        }
        let s = o.ledger.states
        t += "ledger \(o.ledger.path):\n"
        t += "  pending (gathering) \(s["gathering"] ?? 0)" + ((s["held"] ?? 0) > 0 ? " of which held \(s["held"]!)" : "")
            + ", decided not yet filed \(s["decided"] ?? 0), filed \(s["placed"] ?? 0)\n"
        if let old = o.ledger.oldestPending {
            t += "  oldest pending: \(old.id) from \(old.unit) \"\(Fmt.safe(old.key))\", since \(old.since) (\(Fmt.age(Double(old.ageSeconds))))"
                + (old.waitingFor.map { ", waiting for \($0)" } ?? "") + "\n"
        } else {
            t += "  nothing pending\n"
        }
        if let deliveries = o.ledger.deliveries {
            t += "  deliveries: \(deliveries["pending"] ?? 0) pending, \(deliveries["deferred"] ?? 0) deferred, \(deliveries["failed"] ?? 0) failed, \(deliveries["delivered"] ?? 0) delivered\n"
        } else {
            t += "  deliveries: none recorded yet\n"
        }
        if let problems = d.recentProblems {
            t += problems.isEmpty ? "no warnings or errors since start\n" : "last warnings and errors (newest last):\n"
            for p in problems.suffix(10) { t += "  \(p.at) \(p.priority): \(Fmt.safe(p.message))\n" }
        }
        return t
    }
}
