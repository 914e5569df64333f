import Foundation
import Testing
@testable import LienThongConfig
import LienThongCore

/// A throw-away folder holding a config file and its units.csv, removed at the end
/// of the test. Each test gets its own, so tests run in parallel safely.
final class Fixture {
    let folder: String
    var configPath: String { folder + "/lienthong.toml" }

    /// The minimal registry most tests use: the office, two departments, a district
    /// and one of its communes.
    static let units = """
        id,name,level,parent,signer
        000.00.00.H41,UBND tỉnh Nghệ An,province,,
        000.00.21.H41,Sở Thông tin và Truyền thông,department,,DEMO-ONLY
        000.00.22.H41,Sở Tài chính,department,,
        000.00.41.H41,UBND thành phố Vinh,district,,
        000.01.41.H41,UBND phường Hưng Bình,commune,000.00.41.H41,

        """

    /// The smallest valid config; tests append tables to it.
    static let minimal = """
        [gateway]
        office = "000.00.00.H41"
        spool = "spool"

        """

    init(config: String, units: String? = Fixture.units, unitsName: String = "units.csv") throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("lienthong-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try write(config, to: "lienthong.toml")
        if let units { try write(units, to: unitsName) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func write(_ text: String, to name: String) throws {
        try write(Data(text.utf8), to: name)
    }

    func write(_ data: Data, to name: String) throws {
        let path = folder + "/" + name
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    func load() throws(ConfigError) -> GatewayConfig {
        try ConfigLoader.load(path: configPath)
    }

    /// The problems of a config that must fail to load.
    func problems(sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigError.Problem] {
        do {
            let config = try load()
            Issue.record("expected the config to be refused, but it loaded: office \(config.office)", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.problems
        }
    }
}

/// Expects exactly one problem and returns it.
func single(_ problems: [ConfigError.Problem], sourceLocation: SourceLocation = #_sourceLocation) throws -> ConfigError.Problem {
    #expect(problems.count == 1, "problems: \(problems.map(\.description))", sourceLocation: sourceLocation)
    return try #require(problems.first, sourceLocation: sourceLocation)
}
