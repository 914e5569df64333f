import Foundation
import LienThongCore
import Testing
@testable import LienThongSignature

/// The budget's parts one by one: the bounded zlib inflater, the deadline from
/// an injected and from the real clock, and the counters a bomb leaves.
@Suite struct ValidationBudgetTests {
    private func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
        return out
    }

    private func inflated(_ data: [UInt8], limit: Int) -> [UInt8]? {
        if case .data(let out) = ZlibInflate.zlib(data, limit: limit) { return out }
        return nil
    }

    /// The vectors of the hand-written inflater it replaces: stored, fixed and
    /// dynamic Huffman blocks, the output cap, a cut-short and a corrupt stream.
    @Test func inflateStoredFixedAndDynamicBlocks() {
        let plain = Array("1 0 2 12 << /Type /Page >> [1 2 3]".utf8)
        #expect(inflated(hex("7801012200ddff3120302032203132203c3c202f54797065202f50616765203e3e205b31203220335d845707f6"), limit: 1000) == plain)
        #expect(inflated(hex("78da335430503052303452b0b151d00fa92c4855d00f484c4f55b0b353883604ca18c70200845707f6"), limit: 1000) == plain)
        let expected = (0..<3000).map { UInt8($0 * 7 % 256) } + Array(String(repeating: "hello world ", count: 200).utf8)
        let dynamic = hex("78da6360e7139551d632b4b077f30d894eca2c28af6bed993c6be18af5dbf61e397de9e683e7efbefe61e612949057d335b176f20c088f4bcd29ae6aece89f3677c9ea4d3b0f1c3f77f5cee3571f7ffc67e3159156d23430b773f5098e4accc82fab6de99e3473c1f2755bf71c3e75f1c6fd676fbffc66e214109753d531b672f4f00f8b4dc92eaa6c68ef9b3a67f1aa8d3bf61f3b7be5f6a3971fbeff63e5119652d4d037b375f10e8a4c48cf2bad69ee9a3863feb2b55b761f3a79e1fabda76f3eff62e4e0179355d136b27470f70b8d49ce2aaca86feb9d327bd1ca0ddbf71d3d73f9d6c317efbffd65e116925450d733b571f60a8c884fcb2da96eea9c307dded2359b771d3c71fedadd27af3ffd6418f5ffa8ff47fd3feaff51ff8ffa7fd4ffa3fe1ff5ffa8ff8780ff33527372f215caf38b72521446d9a3ec51f6287b943dca1e658fb247d994b301d3105744")
        #expect(inflated(dynamic, limit: 1 << 20) == expected)
        #expect(ZlibInflate.zlib(dynamic, limit: 100) == .overLimit, "output cap")
        guard case .corrupt(let why) = ZlibInflate.zlib(Array(dynamic.prefix(100)), limit: 1 << 20) else {
            Issue.record("a truncated stream must be corrupt")
            return
        }
        #expect(why.contains("cut short"), "\(why)")
        guard case .corrupt = ZlibInflate.zlib([0x78, 0x9C, 0xFF, 0xFF], limit: 100) else {
            Issue.record("an invalid block type must be corrupt")
            return
        }
        guard case .corrupt = ZlibInflate.zlib([0x00, 0x00, 0x01], limit: 100) else {
            Issue.record("a missing zlib header must be corrupt")
            return
        }
    }

    /// Exactly at the limit passes; one byte more does not (and the buffer never grew past it).
    @Test func limitIsExact() {
        let data = [UInt8](repeating: 7, count: 300_000)
        let packed = BombPDF.deflate(data)
        #expect(inflated(packed, limit: data.count) == data)
        #expect(ZlibInflate.zlib(packed, limit: data.count - 1) == .overLimit)
        #expect(ZlibInflate.zlib(packed, limit: 0) == .overLimit)
    }

    /// PDF writers get the Adler-32 trailer wrong: the old inflater ignored it, so does this one.
    @Test func wrongAdlerTrailerIsTolerated() {
        var packed = BombPDF.deflate(Array("<< /Type /Page >>".utf8))
        packed[packed.count - 1] ^= 0xFF
        #expect(inflated(packed, limit: 100) == Array("<< /Type /Page >>".utf8))
    }

    /// The deadline is read from the injected clock: a clock that jumps a
    /// second at each reading stops the validation at the limit, naming it.
    @Test func deadlineFromInjectedClock() throws {
        let f = try Fixtures.get()
        let ticks = Ticks()
        var limits = ValidationLimits()
        limits.maxSeconds = 5
        let validator = SignatureValidator(trust: f.trust, maxClockSkew: 300, limits: limits,
                                           clock: MonotonicClock { ticks.next() })
        var bomb = BombPDF()
        for _ in 0..<100 { bomb.objectStream(holding: Array("<< /Type /Annot >>".utf8)) }
        let report = validator.validatePDF(bomb.build(), name: "slow.pdf", arrival: Fixtures.arrival)
        #expect(report.problems == [.unreadable], "\(report.dump)")
        #expect(report.stopped == ValidationStop(bound: .time, limit: 5))
        #expect(report.notes.first == "PDF validation stopped: it took more than 5 s. No genuine signed document needs this; ask the sender to export the PDF again")
        // The same file with a clock that stands still is merely modified after signing.
        let still = SignatureValidator(trust: f.trust, maxClockSkew: 300, limits: limits, clock: MonotonicClock { 0 })
        #expect(still.validatePDF(bomb.build(), name: "slow.pdf", arrival: Fixtures.arrival).stopped == nil)
    }

    /// With every other bound lifted, the real clock alone stops an inflate
    /// that would run for a long time, within moments of the deadline.
    @Test func deadlineFromRealClock() throws {
        let f = try Fixtures.get()
        var limits = ValidationLimits()
        limits.maxInflatedBytes = Int.max / 2
        limits.maxSeconds = 1
        let validator = SignatureValidator(trust: f.trust, maxClockSkew: 300, limits: limits)
        var bomb = BombPDF()
        let padding = Array("null".utf8) + [UInt8](repeating: 0x20, count: 32 << 20)
        for _ in 0..<400 { bomb.objectStream(holding: padding, filters: 2) }
        let data = bomb.build()
        let started = Date()
        let report = validator.validatePDF(data, name: "slow.pdf", arrival: Fixtures.arrival)
        let seconds = Date().timeIntervalSince(started)
        #expect(report.stopped == ValidationStop(bound: .time, limit: 1), "\(report.dump)")
        #expect(seconds < 3, "stopped after \(seconds) s")
    }

    /// The counters after a bomb: inflating stopped at the total, not a stage later.
    @Test func countersStopAtTheTotal() throws {
        var bomb = BombPDF()
        let string = Array("(".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 24 << 20) + Array(")".utf8)
        for _ in 0..<40 { bomb.objectStream(holding: string) }
        let budget = ValidationBudget()
        let index = PDFObjectIndex(bomb.build(), budget: budget)
        #expect(budget.exceeded == .inflatedBytes)
        #expect(budget.inflatedBytes <= ValidationLimits.standard.maxInflatedBytes + 1)
        #expect(budget.streamsDecoded == 3, "two 24 MiB streams fit in 64 MiB, the third does not")
        #expect(index.unreadableObjectStreams.count == 1, "the index stops at the stream that passed the total")
    }
}

/// A clock that moves one second at each reading.
final class Ticks: @unchecked Sendable {
    private let lock = NSLock()
    private var now: UInt64 = 0
    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        now += 1_000_000_000
        return now
    }
}
