import ArgumentParser

/// `lienthongctl`: the operator's tool (SPEC §9). Each job is a subcommand in its
/// own file; add new ones to `subcommands` below.
///
/// This file is not called main.swift on purpose: a main.swift is top-level code,
/// and `@main` is not allowed in it.
@main
struct LienThongCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lienthongctl",
        abstract: "Operate the lienthong document gateway: check its configuration, inspect and steer its work.",
        discussion: """
            The daemon itself is run by systemd (systemctl start|stop|reload lienthongd) \
            and logs to the journal (journalctl -u lienthongd).
            """,
        subcommands: [StatusCommand.self, QueueCommand.self, ShowCommand.self, HoldCommand.self, ReleaseCommand.self, RetryCommand.self,
                      ReportCommand.self, CheckConfig.self, Verify.self]
    )
}
