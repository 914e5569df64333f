import Testing
@testable import LienThongConfig

@Suite("Durations and sizes")
struct DurationAndSizeTests {
    @Test(arguments: [
        ("500ms", 0.5), ("2s", 2), ("5m", 300), ("24h", 86400), ("5d", 432_000),
        ("1h30m", 5400), ("1h 30m", 5400), ("1.5h", 5400), ("1d2h3m4s5ms", 93784.005), ("0s", 0),
    ])
    func durationsParse(text: String, seconds: Double) {
        let parsed = Durations.seconds(text)
        #expect(parsed != nil && abs(parsed! - seconds) < 1e-9, "\(text) → \(String(describing: parsed))")
    }

    @Test(arguments: ["", "2", "2x", "s", "2 sec", "2min", "-1s", "1h30", "h1", "2S", "1.s"])
    func notDurations(text: String) {
        #expect(Durations.seconds(text) == nil, "\(text)")
    }

    @Test func durationsFormatBack() {
        #expect(Durations.format(2) == "2s")
        #expect(Durations.format(5400) == "1h30m")
        #expect(Durations.format(0.5) == "500ms")
        #expect(Durations.format(5 * 86400) == "5d")
        #expect(Durations.format(86400) == "24h")
        #expect(Durations.format(2 * 86400 + 3600) == "2d1h")
        #expect(Durations.format(0) == "0s")
    }

    @Test(arguments: [
        ("200MiB", Int64(200) << 20), ("1KiB", 1024), ("2GiB", Int64(2) << 30), ("10B", 10),
        ("5KB", 5000), ("3MB", 3_000_000), ("1GB", 1_000_000_000), ("200 MiB", Int64(200) << 20),
        ("200mib", Int64(200) << 20), ("1.5KiB", 1536), ("4096", 4096),
    ])
    func sizesParse(text: String, bytes: Int64) {
        #expect(ByteSizes.bytes(text) == bytes, "\(text)")
    }

    @Test(arguments: ["", "MiB", "200 Mb/s", "200TiB", "-1MiB", "200 M", "99999999999GiB"])
    func notSizes(text: String) {
        #expect(ByteSizes.bytes(text) == nil, "\(text)")
    }

    @Test func sizesFormatBack() {
        #expect(ByteSizes.format(200 << 20) == "200MiB")
        #expect(ByteSizes.format(1536) == "1536B")
        #expect(ByteSizes.format(2048) == "2KiB")
    }
}
