import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every input a fuzz target kept (Fuzz/Regressions/<target>/: its crashes,
/// out-of-memory and timeout inputs, and small hostile inputs written by
/// hand) and every large hostile input scripts/fuzz/hostile_inputs.py writes,
/// replayed on every `swift test` through the property check the target
/// itself makes (Fuzz/Properties/<target>.swift), within the limits
/// scripts/fuzz/run.sh gives libFuzzer.
@Suite struct RegressionReplayTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let regressions = fuzzFolder.appendingPathComponent("Regressions")
    static let generator = fuzzFolder.deletingLastPathComponent().appendingPathComponent("scripts/fuzz/hostile_inputs.py")

    /// Every fuzz target, and the property it checks.
    enum Target: String, CaseIterable, CustomTestStringConvertible {
        case pdfValidate = "pdf-validate", pdfObjects = "pdf-objects", cms, pem, names, manifest
        case unitsCSV = "units-csv", configTOML = "config-toml", controlRequest = "control-request"

        var testDescription: String { rawValue }

        func property() throws -> ([UInt8], PropertyCheck) -> Void {
            switch self {
            case .pdfValidate:
                let trust = try ReplayTrust.shared.get()
                return { PDFValidateProperty.check($0, trust, $1) }
            case .cms:
                let trust = try ReplayTrust.shared.get()
                return { CMSProperty.check($0, trust, $1) }
            case .pdfObjects: return PDFObjectsProperty.check
            case .pem: return PEMProperty.check
            case .names: return NamesProperty.check
            case .manifest: return ManifestProperty.check
            case .unitsCSV: return UnitsCSVProperty.check
            case .configTOML: return ConfigTOMLProperty.check
            case .controlRequest: return ControlRequestProperty.check
            }
        }

        /// Whether scripts/fuzz/hostile_inputs.py writes inputs for this
        /// target (its large hostile inputs, too big to commit). The test
        /// fails if it writes none for one of these, or any for another.
        var hasGeneratedInputs: Bool { self != .names }
    }

    @Test(arguments: Target.allCases)
    func keptInputsStillHold(_ target: Target) throws {
        let cases = try Self.cases(target.rawValue)
        // A target may have generated inputs only (pdf-validate: its
        // hand-written inputs are all large and the fuzzer has found nothing
        // yet); generatedInputsStillHold requires those not to be empty.
        #expect(!cases.isEmpty || target.hasGeneratedInputs, "no kept inputs in \(Self.regressions.path)/\(target.rawValue)")
        try Self.replay(cases, target, from: "Fuzz/Regressions")
    }

    /// The large hostile inputs, written by the generator into a temporary
    /// folder and replayed exactly as the kept ones.
    @Test(arguments: Target.allCases.filter(\.hasGeneratedInputs))
    func generatedInputsStillHold(_ target: Target) throws {
        let generated = try GeneratedInputs.shared.get()
        let cases = generated[target.rawValue] ?? []
        #expect(!cases.isEmpty, "\(Self.generator.path) wrote no inputs for \(target.rawValue)")
        try Self.replay(cases, target, from: "hostile_inputs.py")
    }

    /// The generator writes for exactly the targets that say so: a folder
    /// for another target (a misspelt name) would never be replayed.
    @Test func generatorWritesForItsTargets() throws {
        let generated = try GeneratedInputs.shared.get()
        let expected = Target.allCases.filter(\.hasGeneratedInputs).map(\.rawValue).sorted()
        #expect(generated.keys.sorted() == expected, "targets with generated inputs")
    }

    /// Every input through the target's property, each within the fuzz limits.
    static func replay(_ cases: [(String, [UInt8])], _ target: Target, from source: String) throws {
        let property = try target.property()
        for (name, input) in cases {
            let label = "\(source): \(target.rawValue)/\(name)"
            let check = PropertyCheck { what, file, line in
                Issue.record("\(label): \(what) (the property at \(file):\(line))")
            }
            let (seconds, grownMiB) = Self.measure { property(input, check) }
            #expect(seconds < FuzzLimits.seconds, "\(label) took \(Int(seconds)) s; the fuzz limit is \(Int(FuzzLimits.seconds)) s")
            #expect(grownMiB < FuzzLimits.residentMiB,
                    "\(label): the process's peak memory grew by \(grownMiB) MiB; the fuzz limit is \(FuzzLimits.residentMiB) MiB")
        }
    }

    /// A new target must come with its property and its folder of kept inputs,
    /// or its findings would not be replayed.
    @Test func everyTargetIsReplayed() throws {
        let fm = FileManager.default
        let targets = try fm.contentsOfDirectory(atPath: Self.fuzzFolder.appendingPathComponent("Targets").path)
            .filter { !$0.hasPrefix(".") }.sorted()
        #expect(targets == Target.allCases.map(\.rawValue).sorted(), "Fuzz/Targets and RegressionReplayTests.Target differ")
        for target in targets {
            #expect(fm.fileExists(atPath: Self.fuzzFolder.appendingPathComponent("Properties/\(target).swift").path),
                    "Fuzz/Properties/\(target).swift is missing: write what the target checks there")
            #expect(fm.fileExists(atPath: Self.regressions.appendingPathComponent(target).path),
                    "Fuzz/Regressions/\(target)/ is missing: keep the target's findings there")
        }
    }

    /// Every kept input of one target: (file name, bytes), in name order.
    static func cases(_ target: String, in root: URL = regressions) throws -> [(String, [UInt8])] {
        let folder = root.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { name in
            (name, [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    /// How long `body` took, and how far it raised the process's peak
    /// resident memory. The peak is the whole process's (tests of other
    /// suites run meanwhile), so this is a coarse bound: an input that needs a
    /// gigabyte shows, one that needs a few megabytes does not.
    static func measure(_ body: () -> Void) -> (seconds: Double, grownMiB: Int) {
        let peakBefore = peakResidentKiB()
        let start = Date()
        body()
        return (Date().timeIntervalSince(start), (peakResidentKiB() - peakBefore) / 1024)
    }

    static func peakResidentKiB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss  // KiB on Linux
    }
}

/// The test PKI for the signature targets, made once per test process by
/// scripts/make-test-pki.sh in a temporary folder (as the signature tests make
/// theirs; a test target cannot use another's fixtures). Everything is read
/// into memory, so the folder is removed at once.
enum ReplayTrust {
    static let shared: Result<SignatureTrust, SignatureTrust.Missing> = make()

    private static func make() -> Result<SignatureTrust, SignatureTrust.Missing> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lienthong-replay-pki-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = RegressionReplayTests.fuzzFolder.deletingLastPathComponent().appendingPathComponent("scripts/make-test-pki.sh").path
        if let problem = runScript("/bin/sh", [script, folder]) { return .failure(.init(description: problem)) }
        do {
            return .success(try SignatureTrust(folder: folder))
        } catch {
            return .failure(.init(description: "cannot load the test PKI made in \(folder): \(error)"))
        }
    }
}

/// The large hostile inputs, written once per test process by
/// scripts/fuzz/hostile_inputs.py into a temporary folder and read into
/// memory (about 7 MB), by target; the folder is removed at once.
enum GeneratedInputs {
    struct Failure: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    static let shared: Result<[String: [(String, [UInt8])]], Failure> = make()

    private static func make() -> Result<[String: [(String, [UInt8])]], Failure> {
        let fm = FileManager.default
        let folder = fm.temporaryDirectory.appendingPathComponent("lienthong-hostile-inputs-\(getpid())")
        defer { try? fm.removeItem(at: folder) }
        try? fm.removeItem(at: folder)
        let script = RegressionReplayTests.generator.path
        if let problem = runScript("/usr/bin/env", ["python3", script, folder.path], environment: ["PYTHONDONTWRITEBYTECODE": "1"]) {
            return .failure(.init(description: problem))
        }
        do {
            let targets = try fm.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
            var inputs: [String: [(String, [UInt8])]] = [:]
            for target in targets {
                inputs[target] = try RegressionReplayTests.cases(target, in: folder)
            }
            return .success(inputs)
        } catch {
            return .failure(.init(description: "cannot read what \(script) wrote in \(folder.path): \(error)"))
        }
    }
}

/// Runs a fixture script to its end: nil when it succeeded, else what went
/// wrong with its standard error (both generators of this target use it).
func runScript(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    let command = ([executable] + arguments).joined(separator: " ")
    do {
        try process.run()
    } catch {
        return "cannot run \(command): \(error)"
    }
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        return "\(command) failed (\(process.terminationStatus)): \(String(decoding: message, as: UTF8.self))"
    }
    return nil
}
