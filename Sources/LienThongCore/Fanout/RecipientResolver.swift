/// Turns the recipients an outbound document names — unit ids and groups —
/// into the units that get it (SPEC §7). Groups: `departments`, `districts`,
/// `communes`, `communes-of-<district id>`, and those of `[fanout] groups`,
/// which may name each other. Pure: the registry and groups are arguments.
public struct RecipientResolver: Sendable {
    public static let builtInGroups = ["departments", "districts", "communes"]
    public static let communesOfPrefix = "communes-of-"

    public struct Resolution: Sendable, Equatable {
        /// Unit ids, in registry order, each once.
        public var units: [String]
        /// Names that are neither a unit nor a group: reported, never silently dropped.
        public var unknown: [String]
        public init(units: [String], unknown: [String]) {
            self.units = units
            self.unknown = unknown
        }
    }

    public let registry: Registry
    public let groups: [String: [String]]
    /// The issuing office never sends to itself.
    public let office: String

    public init(registry: Registry, groups: [String: [String]], office: String) {
        self.registry = registry
        self.groups = groups
        self.office = office
    }

    /// Whether `name` addresses a group (and so may be a folder under `office/outbox/`).
    public func isGroup(_ name: String) -> Bool {
        if Self.builtInGroups.contains(name) || groups[name] != nil { return true }
        if name.hasPrefix(Self.communesOfPrefix) {
            return registry[String(name.dropFirst(Self.communesOfPrefix.count))]?.level == .district
        }
        return false
    }

    /// The group folders the office's clerks can drop into: the built-in
    /// groups, one per district, and the configured ones.
    public var groupFolderNames: [String] {
        Self.builtInGroups
            + registry.units.filter { $0.level == .district }.map { Self.communesOfPrefix + $0.id }
            + groups.keys.sorted()
    }

    public func resolve(_ names: [String]) -> Resolution {
        var chosen: Set<String> = []
        var unknown: [String] = []
        var visiting: Set<String> = []
        func add(_ raw: String) {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { return }
            if let unit = registry[name] {
                if unit.id != office { chosen.insert(unit.id) }
                return
            }
            switch name {
            case "departments": addLevel(.department)
            case "districts": addLevel(.district)
            case "communes": addLevel(.commune)
            default:
                if let members = groups[name] {
                    // Config groups were checked for cycles at load; guard anyway.
                    guard visiting.insert(name).inserted else { return }
                    members.forEach(add)
                    visiting.remove(name)
                } else if name.hasPrefix(Self.communesOfPrefix),
                          let district = registry[String(name.dropFirst(Self.communesOfPrefix.count))], district.level == .district {
                    for u in registry.units where u.level == .commune && u.parent == district.id { chosen.insert(u.id) }
                } else if !unknown.contains(name) {
                    unknown.append(name)
                }
            }
        }
        func addLevel(_ level: UnitLevel) {
            for u in registry.units where u.level == level && u.id != office { chosen.insert(u.id) }
        }
        names.forEach(add)
        return Resolution(units: registry.ids.filter { chosen.contains($0) }, unknown: unknown)
    }
}
