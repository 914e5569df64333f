import Foundation

/// Signed samples made by the repository's own scripts with the demo
/// (test-only) PKI, once per test process.
enum Fixtures {
    static let lock = NSLock()
    nonisolated(unsafe) static var made: [String: String] = [:]

    /// A demo PKI in a private temp folder (never the repository's own).
    static func trust() throws -> String { try pki("--demo", folder: "demo-trust") }

    /// The full test PKI with a signed document for every rule (anchors/,
    /// crls/, tsa/, docs/).
    static func testPKI() throws -> String { try pki(nil, folder: "pki") }

    /// scripts/make-test-pki.sh run once per test process for each mode.
    private static func pki(_ mode: String?, folder: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let dir = made[folder] { return dir }
        let dir = try DaemonHarness.makeTempDir() + "/" + folder
        try run("/bin/sh", [DaemonHarness.repoRoot + "/scripts/make-test-pki.sh"] + (mode.map { [$0] } ?? []) + [dir])
        made[folder] = dir
        return dir
    }

    /// `<key>.pdf` (signed) and `<key>_scan.pdf` (unsigned) in a new folder.
    static func samplePair(key: String) throws -> (electronic: String, scan: String) {
        let trust = try trust()
        let out = try DaemonHarness.makeTempDir()
        try run("/bin/sh", [DaemonHarness.repoRoot + "/scripts/make-sample-pair.sh", out, key], env: ["LIENTHONG_DEMO_TRUST": trust])
        return (out + "/\(key).pdf", out + "/\(key)_scan.pdf")
    }

    /// `<key>.docx` and its detached `<key>.docx.p7s`.
    static func detachedPair(key: String) throws -> (document: String, signature: String, scan: String) {
        let trust = try trust()
        let out = try DaemonHarness.makeTempDir()
        try run("/bin/sh", [DaemonHarness.repoRoot + "/scripts/make-sample-pair.sh", "--p7s", out, key], env: ["LIENTHONG_DEMO_TRUST": trust])
        // The scan that goes with it comes from the PDF sample.
        try run("/bin/sh", [DaemonHarness.repoRoot + "/scripts/make-sample-pair.sh", out + "/pdf", key], env: ["LIENTHONG_DEMO_TRUST": trust])
        try FileManager.default.moveItem(atPath: out + "/pdf/\(key)_scan.pdf", toPath: out + "/\(key)_scan.pdf")
        return (out + "/\(key).docx", out + "/\(key).docx.p7s", out + "/\(key)_scan.pdf")
    }
}
