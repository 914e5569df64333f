import Foundation
import LienThongCore
@testable import LienThongSignature

/// The generated TEST-ONLY PKI (scripts/make-test-pki.sh), built once per test
/// process into a temporary folder and shared by every test.
struct Fixtures: Sendable {
    let root: String
    let trust: TrustStore

    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Real files from other projects, when the shared folder is beside the repository.
    static var realData: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/realdata")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static let shared: Result<Fixtures, FixtureError> = build()

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
    }

    static func get() throws -> Fixtures { try shared.get() }

    private static func build() -> Result<Fixtures, FixtureError> {
        let temporary = FileManager.default.temporaryDirectory
        removeStaleFixtures(in: temporary)
        let out = temporary.appendingPathComponent("lienthong-sig-fixtures-\(getpid())").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [repositoryRoot.appendingPathComponent("scripts/make-test-pki.sh").path, out]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(FixtureError(description: "cannot run make-test-pki.sh: \(error)"))
        }
        let errors = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(FixtureError(description: "make-test-pki.sh failed (\(process.terminationStatus)): \(String(decoding: errors, as: UTF8.self))"))
        }
        do {
            let trust = try TrustStore(anchorsDirectory: out + "/anchors", crlDirectory: out + "/crls", tsaDirectory: out + "/tsa")
            return .success(Fixtures(root: out, trust: trust))
        } catch {
            return .failure(FixtureError(description: "\(error)"))
        }
    }

    /// Folders of earlier test runs (a day old): each run keeps its own, so
    /// concurrent runs never share one, and nothing piles up.
    private static func removeStaleFixtures(in folder: URL) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix("lienthong-sig-fixtures-") {
            let path = folder.appendingPathComponent(name).path
            if let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
               Date().timeIntervalSince(modified) > 86400 {
                try? fm.removeItem(atPath: path)
            }
        }
    }

    var validator: SignatureValidator { SignatureValidator(trust: trust, maxClockSkew: 300) }

    func bytes(_ name: String) throws -> [UInt8] {
        let path = root + "/docs/" + name
        guard let data = FileManager.default.contents(atPath: path) else { throw FixtureError(description: "missing fixture \(path)") }
        return [UInt8](data)
    }

    /// A fixed arrival after every fixed signing time of the fixtures.
    static let arrival = date("2025-01-15T00:00:00Z")

    func pdf(_ name: String, arrival: Date = Fixtures.arrival) throws -> DocumentValidation {
        validator.validatePDF(try bytes(name), name: name, arrival: arrival)
    }

    func detached(_ name: String, arrival: Date = Fixtures.arrival) throws -> DocumentValidation {
        validator.validateDetached(content: try bytes(name), signature: try bytes(name + ".p7s"), name: name, arrival: arrival)
    }
}

func date(_ text: String) -> Date {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.date(from: text)!
}

extension DocumentValidation {
    /// For failure messages: everything the report says.
    var dump: String {
        var lines = ["\(file): valid=\(isValid) reasons=\(reasons.map(\.rawValue)) problems=\(problems.map(\.rawValue)) notes=\(notes)"]
        for s in signatures {
            lines.append("  [\(s.signer)] O=\(s.organization) valid=\(s.valid) time=\(s.signingTime.map { "\($0)" } ?? "-") (\(s.timeSource.rawValue)) problems=\(s.problems.map(\.rawValue)) crls=\(s.crlsUsed)")
            lines += s.chain.map { "    chain: \($0)" }
            lines += s.notes.map { "    note: \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
