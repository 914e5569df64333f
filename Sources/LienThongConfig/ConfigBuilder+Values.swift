import LienThongCore

/// Typed access to the parsed document: each accessor returns the value when it
/// is present and right, reports a located problem when it is wrong, and returns
/// nil (so the default stays) when it is absent.
extension ConfigBuilder {
    /// The entry for `[table] key`, if written (and the table is one we know).
    func entry(_ table: String, _ key: String) -> TOMLTable.Entry? {
        document.section(table)?.table[key]
    }

    /// What to tell an operator about a required key they left out.
    struct Required {
        var example: String
        var meaning: String
    }

    /// Reports a required key that is absent, unless its line had a syntax error
    /// (already reported: a second "missing" would only confuse).
    mutating func reportMissing(_ table: String, _ key: String, _ required: Required) {
        let display = ConfigSchema.displayKey(table: table, key: key)
        let line = "\(key) = \(required.example)"
        if let section = document.section(table) {
            guard !section.table.brokenKeys.contains(key) else { return }
            problems.add(file, section.line, display, "missing; add \(line) under [\(table)] (\(required.meaning))")
        } else {
            problems.add(file, nil, display, "missing; add a [\(table)] table with \(line) (\(required.meaning))")
        }
    }

    mutating func typeMismatch(_ e: TOMLTable.Entry, table: String, expected: String) {
        problems.add(file, e.value.line, ConfigSchema.displayKey(table: table, key: e.key),
                     "expected \(expected), found \(e.value.value.kindName)")
    }

    mutating func string(_ table: String, _ key: String, required: Required? = nil) -> (String, Int)? {
        guard let e = entry(table, key) else {
            if let required { reportMissing(table, key, required) }
            return nil
        }
        guard case .string(let s) = e.value.value else {
            typeMismatch(e, table: table, expected: "a string in quotes")
            return nil
        }
        return (s, e.value.line)
    }

    /// A file or folder path, made absolute against the config file's folder.
    mutating func path(_ table: String, _ key: String, required: Required? = nil, default fallback: String? = nil) -> String? {
        guard let (written, line) = string(table, key, required: required) else {
            if entry(table, key) == nil, !isBroken(table, key), let fallback {
                return Paths.absolute(fallback, base: baseFolder)
            }
            return nil
        }
        guard !written.isEmpty else {
            problems.add(file, line, ConfigSchema.displayKey(table: table, key: key), "is empty; write a path (relative paths start from the folder of this file)")
            return nil
        }
        guard !written.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            problems.add(file, line, ConfigSchema.displayKey(table: table, key: key), "contains a control character; is an escape such as \\t or \\n in a Windows-style path? Use / or '...' quotes")
            return nil
        }
        return Paths.absolute(written, base: baseFolder)
    }

    func isBroken(_ table: String, _ key: String) -> Bool {
        document.section(table)?.table.brokenKeys.contains(key) ?? false
    }

    mutating func duration(_ table: String, _ key: String, allowZero: Bool) -> Double? {
        guard let e = entry(table, key) else { return nil }
        let display = ConfigSchema.displayKey(table: table, key: key)
        let units = "use ms, s, m, h or d, e.g. \"2s\""
        switch e.value.value {
        case .string(let text):
            guard let seconds = Durations.seconds(text) else {
                problems.add(file, e.value.line, display, "\"\(text)\" is not a duration (\(units))")
                return nil
            }
            if seconds == 0 && !allowZero {
                problems.add(file, e.value.line, display, "must be longer than zero")
                return nil
            }
            if seconds > Durations.maximumSeconds {
                problems.add(file, e.value.line, display, "\"\(text)\" is longer than ten years; is a unit wrong?")
                return nil
            }
            return seconds
        case .integer(let n):
            problems.add(file, e.value.line, display, "\(n) has no unit; write it in quotes with one of ms, s, m, h or d, e.g. \"\(n)s\" or \"\(n)h\"")
            return nil
        default:
            typeMismatch(e, table: table, expected: "a duration in quotes (\(units))")
            return nil
        }
    }

    mutating func size(_ table: String, _ key: String) -> Int64? {
        guard let e = entry(table, key) else { return nil }
        let display = ConfigSchema.displayKey(table: table, key: key)
        let units = "use B, KiB, MiB, GiB, KB, MB or GB, e.g. \"200MiB\""
        let bytes: Int64
        switch e.value.value {
        case .string(let text):
            guard let b = ByteSizes.bytes(text) else {
                problems.add(file, e.value.line, display, "\"\(text)\" is not a size (\(units))")
                return nil
            }
            bytes = b
        case .integer(let n):
            bytes = n
        default:
            typeMismatch(e, table: table, expected: "a size in quotes (\(units))")
            return nil
        }
        // A limit of a few bytes refuses every document; it is surely a missing unit.
        guard bytes >= 1024 else {
            problems.add(file, e.value.line, display, "\(bytes) bytes is too small to hold any document; write a unit, e.g. \"200MiB\"")
            return nil
        }
        return bytes
    }
}
