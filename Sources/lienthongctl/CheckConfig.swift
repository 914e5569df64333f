import ArgumentParser
import Foundation
import LienThongConfig
import LienThongCore
import LienThongControl

/// `lienthongctl check-config [--config PATH]`: loads a configuration exactly as the
/// daemon would and says whether it would start with it. Meant to be run before
/// `systemctl reload lienthongd`, since a reload with a bad config is refused and
/// only the journal would say why.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration and its units.csv without starting the daemon.",
        discussion: """
            Prints every problem as FILE:LINE: KEY: MESSAGE on standard error and exits 1, \
            or prints a short summary and exits 0. Warnings (such as an empty trust \
            anchors folder) go to standard error and do not change the exit status.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The configuration file.", valueName: "path"))
    var config: String = ConfigLoader.defaultPath

    func run() throws {
        let loaded: GatewayConfig
        do throws(ConfigError) {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            for problem in error.problems { printError(problem.description) }
            throw ExitCode.failure
        }
        print(Summary(config: loaded, path: config).text)
        for warning in Summary.warnings(for: loaded) { printError("warning: \(warning)") }
    }
}

/// The report of a configuration that loaded: what the daemon would run with.
struct Summary {
    let config: GatewayConfig
    let path: String

    var text: String {
        let office = config.registry[config.office]
        var lines = ["\(path): OK"]
        func row(_ label: String, _ value: String) {
            lines.append(label.padding(toLength: 10, withPad: " ", startingAt: 0) + value)
        }
        row("office", "\(config.office)  \(office?.name ?? "") (\(office?.level.rawValue ?? "?"))")
        row("spool", config.spool + (Self.exists(config.spool) ? "" : "  (does not exist yet; lienthongd creates it at start)"))
        row("units", "\(config.unitsPath): \(unitCounts)")
        row("language", config.language == .vi ? "vi (Vietnamese receipts)" : "en (English receipts)")
        row("intake", "settle \(ConfigFormat.duration(config.intake.settle)), pairing window \(ConfigFormat.duration(config.intake.pairingWindow)), "
            + "max file size \(ConfigFormat.size(config.intake.maxFileSize)), \(config.intake.ignore.count) ignore patterns")
        let effective = UnitLevel.allCases.compactMap { level in
            config.rule.effective[level].map { "\(level.rawValue) \($0)" }
        }
        row("rule", "effective " + effective.joined(separator: ", "))
        let list = config.rule.electronicOnly
        row("", "electronic only: " + list.types.sorted().joined(separator: ", ")
            + list.subjects.keys.sorted().map { "; \($0) when the subject has " + list.subjects[$0]!.map { "\"\($0)\"" }.joined(separator: " or ") }.joined())
        row("trust", "anchors \(Self.folderReport(config.trust.anchors))")
        row("", "crls    \(Self.folderReport(config.trust.crls))")
        row("", "tsa     \(Self.folderReport(config.trust.tsa))")
        row("", "max clock skew \(ConfigFormat.duration(config.trust.maxClockSkew))")
        let groups = config.fanout.groups.keys.sorted().map { "\($0) (\(config.fanout.groups[$0]!.count))" }
        row("fanout", "delivery lifetime \(ConfigFormat.duration(config.fanout.deliveryLifetime))"
            + (groups.isEmpty ? "" : "; groups: " + groups.joined(separator: ", ")))
        return lines.joined(separator: "\n")
    }

    /// "12 units: 1 province, 4 departments, 3 districts, 4 communes".
    private var unitCounts: String {
        let units = config.registry.units
        let perLevel = UnitLevel.allCases.compactMap { level -> String? in
            let n = units.filter { $0.level == level }.count
            return n == 0 ? nil : "\(n) \(level.rawValue)\(n == 1 ? "" : "s")"
        }
        // Units that ended stay in the file for history; say how many are live.
        let today = CivilDate(Date(), in: ProvinceCalendar.timeZone)
        let ended = units.filter { !$0.isActive(on: today) }.count
        return "\(units.count) unit\(units.count == 1 ? "" : "s"): " + perLevel.joined(separator: ", ")
            + (ended == 0 ? "" : "; \(ended) not active today (kept for history)")
    }

    /// Things that do not stop the daemon but will make it refuse documents.
    static func warnings(for config: GatewayConfig) -> [String] {
        var warnings: [String] = []
        switch entries(of: config.trust.anchors) {
        case nil:
            warnings.append("the trust anchors folder \(config.trust.anchors) does not exist: every signature will be refused as certificate-untrusted until it holds the PEM roots and intermediates")
        case let n? where n == 0:
            warnings.append("the trust anchors folder \(config.trust.anchors) is empty: every signature will be refused as certificate-untrusted until it holds the PEM roots and intermediates")
        default:
            break
        }
        for (name, folder) in [("crls", config.trust.crls), ("tsa", config.trust.tsa)] where isFile(folder) {
            warnings.append("[trust] \(name) \(folder) is a file; it should be a folder")
        }
        if isFile(config.trust.anchors) {
            warnings.append("[trust] anchors \(config.trust.anchors) is a file; it should be a folder of PEM files")
        }
        return warnings
    }

    // MARK: - Helpers

    private static func folderReport(_ folder: String) -> String {
        switch entries(of: folder) {
        case nil: return "\(folder) (missing)"
        case let n?: return "\(folder) (\(n) file\(n == 1 ? "" : "s"))"
        }
    }

    /// Visible entries of a folder, or nil when it is not a readable folder.
    private static func entries(of folder: String) -> Int? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        return names.filter { !$0.hasPrefix(".") }.count
    }

    private static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

private func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
