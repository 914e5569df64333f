/// Durations as SPEC §8 writes them: a number and a unit, `ms`, `s`, `m`, `h` or
/// `d`, possibly several in a row ("1h30m"). Decimals are allowed ("1.5h") because
/// operators write them; spaces between parts are tolerated ("1h 30m").
enum Durations {
    /// Longer than any sensible setting, and far below what a 64-bit nanosecond
    /// count can hold, so that consumers may convert without overflow checks.
    static let maximumSeconds: Double = 3650 * 86400

    /// Seconds, or nil when `text` is not a duration.
    static func seconds(_ text: String) -> Double? {
        let s = Array(text.utf8)
        var i = 0
        var total = 0.0
        var parts = 0
        func skipSpaces() { while i < s.count, s[i] == UInt8(ascii: " ") { i += 1 } }
        skipSpaces()
        while i < s.count {
            guard let (number, next) = decimal(s, from: i) else { return nil }
            i = next
            skipSpaces()
            guard let (unit, afterUnit) = unitSeconds(s, from: i) else { return nil }
            i = afterUnit
            total += number * unit
            parts += 1
            skipSpaces()
        }
        guard parts > 0, total.isFinite else { return nil }
        return total
    }

    /// The units, longest spelling first so that "ms" is not read as "m" + "s".
    private static let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]

    private static func unitSeconds(_ s: [UInt8], from i: Int) -> (Double, Int)? {
        for (name, seconds) in units {
            let u = Array(name.utf8)
            guard i + u.count <= s.count, Array(s[i..<i + u.count]) == u else { continue }
            // "2min" must not be read as "2m" followed by garbage "in" that fails later
            // with a confusing position: require the unit to end here.
            let end = i + u.count
            if end < s.count, isLetter(s[end]) { continue }
            return (seconds, end)
        }
        return nil
    }

    /// Human-readable form for summaries: "2s", "1h30m", "500ms".
    static func format(_ seconds: Double) -> String {
        if seconds > 0 && seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var rest = Int(seconds.rounded())
        if rest == 0 { return "0s" }
        var out = ""
        // Days only from two on: a window of one day is written "24h" in practice.
        let units = rest >= 2 * 86400 ? [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] : [("h", 3600), ("m", 60), ("s", 1)]
        for (name, size) in units where rest >= size {
            out += "\(rest / size)\(name)"
            rest %= size
        }
        return out
    }
}

/// Reads `digits[.digits]` at `i`; returns the value and the index after it.
func decimal(_ s: [UInt8], from start: Int) -> (Double, Int)? {
    var i = start
    var text = ""
    while i < s.count, isDigit(s[i]) { text.unicodeScalars.append(Unicode.Scalar(s[i])); i += 1 }
    guard !text.isEmpty else { return nil }
    if i < s.count, s[i] == UInt8(ascii: "."), i + 1 < s.count, isDigit(s[i + 1]) {
        text += "."
        i += 1
        while i < s.count, isDigit(s[i]) { text.unicodeScalars.append(Unicode.Scalar(s[i])); i += 1 }
    }
    guard let value = Double(text), value.isFinite else { return nil }
    return (value, i)
}

func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
