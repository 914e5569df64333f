import Foundation
import LienThongCore
@testable import LienThongConfig

/// The operator's `lienthong.toml` as the loader reads it (bytes → text →
/// TOML → checked config), beside the repository's example `units.csv`: the
/// TOML parse gives a document with diagnostics on lines of the file, a config
/// comes back only with no problem, and a refusal lists problems that each
/// name a line of the file or none.
enum ConfigTOMLProperty {
    /// The repository's `config/`, where the example `units.csv` is.
    static let configFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config").path

    static func check(_ input: [UInt8], _ p: PropertyCheck) {
        guard case .success(let text) = TextFile.decode(input) else { return }
        // The config names files the loader reads (units.csv): keep the fuzzer
        // off the machine's device and process files, which no operator names.
        guard !["/dev/", "/proc/", "/sys/"].contains(where: text.contains) else { return }
        let lines = lineCount(text)

        let (_, diagnostics) = TOMLParser.parse(text)
        for d in diagnostics {
            p.require((1...lines).contains(d.line), "diagnostic at line \(d.line) of \(lines): \(d.message)")
            p.require(!d.message.isEmpty, "a diagnostic without a message at line \(d.line)")
        }
        var builder = ConfigBuilder(file: "fuzz.toml", absolutePath: configFolder + "/fuzz.toml")
        let config = builder.build(text)
        if config == nil { p.require(!builder.problems.isEmpty, "no config and no problem") }
        if !diagnostics.isEmpty { p.require(!builder.problems.isEmpty, "a syntax error that is not a problem") }
        for problem in builder.problems.problems where problem.file == "fuzz.toml" {
            if let line = problem.line { p.require((1...lines).contains(line), "line \(line) of \(lines): \(problem)") }
            p.require(!problem.message.isEmpty, "a problem without a message")
        }
        if let config, builder.problems.isEmpty {
            p.require(config.registry[config.office] != nil, "the office \(config.office) is not in the registry")
        }
    }
}
