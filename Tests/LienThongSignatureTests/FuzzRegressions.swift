import Foundation
import Testing
@testable import LienThongSignature
#if canImport(Glibc)
import Glibc
#endif

/// The fuzzers' memory: `Regressions/` beside this file (see its README).
/// A crash cannot be caught in-process, so each input is written to a
/// pending file before it runs; if the process dies, the next run finds it
/// and keeps it as a regression case.
final class FuzzRegressions {
    static let folder: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions").path
    /// Longer than this for one input counts as a hang.
    static let hangLimit: Double = 10

    let kind: String
    let ext: String
    private let fd: Int32

    /// `kind` names the path fuzzed ("pdf", "cms"); `ext` the file extension.
    init(kind: String, ext: String) {
        self.kind = kind
        self.ext = ext
        Self.adoptCrash(kind: kind, ext: ext)
        fd = open(Self.folder + "/.pending-\(kind)", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
    }

    deinit {
        if fd >= 0 { close(fd) }
        unlink(Self.folder + "/.pending-\(kind)")
    }

    /// Runs one input, leaving it behind should the process die meanwhile;
    /// one slower than the hang limit is kept and reported.
    func run(_ input: [UInt8], _ body: () -> Void) {
        if fd >= 0 {
            ftruncate(fd, 0)
            _ = input.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        let start = Date()
        body()
        let took = Date().timeIntervalSince(start)
        if took > Self.hangLimit {
            let kept = Self.keep(input, prefix: "slow-\(kind)", ext: ext)
            Issue.record("a \(kind) input took \(Int(took)) s (limit \(Int(Self.hangLimit)) s); kept as \(kept)")
        }
    }

    /// A pending input left by a run that died: it becomes a regression case.
    static func adoptCrash(kind: String, ext: String) {
        let pending = folder + "/.pending-\(kind)"
        guard let data = FileManager.default.contents(atPath: pending) else { return }
        unlink(pending)
        guard !data.isEmpty else { return }
        let kept = keep([UInt8](data), prefix: "crash-\(kind)", ext: ext)
        Issue.record("the previous \(kind) fuzz run died on an input; kept as \(kept) — it is replayed from now on")
    }

    @discardableResult
    static func keep(_ input: [UInt8], prefix: String, ext: String) -> String {
        // FNV-1a: a stable name per input, so the same case is kept once.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in input { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let name = "\(prefix)-\(String(h, radix: 16)).\(ext)"
        _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: Data(input))
        return name
    }

    /// Every kept case: (file name, bytes). The libFuzzer targets keep theirs
    /// in Fuzz/Regressions/ (replayed by FuzzReplayTests).
    static func cases() -> [(String, [UInt8])] {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        return names.compactMap { name in
            guard name.hasSuffix(".pdf") || name.hasSuffix(".p7s"), let data = fm.contents(atPath: folder + "/" + name) else { return nil }
            return (name, [UInt8](data))
        }
    }
}

extension FuzzTests {
    @Test func regressionsStayFixed() throws {
        let f = try Fixtures.get()
        let content = try f.bytes("letter.docx")
        let cases = FuzzRegressions.cases()
        #expect(cases.count >= 7, "the committed regression cases are missing from \(FuzzRegressions.folder)")
        for (name, bytes) in cases {
            let start = Date()
            if name.hasSuffix(".pdf") {
                let r = f.validator.validatePDF(bytes, name: name, arrival: Fixtures.arrival)
                #expect(!r.isValid, "\(name) must not validate")
            } else {
                let r = f.validator.validateDetached(content: content, signature: bytes, name: name, arrival: Fixtures.arrival)
                #expect(!r.isValid, "\(name) must not validate")
            }
            #expect(Date().timeIntervalSince(start) < FuzzRegressions.hangLimit, "\(name) is slow again")
        }
    }
}
