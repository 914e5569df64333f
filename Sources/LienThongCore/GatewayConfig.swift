/// A calendar date without time zone (TOML local date), e.g. 2018-07-01.
public struct CivilDate: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int, month: Int, day: Int
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
    public var description: String {
        func pad(_ n: Int, _ w: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

public enum ReceiptLanguage: String, Codable, Sendable, CaseIterable { case vi, en }

/// The whole configuration of SPEC §8, parsed and checked. Paths are absolute
/// (relative ones in the file are resolved against the config file's folder).
public struct GatewayConfig: Sendable, Equatable {
    public struct Intake: Sendable, Equatable {
        /// Seconds with no event and no size change before a file counts as complete.
        public var settle: Double = 2
        public var pairingWindow: Double = 24 * 3600
        public var maxFileSize: Int64 = 200 * 1024 * 1024
        public var ignore: [String] = ["~$*", "*.tmp", "*.part", ".~lock.*#", "Thumbs.db", "desktop.ini"]
        public init() {}
    }
    public struct Rule: Sendable, Equatable {
        public var citation = "Công văn số 4116/UBND-CN ngày 12/6/2018 của UBND tỉnh Nghệ An"
        public var effective: [UnitLevel: CivilDate] = [
            .province: CivilDate(year: 2018, month: 7, day: 1),
            .department: CivilDate(year: 2018, month: 7, day: 1),
            .district: CivilDate(year: 2018, month: 7, day: 1),
            .commune: CivilDate(year: 2018, month: 9, day: 1),
        ]
        /// `electronic_only` and `electronic_only_subjects`.
        public var electronicOnly = ElectronicOnlyList.congVan4116
        public init() {}
    }
    public struct Trust: Sendable, Equatable {
        public var anchors: String = ""
        public var crls: String = ""
        public var tsa: String = ""
        public var maxClockSkew: Double = 300
        /// Extra CRL URLs (mirrors) `lienthongctl fetch-crls` fetches besides the anchors' CDPs.
        public var crlURLs: [String] = []
        /// Seconds after the signing time a CRL must be issued to count (0: any current CRL).
        public var revocationGrace: Double = 0
        public init() {}
    }
    public struct Fanout: Sendable, Equatable {
        public var deliveryLifetime: Double = 5 * 86400
        /// Extra recipient groups named in the config: group name → unit ids or groups.
        public var groups: [String: [String]] = [:]
        public init() {}
    }

    public struct Receipts: Sendable, Equatable {
        /// Receipts older than this move from `receipts/` into
        /// `receipts/YYYY/MM/`, so the folder a clerk opens stays short.
        /// 0 keeps them where they are.
        public var shelveAfter: Double = 30 * 86400
        public init() {}
    }

    /// The config file this was read from (absolute).
    public var sourcePath: String
    public var office: String
    public var spool: String
    public var unitsPath: String
    public var language: ReceiptLanguage = .vi
    public var intake = Intake()
    public var rule = Rule()
    public var trust = Trust()
    public var fanout = Fanout()
    public var receipts = Receipts()
    public var registry: Registry

    public init(sourcePath: String, office: String, spool: String, unitsPath: String, registry: Registry) {
        self.sourcePath = sourcePath
        self.office = office
        self.spool = spool
        self.unitsPath = unitsPath
        self.registry = registry
    }
}
