import ArgumentParser
import Foundation
import LienThongControl
import LienThongCore
import LienThongSpool

/// `hold`, `release`, `retry`: actions the running daemon carries out. They
/// go through its control socket — never by editing the ledger or the spool
/// behind its back — and print the daemon's answer.
protocol SteerCommand: ParsableCommand {
    var spool: SpoolOptions { get }
    var given: String? { get }
    var json: Bool { get }
    /// hold/release --unit ID: every pending submission of that unit.
    var forUnit: String? { get }
    static var command: String { get }
    static var guardWord: String { get }
}

extension SteerCommand {
    var forUnit: String? { nil }

    func validate() throws {
        if given == nil && forUnit == nil { throw ValidationError("give a submission id (or its start), ALL, or --unit ID") }
        if given != nil && forUnit != nil { throw ValidationError("give either a submission id or --unit ID, not both") }
    }

    func run() throws {
        if let unit = forUnit {
            try ask(ControlRequest(command: Self.command, unit: unit), config: try spool.load())
            return
        }
        let target = given ?? ""
        if target != "ALL" && target.lowercased() == "all" {
            complain("lienthongctl \(Self.command): write ALL in capitals to act on every \(Self.guardWord); '\(target)' is refused as a guard against typing it by accident")
            throw CtlExit.usage
        }
        let config = try spool.load()
        var id = target
        if target != "ALL" {
            // Resolve a typed prefix against the ledger first, so the daemon
            // is only ever asked about a whole id.
            id = try resolveSubmission(target, in: try spool.ledger(config))
        }
        try ask(ControlRequest(command: Self.command, id: id), config: config)
    }

    private func ask(_ request: ControlRequest, config: GatewayConfig) throws {
        let answer: ControlResponse
        do {
            answer = try ControlChannel.send(request, socket: spool.socket(config))
        } catch let failure as ControlChannel.Failure {
            complain("lienthongctl \(Self.command): \(failure)")
            throw failure.notRunning ? CtlExit.notRunning : CtlExit.failure
        }
        if json {
            print(try Fmt.json(answer))
        } else if answer.ok {
            print(answer.message)
        } else {
            complain("lienthongctl \(Self.command): \(answer.message)")
        }
        if !answer.ok { throw CtlExit.failure }
    }
}

private let steerExit = """
    Exit status: 0 done, 1 refused by the daemon (the message says why), 2 usage, \
    3 the daemon is not running.
    """

struct HoldCommand: SteerCommand {
    static let command = "hold"
    static let guardWord = "pending submission"
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Keep a pending submission (or ALL) from being decided until it is released.",
        discussion: """
            A held submission keeps its files in queue/ and is not decided, even after \
            its pairing window, until `release`. The hold is recorded in the ledger and \
            survives restarts. A submission already decided cannot be held.

            \(steerExit)

            Examples:
              lienthongctl hold 20261124-000003-9f2c
              lienthongctl hold ALL        # every pending submission; 'all' is refused
              lienthongctl hold --unit 000.00.41.H41   # every pending submission of one unit
            """
    )
    @OptionGroup var spool: SpoolOptions
    @Flag(name: .long, help: "Print the daemon's answer as JSON.") var json = false
    @Argument(help: ArgumentHelp("A submission id (or its unique start), or ALL.", valueName: "id|ALL")) var given: String?
    @Option(name: .customLong("unit"), help: ArgumentHelp("Every pending submission of this unit instead.", valueName: "id")) var forUnit: String?
}

struct ReleaseCommand: SteerCommand {
    static let command = "release"
    static let guardWord = "held submission"
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release a held submission (or ALL); it is decided at once if its window has passed.",
        discussion: """
            \(steerExit)

            Examples:
              lienthongctl release 20261124-000003-9f2c
              lienthongctl release ALL
              lienthongctl release --unit 000.00.41.H41
            """
    )
    @OptionGroup var spool: SpoolOptions
    @Flag(name: .long, help: "Print the daemon's answer as JSON.") var json = false
    @Argument(help: ArgumentHelp("A submission id (or its unique start), or ALL.", valueName: "id|ALL")) var given: String?
    @Option(name: .customLong("unit"), help: ArgumentHelp("Every pending submission of this unit instead.", valueName: "id")) var forUnit: String?
}

struct RetryCommand: SteerCommand {
    static let command = "retry"
    static let guardWord = "deferred delivery"
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Try deferred fan-out deliveries of a submission (or ALL) again now.",
        discussion: """
            A delivery to a recipient's inbox that failed is deferred and retried with \
            backoff; this makes it due now (after fixing a full disk or a share's \
            permissions, say). `status` shows how many are deferred or failed and \
            `show ID` lists each delivery.

            \(steerExit)

            Examples:
              lienthongctl retry 20261124-000007-1a2b
              lienthongctl retry ALL
            """
    )
    @OptionGroup var spool: SpoolOptions
    @Flag(name: .long, help: "Print the daemon's answer as JSON.") var json = false
    @Argument(help: ArgumentHelp("A submission id (or its unique start), or ALL.", valueName: "id|ALL")) var given: String?
}
