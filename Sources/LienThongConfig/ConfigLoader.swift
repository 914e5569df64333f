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
        let config = builder.build(text)
        guard builder.problems.isEmpty, let config else {
            let problems = builder.problems.isEmpty
                ? [ConfigError.Problem(file: path, line: nil, key: "", message: "could not be loaded (internal error: no problem was recorded); please report this")]
                : builder.problems.sorted()
            throw ConfigError(problems)
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
    var problems = ProblemList()
    var document = TOMLDocument()

    init(file: String, absolutePath: String) {
        self.file = file
        self.absolutePath = absolutePath
        self.baseFolder = Paths.directory(of: absolutePath)
    }

    /// The config, or nil when a required part is missing; `problems` says why.
    /// A non-nil result is only valid when `problems` is empty.
    mutating func build(_ text: String) -> GatewayConfig? {
        let (document, diagnostics) = TOMLParser.parse(text)
        self.document = document
        for d in diagnostics {
            problems.add(file, d.line, ConfigSchema.displayKey(table: d.table, key: d.key), d.message)
        }
        checkSchema()

        // [gateway]
        let office = officeID()
        let spool = path("gateway", "spool", required: Required(example: "\"/var/spool/lienthong\"", meaning: "the spool root that holds every mailbox"))
        var registry: Registry?
        let unitsPath = path("gateway", "units", default: "units.csv")
        if let unitsPath {
            // Named in messages relative to the config path as the operator typed it.
            let written = if case .string(let s)? = entry("gateway", "units")?.value.value { s } else { "units.csv" }
            do {
                registry = try UnitsCSV.load(path: unitsPath, displayName: Paths.display(written, referredFrom: file))
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
        readFanout(into: &config.fanout, registry: registry)
        if let v = duration("receipts", "shelve_after", allowZero: true) { config.receipts.shelveAfter = v }

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
        readElectronicOnly(into: &rule.electronicOnly)
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
        if let v = duration("trust", "revocation_grace", allowZero: true) { trust.revocationGrace = v }
        if let urls = crlURLs() { trust.crlURLs = urls }
    }

    /// `[trust] crl_urls`: http or https URLs only (fetch-crls speaks nothing else).
    private mutating func crlURLs() -> [String]? {
        guard let e = entry("trust", "crl_urls") else { return nil }
        guard case .array(let items) = e.value.value else {
            typeMismatch(e, table: "trust", expected: "an array of URLs, e.g. [\"http://crl.example.vn/ca.crl\"]")
            return nil
        }
        var urls: [String] = []
        for item in items {
            guard case .string(let url) = item.value else {
                problems.add(file, item.line, "[trust] crl_urls", "expected URLs in quotes, found \(item.value.kindName)")
                continue
            }
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count <= 2048 else {
                problems.add(file, item.line, "[trust] crl_urls", "\"\(url.prefix(80))\" is not an http:// or https:// URL; write the full URL of a CRL")
                continue
            }
            urls.append(url)
        }
        return urls
    }

    private mutating func readFanout(into fanout: inout GatewayConfig.Fanout, registry: Registry?) {
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
}
