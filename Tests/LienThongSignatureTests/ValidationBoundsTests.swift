import Foundation
import LienThongCore
import Testing
@testable import LienThongSignature

/// Decompression and parse bombs made here, byte by byte: whatever a file
/// holds, validating it stays within one budget per file (bytes inflated,
/// streams decoded, objects parsed, nesting depth, wall time), and a file past
/// a bound is `unreadable` with a note naming the bound. Serialized: each test
/// measures the process's peak memory, which a neighbour would disturb.
@Suite(.serialized) struct ValidationBoundsTests {
    /// Peak resident memory a bomb may add on top of the file itself. The
    /// default budget inflates at most 64 MiB in total; the old code kept
    /// gigabytes of the bombs below.
    static let memoryAllowance = 256 << 20
    /// Wall time a bomb may take. The old code took minutes on some of these.
    static let timeAllowance: TimeInterval = 10

    struct Run {
        var report: DocumentValidation
        var seconds: TimeInterval
        var peakGrowth: Int
    }

    private func validate(_ data: [UInt8]) throws -> Run {
        let f = try Fixtures.get()
        PeakMemory.reset()
        let before = PeakMemory.resident()
        let started = Date()
        let report = f.validator.validatePDF(data, name: "bomb.pdf", arrival: Fixtures.arrival)
        let seconds = Date().timeIntervalSince(started)
        let growth = PeakMemory.current() - before
        print("bomb of \(data.count) bytes: \(String(format: "%.2f", seconds)) s, peak memory +\(growth >> 20) MiB, \(report.dump)")
        return Run(report: report, seconds: seconds, peakGrowth: growth)
    }

    private func expectStopped(_ run: Run, naming bound: String) {
        #expect(run.report.problems == [.unreadable], "\(run.report.dump)")
        #expect(run.report.signatures.isEmpty, "a stopped validation reports no signature as checked: \(run.report.dump)")
        #expect(run.report.notes.contains { $0.hasPrefix("PDF validation stopped:") && $0.contains(bound) }, "\(run.report.dump)")
        #expect(run.seconds < Self.timeAllowance, "took \(run.seconds) s")
        #expect(run.peakGrowth < Self.memoryAllowance, "peak memory grew by \(run.peakGrowth >> 20) MiB")
    }

    /// The reported file: object streams of about 180 KiB in all, each
    /// inflating to 24 MiB (one string object), 40 of them: 960 MiB kept.
    @Test func objectStreamsInflatingToTensOfMiBEach() throws {
        var bomb = BombPDF()
        let string = Array("(".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 24 << 20) + Array(")".utf8)
        for _ in 0..<40 { bomb.objectStream(holding: string) }
        let data = bomb.build()
        #expect(data.count < 2 << 20, "the bomb itself is small: \(data.count) bytes")
        expectStopped(try validate(data), naming: "MiB inflated")
    }

    /// Hundreds of streams behind chained filters, each inflating twice to
    /// 8 MiB of whitespace around one object: nothing is kept, but the
    /// inflating alone took the old code minutes.
    @Test func hundredsOfChainedFilterStreams() throws {
        var bomb = BombPDF()
        let padded = Array("null".utf8) + [UInt8](repeating: 0x20, count: 8 << 20)
        for _ in 0..<200 { bomb.objectStream(holding: padded, filters: 2) }
        let data = bomb.build()
        #expect(data.count < 2 << 20, "the bomb itself is small: \(data.count) bytes")
        expectStopped(try validate(data), naming: "MiB inflated")
    }

    /// Thousands of tiny object streams: each is cheap, their number is not.
    @Test func thousandsOfObjectStreams() throws {
        var bomb = BombPDF()
        for _ in 0..<6000 { bomb.objectStream(holding: Array("<< /Type /Annot >>".utf8)) }
        expectStopped(try validate(bomb.build()), naming: "object streams decoded")
    }

    /// Millions of small objects from a few object streams (arrays of integers).
    @Test func millionsOfObjects() throws {
        var bomb = BombPDF()
        let array = Array("[".utf8) + Array(String(repeating: "0 ", count: 100_000).utf8) + Array("]".utf8)
        for _ in 0..<64 { bomb.objectStream(holding: array) }
        expectStopped(try validate(bomb.build()), naming: "PDF objects parsed")
    }

    /// `[[[[…]]]]` nested far deeper than any real document, in the file and
    /// inside an object stream. The old parser gave up on the object silently,
    /// so a changed object could hide from the update check.
    @Test func deepNesting() throws {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        var inFile = BombPDF()
        inFile.object(String(decoding: deep, as: UTF8.self))
        expectStopped(try validate(inFile.build()), naming: "nested deeper than")

        var inStream = BombPDF()
        inStream.objectStream(holding: deep)
        expectStopped(try validate(inStream.build()), naming: "nested deeper than")
    }

    /// The defaults do not stop an honest large document: 200 one-MiB scanned
    /// pages, 10,000 annotations in object streams, signed twice (so the whole
    /// file is indexed and every object stream inflated).
    @Test func honestLargeSignedPDFStillValidates() throws {
        let f = try Fixtures.get()
        let data = try LargeSignedPDF(fixtures: f).build(imageMiB: 200, objectStreams: 50)
        #expect(data.count > 200 << 20)
        PeakMemory.reset()
        let before = PeakMemory.resident()
        let started = Date()
        // Signed just now by openssl: arrival a little later.
        let report = f.validator.validatePDF(data, name: "large.pdf", arrival: Date().addingTimeInterval(300))
        let seconds = Date().timeIntervalSince(started)
        let growth = PeakMemory.current() - before
        print("honest PDF of \(data.count >> 20) MiB: \(String(format: "%.2f", seconds)) s, peak memory +\(growth >> 20) MiB, \(report.dump)")
        #expect(report.isValid, "\(report.dump)")
        #expect(report.signatures.count == 2)
        #expect(report.signatures.first?.notes.contains { $0.contains("later updates only add signatures") } == true, "\(report.dump)")
        #expect(seconds < ValidationLimits.standard.maxSeconds)
    }
}
