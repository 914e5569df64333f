/// Sizes such as `max_file_size = "200MiB"`: a number and a unit, B, KiB, MiB, GiB
/// (powers of 1024) or KB, MB, GB (powers of 1000). Units are case-insensitive
/// because "200mb" can only mean one thing here (nothing in the config counts bits).
enum ByteSizes {
    /// Bytes, or nil when `text` is not a size.
    static func bytes(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        var i = 0
        while i < s.count, s[i] == UInt8(ascii: " ") { i += 1 }
        guard let (number, afterNumber) = decimal(s, from: i) else { return nil }
        i = afterNumber
        while i < s.count, s[i] == UInt8(ascii: " ") { i += 1 }
        var unitEnd = s.count
        while unitEnd > i, s[unitEnd - 1] == UInt8(ascii: " ") { unitEnd -= 1 }
        let unit = String(decoding: s[i..<unitEnd], as: UTF8.self).lowercased()
        // A bare number counts bytes, like the TOML integer form.
        guard let multiplier = unit.isEmpty ? 1 : multipliers[unit] else { return nil }
        let value = (number * multiplier).rounded(.down)
        guard value < 0x1p63 else { return nil }
        return Int64(value)
    }

    private static let multipliers: [String: Double] = [
        "b": 1,
        "kib": 1024, "mib": 1024 * 1024, "gib": 1024 * 1024 * 1024,
        "kb": 1000, "mb": 1000 * 1000, "gb": 1000 * 1000 * 1000,
    ]

    /// Human-readable form for summaries: the largest binary unit that divides
    /// the size exactly, so "200MiB" comes back as written.
    static func format(_ bytes: Int64) -> String {
        for (name, size) in [("GiB", Int64(1) << 30), ("MiB", Int64(1) << 20), ("KiB", Int64(1) << 10)]
        where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(name)"
        }
        return "\(bytes)B"
    }
}
