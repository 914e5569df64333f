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

            What is stuck, why, and since when:
              lienthongctl queue            pending submissions, what each waits for
              lienthongctl show ID          one submission's whole history
              lienthongctl status           the daemon, the queue, deliveries, errors
            How each unit did this year:
              lienthongctl report --from 2025-01-01 --to 2025-12-31 --level district

            Every command takes --config PATH (default /etc/lienthong/lienthong.toml) \
            to find the spool; run them as root or as the service user.
            """,
        subcommands: [StatusCommand.self, QueueCommand.self, ShowCommand.self, HoldCommand.self, ReleaseCommand.self, RetryCommand.self,
                      ReloadCommand.self, FindCommand.self, SambaConfigCommand.self,
                      ReportCommand.self, AuditCommand.self, CheckConfig.self, Verify.self, FetchCRLs.self]
    )
}
