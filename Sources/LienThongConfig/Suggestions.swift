/// "Did you mean …?" for unknown keys, tables, columns and levels. Typos must not
/// be silently ignored (a misspelt `settle` would leave the default in force with
/// no sign of it), and an error is most useful when it names the intended word.
enum Suggestions {
    /// The candidate closest to `word`, if it is close enough to be a plausible typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let target = Array(word.lowercased().unicodeScalars)
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(target, Array(candidate.lowercased().unicodeScalars))
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let (candidate, d) = best else { return nil }
        // One edit in four characters, at least one: "setle" → settle, "pairing" →
        // pairing_window (prefix, handled below), but not "x" → "spool".
        let allowed = max(1, max(target.count, candidate.unicodeScalars.count) / 4)
        if d <= allowed { return candidate }
        // A truncated or extended key ("pairing", "max_size") is a typo too.
        let lower = word.lowercased()
        if lower.count >= 4, let prefixed = candidates.first(where: { $0.hasPrefix(lower) || lower.hasPrefix($0) }) {
            return prefixed
        }
        return nil
    }

    /// The end of an "unknown" message: "did you mean "x"?" when one candidate is
    /// close, otherwise the full list, so the operator always sees what is allowed.
    static func hint(for word: String, among candidates: [String], quote: Bool = true) -> String {
        func q(_ s: String) -> String { quote ? "\"\(s)\"" : s }
        if let match = closest(to: word, among: candidates) { return "did you mean \(q(match))?" }
        return "known: " + candidates.map(q).joined(separator: ", ")
    }

    /// Levenshtein distance, with adjacent transpositions counted as one edit
    /// (the most common typo: "seltte").
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
