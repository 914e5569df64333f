import LienThongCore

/// Reads `lienthong.toml` (SPEC §8) and the `units.csv` it names into a checked
/// `GatewayConfig`, or fails with every problem found, each naming file, line and key.
///
/// Used at start and on reload: a config that fails here is never half-applied,
/// so the caller keeps the old one running.
public enum ConfigLoader {
    /// The path the daemon and `lienthongctl` use when none is given.
    public static let defaultPath = "/etc/lienthong/lienthong.toml"

    /// Loads and checks the config at `path` (relative paths are taken from the
    /// current directory). Messages name the file as `path` spells it.
    public static func load(path: String) throws(ConfigError) -> GatewayConfig {
        guard let cwd = Paths.currentDirectory() else {
            throw ConfigError(file: path, line: nil, key: "", message: "cannot determine the current folder: \(errnoText())")
        }
        let absolutePath = Paths.absolute(path, base: cwd)
        let text: String
        switch TextFile.text(at: absolutePath) {
        case .success(let t): text = t
        case .failure(let failure):
            throw ConfigError(file: path, line: failure.line, key: "", message: failure.message)
        }
        var builder = ConfigBuilder(file: path, absolutePath: absolutePath)
        let config = builder.build(text) { unitsPath, displayName throws(ConfigError) in
            try UnitsCSV.load(path: unitsPath, displayName: displayName)
        }
        guard let config, builder.problems.isEmpty else {
            throw ConfigError(builder.problems.sorted())
        }
        return config
    }

    /// Checks config text that is already in memory, with units.csv read through
    /// `loadUnits`. For tests and for callers that read the file themselves.
    static func parse(
        _ text: String, file: String, absolutePath: String,
        loadUnits: (_ path: String, _ displayName: String) throws(ConfigError) -> Registry
    ) throws(ConfigError) -> GatewayConfig {
        var builder = ConfigBuilder(file: file, absolutePath: absolutePath)
        let config = builder.build(text, loadUnits: loadUnits)
        guard let config, builder.problems.isEmpty else {
            throw ConfigError(builder.problems.sorted())
        }
        return config
    }
}

/// One pass over one config file: parses it, checks it against the schema, reads
/// each key into the config, and collects every problem on the way.
struct ConfigBuilder {
    let file: String
    let absolutePath: String
    /// Relative paths in the file are relative to the file's own folder, so the
    /// same config works whatever the daemon's working directory is.
    let baseFolder: String
    private(set) var problems = ProblemList()
    private var document = TOMLDocument()

    init(file: String, absolutePath: String) {
        self.file = file
        self.absolutePath = absolutePath
        self.baseFolder = Paths.directory(of: absolutePath)
    }

    /// The config, or nil when a required part is missing; `problems` says why.
    /// A non-nil result is only valid when `problems` is empty.
    mutating func build(
        _ text: String,
        loadUnits: (_ path: String, _ displayName: String) throws(ConfigError) -> Registry
    ) -> GatewayConfig? {
        let (document, diagnostics) = TOMLParser.parse(text)
        self.document = document
        for d in diagnostics {
            problems.add(file, d.line, ConfigSchema.displayKey(table: d.table, key: d.key), d.message)
        }
        checkSchema()

        // [gateway]
        let office = officeID()
        let spool = path("gateway", "spool", required: Required(example: "\"/var/spool/lienthong\"", meaning: "the spool root that holds every mailbox"))
        let unitsEntry = entry("gateway", "units")
        let unitsPath = path("gateway", "units", default: "units.csv")
        var registry: Registry?
        if let unitsPath {
            let written = unitsEntry.flatMap { if case .string(let s) = $0.value.value { s } else { nil } } ?? "units.csv"
            do {
                registry = try loadUnits(unitsPath, Paths.display(written, referredFrom: file))
            } catch {
                problems.append(contentsOf: error.problems)
            }
        }
        if let office, let registry { checkOfficeIsRegistered(office, registry) }

        var config = GatewayConfig(
            sourcePath: absolutePath, office: office ?? "", spool: spool ?? "",
            unitsPath: unitsPath ?? "", registry: registry ?? Registry(units: []))
        if let language = language() { config.language = language }

        readIntake(into: &config.intake)
        readRule(into: &config.rule)
        readTrust(into: &config.trust)
        readFanout(into: &config.fanout, office: office, registry: registry)

        guard office != nil, spool != nil, registry != nil else { return nil }
        return config
    }

    // MARK: - Tables

    private mutating func readIntake(into intake: inout GatewayConfig.Intake) {
        if let v = duration("intake", "settle", allowZero: false) { intake.settle = v }
        if let v = duration("intake", "pairing_window", allowZero: false) { intake.pairingWindow = v }
        if let v = size("intake", "max_file_size") { intake.maxFileSize = v }
        if let v = ignorePatterns() { intake.ignore = v }
        // A pairing window shorter than the settle time would expire submissions
        // before their files are even complete.
        if intake.pairingWindow <= intake.settle, let e = entry("intake", "pairing_window") ?? entry("intake", "settle") {
            problems.add(file, e.line, ConfigSchema.displayKey(table: "intake", key: e.key),
                         "pairing_window (\(Durations.format(intake.pairingWindow))) must be longer than settle (\(Durations.format(intake.settle)))")
        }
    }

    private mutating func readRule(into rule: inout GatewayConfig.Rule) {
        if let (citation, line) = string("rule", "citation") {
            if citation.allSatisfy(\.isWhitespace) {
                problems.add(file, line, "[rule] citation", "is empty; receipts quote it as the reason for the rule, so write the document that sets it")
            } else {
                rule.citation = citation
            }
        }
        guard let e = entry("rule", "effective") else { return }
        guard case .table(let table) = e.value.value else {
            typeMismatch(e, table: "rule", expected: "an inline table of dates, e.g. { province = 2018-07-01, commune = 2018-09-01 }")
            return
        }
        let levels = UnitLevel.allCases.map(\.rawValue)
        // Levels not written keep their default (SPEC §1 dates): writing only
        // `commune = ...` should not silently drop the rule for everyone else.
        for item in table.entries {
            let key = "[rule] effective.\(item.key)"
            guard let level = UnitLevel(rawValue: item.key) else {
                problems.add(file, item.line, key, "\"\(item.key)\" is not a level (\(Suggestions.hint(for: item.key, among: levels))); use province, department, district or commune")
                continue
            }
            guard case .date(let date) = item.value.value else {
                problems.add(file, item.value.line, key, "expected a date without quotes, e.g. 2018-07-01, found \(item.value.value.kindName)")
                continue
            }
            rule.effective[level] = date
        }
    }

    private mutating func readTrust(into trust: inout GatewayConfig.Trust) {
        // The defaults are SPEC §8's example layout beside the config file, so that
        // the paths are always absolute and the signature module never has to guess.
        if let p = path("trust", "anchors", default: "trust/anchors") { trust.anchors = p }
        if let p = path("trust", "crls", default: "trust/crls") { trust.crls = p }
        if let p = path("trust", "tsa", default: "trust/tsa") { trust.tsa = p }
        if let v = duration("trust", "max_clock_skew", allowZero: true) { trust.maxClockSkew = v }
    }

    private mutating func readFanout(into fanout: inout GatewayConfig.Fanout, office: String?, registry: Registry?) {
        if let v = duration("fanout", "delivery_lifetime", allowZero: false) { fanout.deliveryLifetime = v }
        guard let e = entry("fanout", "groups") else { return }
        guard case .table(let table) = e.value.value else {
            typeMismatch(e, table: "fanout", expected: "an inline table, e.g. { economy = [\"000.00.22.H41\", \"000.00.23.H41\"] }")
            return
        }
        var groups = GroupChecker(file: file, registry: registry)
        fanout.groups = groups.check(table)
        problems.append(contentsOf: groups.problems.problems)
    }

    // MARK: - [gateway] keys

    private mutating func officeID() -> String? {
        guard let (id, line) = string("gateway", "office", required: Required(example: "\"000.00.00.H41\"", meaning: "the unit id of the office this gateway serves")) else { return nil }
        guard Unit.isValidID(id) else {
            problems.add(file, line, "[gateway] office", "\"\(id)\" is not a valid unit id; use the office's organ code (1 to 64 letters, digits, \".\", \"_\" or \"-\"), e.g. \"000.00.00.H41\"")
            return nil
        }
        return id
    }

    private mutating func checkOfficeIsRegistered(_ office: String, _ registry: Registry) {
        guard registry[office] == nil, let e = entry("gateway", "office") else { return }
        problems.add(file, e.value.line, "[gateway] office", "\"\(office)\" is not in units.csv; add a row for the office there (level province for the provincial office)")
    }

    private mutating func language() -> ReceiptLanguage? {
        guard let (text, line) = string("gateway", "language") else { return nil }
        guard let language = ReceiptLanguage(rawValue: text) else {
            problems.add(file, line, "[gateway] language", "\"\(text)\" is not a receipt language; use \"vi\" (Vietnamese, the default) or \"en\"")
            return nil
        }
        return language
    }

    private mutating func ignorePatterns() -> [String]? {
        guard let e = entry("intake", "ignore") else { return nil }
        guard case .array(let items) = e.value.value else {
            typeMismatch(e, table: "intake", expected: "an array of file-name patterns, e.g. [\"*.tmp\", \"Thumbs.db\"]")
            return nil
        }
        var patterns: [String] = []
        var ok = true
        for item in items {
            guard case .string(let pattern) = item.value else {
                problems.add(file, item.line, "[intake] ignore", "expected patterns in quotes, found \(item.value.kindName)")
                ok = false
                continue
            }
            if pattern.isEmpty {
                problems.add(file, item.line, "[intake] ignore", "an empty pattern matches nothing; remove it")
                ok = false
            } else if pattern.contains("/") {
                problems.add(file, item.line, "[intake] ignore", "\"\(pattern)\": patterns match file names, never folders, so \"/\" can never match; write the name only")
                ok = false
            } else {
                patterns.append(pattern)
            }
        }
        return ok ? patterns : nil
    }

    // MARK: - Typed access

    /// The entry for `[table] key`, if written (and the table is one we know).
    private func entry(_ table: String, _ key: String) -> TOMLTable.Entry? {
        document.section(table)?.table[key]
    }

    /// What to tell an operator about a required key they left out.
    struct Required {
        var example: String
        var meaning: String
    }

    /// Reports a required key that is absent, unless its line had a syntax error
    /// (already reported: a second "missing" would only confuse).
    private mutating func reportMissing(_ table: String, _ key: String, _ required: Required) {
        let display = ConfigSchema.displayKey(table: table, key: key)
        let line = "\(key) = \(required.example)"
        if let section = document.section(table) {
            guard !section.table.brokenKeys.contains(key) else { return }
            problems.add(file, section.line, display, "missing; add \(line) under [\(table)] (\(required.meaning))")
        } else {
            problems.add(file, nil, display, "missing; add a [\(table)] table with \(line) (\(required.meaning))")
        }
    }

    private mutating func typeMismatch(_ e: TOMLTable.Entry, table: String, expected: String) {
        problems.add(file, e.value.line, ConfigSchema.displayKey(table: table, key: e.key),
                     "expected \(expected), found \(e.value.value.kindName)")
    }

    private mutating func string(_ table: String, _ key: String, required: Required? = nil) -> (String, Int)? {
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
    private mutating func path(_ table: String, _ key: String, required: Required? = nil, default fallback: String? = nil) -> String? {
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

    private func isBroken(_ table: String, _ key: String) -> Bool {
        document.section(table)?.table.brokenKeys.contains(key) ?? false
    }

    private mutating func duration(_ table: String, _ key: String, allowZero: Bool) -> Double? {
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
            problems.add(file, e.value.line, display, "\(n) has no unit; write durations in quotes with a unit, e.g. \"\(n)s\" (\(units))")
            return nil
        default:
            typeMismatch(e, table: table, expected: "a duration in quotes (\(units))")
            return nil
        }
    }

    private mutating func size(_ table: String, _ key: String) -> Int64? {
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

    // MARK: - Schema

    /// Unknown tables and keys are errors, with the nearest known name, so that a
    /// misspelt key cannot leave a default silently in force.
    private mutating func checkSchema() {
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
