/// The tables and keys of SPEC §8, in the order the summary and messages use.
/// Anything else in the file is an error, so that a typo cannot silently leave a
/// default in force.
enum ConfigSchema {
    static let tables: [(name: String, keys: [String])] = [
        ("gateway", ["office", "spool", "units", "language"]),
        ("intake", ["settle", "pairing_window", "max_file_size", "ignore"]),
        ("rule", ["citation", "effective", "electronic_only", "electronic_only_subjects"]),
        ("trust", ["anchors", "crls", "tsa", "max_clock_skew", "crl_urls", "revocation_grace"]),
        ("fanout", ["delivery_lifetime", "groups"]),
        ("receipts", ["shelve_after"]),
    ]

    static var tableNames: [String] { tables.map(\.name) }

    static func keys(of table: String) -> [String]? {
        tables.first { $0.name == table }?.keys
    }

    /// The table a key belongs to, for "settle belongs in [intake]".
    static func table(containing key: String) -> String? {
        tables.first { $0.keys.contains(key) }?.name
    }

    /// Every key as `[table] key`, for suggestions on keys written outside a table.
    static var qualifiedKeys: [(table: String, key: String)] {
        tables.flatMap { t in t.keys.map { (t.name, $0) } }
    }

    /// Recipient groups the daemon defines itself (SPEC §7); configured groups may
    /// use them as members but not take their names.
    static let builtInGroups = ["departments", "districts", "communes"]
    static let communesOfPrefix = "communes-of-"

    /// How a key is shown in messages: `[intake] settle`, `[intake]`, or `settle`
    /// for a key written before any table header.
    static func displayKey(table: String?, key: String?) -> String {
        switch (table, key) {
        case (nil, nil): ""
        case (nil, let key?): key
        case (let table?, nil): "[\(table)]"
        case (let table?, let key?): "[\(table)] \(key)"
        }
    }
}
