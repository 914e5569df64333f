import ArgumentParser
import Foundation
import LienThongControl
import LienThongReport
import LienThongSpool

/// `lienthongctl queue`: the pending submissions — unit, key, age, what each
/// still waits for and when its window ends — and a qshape-like table of
/// ages per unit. Answers "what is stuck, why, and since when".
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "List pending submissions, what each waits for, an age table per unit (like Postfix qshape), unfiled decisions and deferred deliveries.",
        discussion: """
            A submission is pending until it is complete or its pairing window has \
            passed; WINDOW ENDS is when the rule decides it anyway (first arrival + \
            pairing_window), unless it is held. WAITING FOR comes from the running \
            daemon; when it is not running, the listing still comes from the ledger.

            The age table counts pending submissions per unit by age: <5m, <1h, <4h, \
            <24h, >=24h. Then submissions decided but not filed yet (filing is retried) \
            and fan-out deliveries deferred until their next attempt.

            Examples:
              lienthongctl queue
              lienthongctl queue --unit 000.00.41.H41
              lienthongctl queue --json | jq '.submissions[] | select(.held)'
            """
    )

    @OptionGroup var spool: SpoolOptions

    @Option(name: .long, help: ArgumentHelp("Only this unit's submissions.", valueName: "id"))
    var unit: String?

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    struct Item: Encodable {
        var id: String
        var unit: String
        var key: String
        var firstArrival: String
        var ageSeconds: Int
        var windowEnds: String
        var held: Bool
        var waitingFor: String
        var files: [String]
    }

    struct Output: Encodable {
        var submissions: [Item]
        var shape: Shape
        var daemon: String
        var decidedUnfiled: [Unfiled]
        var deferredDeliveries: [Deferred]
        struct Shape: Encodable {
            var buckets: [String]
            var units: [String: [Int]]
            var total: [Int]
        }
    }

    func run() throws {
        let config = try spool.load()
        let ledger = try spool.ledger(config)
        var live: [String: LiveStatus.OpenInfo] = [:]
        var daemonNote = "running"
        do {
            let answer = try ControlChannel.send(ControlRequest(command: "status"), socket: spool.socket(config))
            for info in answer.status?.open ?? [] { live[info.id] = info }
        } catch {
            daemonNote = "not reachable: \(error)"
        }
        let now = Date()
        let pending = try ledger.pending().filter { unit == nil || $0.unit == unit }
        let names = try ledger.fileNames(of: pending.map(\.id))
        let items = pending.map { s in
            Item(
                id: s.id, unit: s.unit, key: s.key, firstArrival: Fmt.time(s.firstArrival), ageSeconds: Int(now.timeIntervalSince(s.firstArrival)),
                windowEnds: Fmt.time(s.firstArrival.addingTimeInterval(config.intake.pairingWindow)), held: s.held,
                waitingFor: live[s.id]?.waitingFor ?? (s.held ? "held by an operator (lienthongctl release \(s.id))" : "unknown: the daemon is not reachable"),
                files: names[s.id] ?? [])
        }
        let shape = QueueShape(ages: pending.map { ($0.unit, now.timeIntervalSince($0.firstArrival)) })
        let backlog = try Self.backlog(ledger, unit: unit, now: now)
        if json {
            print(try Fmt.json(Output(
                submissions: items,
                shape: .init(buckets: QueueShape.labels, units: Dictionary(uniqueKeysWithValues: shape.rows.map { ($0.unit, $0.counts) }), total: shape.total.counts),
                daemon: daemonNote, decidedUnfiled: backlog.unfiled, deferredDeliveries: backlog.deferred)))
            return
        }
        if items.isEmpty {
            print("nothing pending" + (unit.map { " for \($0)" } ?? ""))
        } else {
            print(Fmt.table(
                ["ID", "UNIT", "KEY", "AGE", "WINDOW ENDS", "WAITING FOR"],
                items.map { [$0.id, $0.unit, Fmt.safe($0.key), Fmt.age(Double($0.ageSeconds)), $0.held ? "(held)" : $0.windowEnds, $0.waitingFor] }),
                terminator: "")
            print("")
            print(shape.text(), terminator: "")
        }
        print(Self.backlogText(backlog), terminator: "")
        if live.isEmpty && daemonNote != "running" { complain("lienthongctl: daemon \(daemonNote)") }
    }
}
