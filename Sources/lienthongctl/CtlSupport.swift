import ArgumentParser
import Foundation
import LienThongConfig
import LienThongCore
import LienThongControl
import LienThongSpool

/// What the queue, status, show, steering and report commands share: find the
/// spool from the configuration, open the ledger read-only, reach the daemon,
/// print times the province's way.
struct SpoolOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's configuration file; the spool and ledger are found from it.", valueName: "path"))
    var config: String = ConfigLoader.defaultPath

    func load() throws -> GatewayConfig {
        do throws(ConfigError) {
            return try ConfigLoader.load(path: config)
        } catch {
            for problem in error.problems { complain(problem.description) }
            throw CtlExit.usage
        }
    }

    func ledger(_ config: GatewayConfig) throws -> LedgerReader {
        let path = SpoolLayout(root: config.spool).ledger
        do {
            return try LedgerReader(path: path)
        } catch {
            complain("lienthongctl: \(error)")
            throw CtlExit.failure
        }
    }

    func socket(_ config: GatewayConfig) -> String { ControlChannel.socketPath(spool: config.spool) }
}

/// Exit statuses, documented in each command's help.
enum CtlExit {
    static let failure = ExitCode(1)
    static let usage = ExitCode(2)
    /// The daemon is not running (as `systemctl status` uses 3).
    static let notRunning = ExitCode(3)
}

enum Fmt {
    static let timeZone = ProvinceCalendar.timeZone

    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        return RFC3339.format(date, timeZone: timeZone)
    }

    /// "45s", "12m", "3h02m", "2d04h".
    static func age(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        return String(format: "%dd%02dh", s / 86400, (s % 86400) / 3600)
    }

    /// Left-aligned columns separated by two spaces; the last is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return all.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// Text from the ledger printed on a terminal: names come from dropped
    /// files, so control characters (escape sequences) and bidirectional
    /// overrides (which make "gpj.exe" read as "exe.jpg") are made visible.
    static func safe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { s -> Unicode.Scalar in
            (s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value))
                ? "\u{FFFD}" : s
        }))
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }
}

func complain(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Resolves what the operator typed (an id or its unique start) to one id.
func resolveSubmission(_ typed: String, in ledger: LedgerReader) throws -> String {
    switch try ledger.resolve(typed) {
    case .found(let id): return id
    case .none:
        complain("lienthongctl: no submission \(Fmt.safe(typed)) in \(ledger.path)")
        throw CtlExit.failure
    case .ambiguous(let ids):
        complain("lienthongctl: \(Fmt.safe(typed)) matches several submissions: \(ids.joined(separator: ", "))…; type more of the id")
        throw CtlExit.usage
    }
}
