import ArgumentParser
import Foundation
import LienThongControl
import LienThongConfig
import LienThongCore
import LienThongControl

/// `lienthongctl reload`: asks the running daemon to re-read its
/// configuration and waits for its verdict. It is the unit's ExecReload=, so
/// a refused configuration makes `systemctl reload` fail with the reason.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make the running daemon re-read its configuration; fail with the errors if it refuses it.",
        discussion: """
            Re-reads the config file, units.csv, trust anchors and CRLs, as SIGHUP does, \
            and waits for the daemon's answer. A configuration with errors is refused and \
            the previous one keeps running; the errors are printed (file:line: key: message) \
            and the exit status is 1. Check a file first with `lienthongctl check-config`.

            Exit status: 0 reloaded, 1 refused (the message says why), 2 usage, \
            3 the daemon is not running.

            Examples:
              lienthongctl reload
              systemctl reload lienthongd      # runs this command
            """
    )
    @OptionGroup var spool: SpoolOptions
    @Flag(name: .long, help: "Print the daemon's answer as JSON.") var json = false

    func run() throws {
        // The socket is found from the file's spool even when the file has
        // errors: the daemon judges it and names file, line and key in its
        // journal. Only a file with no readable spool is refused here.
        guard let spoolRoot = ConfigLoader.spoolOnly(path: spool.config) else {
            do throws(ConfigError) {
                _ = try ConfigLoader.load(path: spool.config)
            } catch {
                for problem in error.problems { complain(problem.description) }
            }
            complain("lienthongctl reload: \(spool.config) names no readable [gateway] spool, so the daemon cannot be reached; it keeps running its previous configuration")
            throw CtlExit.failure
        }
        let answer: ControlResponse
        do {
            answer = try ControlChannel.send(ControlRequest(command: "reload"), socket: ControlChannel.socketPath(spool: spoolRoot))
        } catch let failure as ControlChannel.Failure {
            complain("lienthongctl reload: \(failure)")
            throw failure.notRunning ? CtlExit.notRunning : CtlExit.failure
        }
        if json { print(try Fmt.json(answer)) } else if answer.ok { print(answer.message) } else {
            complain("lienthongctl reload: \(answer.message)")
        }
        if !answer.ok { throw CtlExit.failure }
    }
}
