import Foundation
import LienThongGateway
import LienThongSpool
import LienThongSystemd

// lienthongd: the gateway daemon. Runs in the foreground (systemd
// Type=notify, or a terminal); logs to the journal under systemd and to
// stderr otherwise.

let usage = """
    usage: lienthongd [--config PATH]

    Watches the units' outboxes, pairs each paper scan with its signed
    electronic version, verifies signatures at the time of signing, files
    everything into the spool and writes a receipt for every submission.

      --config PATH   configuration file (default /etc/lienthong/lienthong.toml)
      --help          show this text

    """

var configPath = "/etc/lienthong/lienthong.toml"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--config", "-c":
        guard let value = arguments.popFirst() else {
            FileHandle.standardError.write(Data("lienthongd: --config needs a path\n\n\(usage)".utf8))
            exit(64)
        }
        configPath = value
    case let a where a.hasPrefix("--config="):
        configPath = String(a.dropFirst("--config=".count))
    case "--help", "-h":
        print(usage, terminator: "")
        exit(0)
    default:
        FileHandle.standardError.write(Data("lienthongd: unknown argument \(argument)\n\n\(usage)".utf8))
        exit(64)
    }
}

// Before any spool folder is opened: the folder cache sizes itself from it.
DescriptorLimit.raise()

let log = EventLog(identifier: "lienthongd")
let settings: GatewaySettings
do {
    settings = try GatewaySettings.load(path: configPath)
} catch {
    // EX_CONFIG: systemd shows the status; the message names file, line and key.
    log.log(.error, "cannot start: \(error)")
    exit(78)
}

do {
    let gateway = try Gateway(configPath: configPath, settings: settings, log: log)
    exit(try gateway.run())
} catch let held as SpoolLock.Held {
    // Not a crash: nothing was touched. Status 1 so systemd shows a failure.
    log.log(.error, "cannot start: \(held)")
    exit(1)
} catch {
    log.log(.critical, "lienthongd stopped: \(error)")
    exit(1)
}
