import Foundation
import LienThongCore
@testable import LienThongConfig

/// The operator's `lienthong.toml` as the loader reads it (bytes → text →
/// TOML → checked config), beside the repository's example `units.csv`: a
/// config comes back only with no problem, and a refusal lists problems that
/// each name a line of the file or none.
private let configFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("config").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard case .success(let text) = TextFile.decode(bytes(data, size)) else { return 0 }
    // The config names files the loader reads (units.csv): keep the fuzzer
    // off the machine's device and process files, which no operator names.
    guard !["/dev/", "/proc/", "/sys/"].contains(where: text.contains) else { return 0 }
    let lines = text.unicodeScalars.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }  // scalars: "\r\n" is one Character

    let (_, diagnostics) = TOMLParser.parse(text)
    for d in diagnostics {
        require((1...max(1, lines)).contains(d.line), "diagnostic at line \(d.line) of \(lines): \(d.message)")
    }
    var builder = ConfigBuilder(file: "fuzz.toml", absolutePath: configFolder + "/fuzz.toml")
    let config = builder.build(text)
    if config == nil { require(!builder.problems.isEmpty, "no config and no problem") }
    if !diagnostics.isEmpty { require(!builder.problems.isEmpty, "a syntax error that is not a problem") }
    for p in builder.problems.problems where p.file == "fuzz.toml" {
        if let line = p.line { require((1...max(1, lines)).contains(line), "line \(line) of \(lines): \(p)") }
        require(!p.message.isEmpty, "a problem without a message")
    }
    if let config, builder.problems.isEmpty {
        require(config.registry[config.office] != nil, "the office \(config.office) is not in the registry")
    }
    return 0
}
