import Foundation
import Testing
import LienThongCore

/// The fuzzers' findings for Core's parsers (`Regressions/<target>/` beside
/// this file; README "Fuzzing"), replayed on every test run with the property
/// each one broke.
@Suite struct FuzzReplayTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions")

    /// Every kept input of one fuzz target: (file name, bytes).
    static func cases(_ target: String) -> [(String, [UInt8])] {
        let dir = folder.appendingPathComponent(target)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: dir.appendingPathComponent(name).path).map { (name, [UInt8]($0)) }
        }
    }

    @Test func namesKeepTheirPairs() {
        let cases = Self.cases("names")
        #expect(cases.count >= 2, "the committed cases are missing from \(Self.folder.path)/names")
        for (file, bytes) in cases {
            let name = String(decoding: bytes, as: UTF8.self)
            let key = SubmissionKey.key(forFileName: name)
            #expect(key != "." && key != ".." && !key.isEmpty, "\(file): key \(key)")
            // A document and its detached signature share a key.
            #expect(SubmissionKey.key(forFileName: name + ".p7s") == key, "\(file): \(name) and its .p7s part")
        }
    }
}
