import ArgumentParser
import LienThongCore

/// `lienthongctl samba-config`: the smb.conf shares for every unit of the
/// registry, so adding a unit to units.csv is one command away from a share.
struct SambaConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "samba-config",
        abstract: "Print smb.conf share stanzas for every unit of units.csv and for the office.",
        discussion: """
            One share per unit (named by its id, the unit's name as comment) on \
            <spool>/units/<id>, writable by the Linux group <prefix><id> (dots as dashes), \
            files forced into group lienthong with masks 0660/2770 and dot files vetoed; \
            one share lienthong-office on <spool>/office for the office's clerks.

            Examples:
              lienthongctl samba-config > /etc/samba/lienthong-shares.conf
              lienthongctl samba-config --group-prefix vt-
            """
    )
    @OptionGroup var spool: SpoolOptions
    @Option(name: .long, help: ArgumentHelp("Prefix of each unit's clerks group.", valueName: "text")) var groupPrefix = "lt-"

    func validate() throws {
        guard groupPrefix.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }),
              groupPrefix.first.map({ $0.isLowercase || $0 == "_" }) ?? true
        else { throw ValidationError("--group-prefix \(groupPrefix): a Linux group name starts with a-z or _ and holds a-z, 0-9, - and _") }
    }

    func run() throws {
        let config = try spool.load()
        print(SambaShares.render(units: config.registry.units, office: config.office, spool: config.spool, groupPrefix: groupPrefix),
              terminator: "")
    }
}
