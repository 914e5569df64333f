extension ConfigBuilder {
    /// Unknown tables and keys are errors, with the nearest known name, so that a
    /// misspelt key cannot leave a default silently in force.
    mutating func checkSchema() {
        for e in document.root.entries {
            let message: String
            if let table = ConfigSchema.table(containing: e.key) {
                message = "is outside any table; put it under [\(table)]"
            } else {
                let all = ConfigSchema.qualifiedKeys
                if let near = Suggestions.closest(to: e.key, among: all.map(\.key)),
                   let table = ConfigSchema.table(containing: near) {
                    message = "unknown key outside any table; did you mean \(near) under [\(table)]?"
                } else {
                    message = "unknown key outside any table; keys go under [gateway], [intake], [rule], [trust] or [fanout]"
                }
            }
            problems.add(file, e.line, e.key, message)
        }
        for section in document.sections {
            guard let keys = ConfigSchema.keys(of: section.name) else {
                problems.add(file, section.line, "[\(section.name)]",
                             "unknown table (\(Suggestions.hint(for: section.name, among: ConfigSchema.tableNames)))")
                continue
            }
            for e in section.table.entries where !keys.contains(e.key) {
                let display = ConfigSchema.displayKey(table: section.name, key: e.key)
                if let home = ConfigSchema.table(containing: e.key) {
                    problems.add(file, e.line, display, "belongs in [\(home)], not [\(section.name)]")
                } else {
                    problems.add(file, e.line, display, "unknown key (\(Suggestions.hint(for: e.key, among: keys)))")
                }
            }
        }
    }
}
