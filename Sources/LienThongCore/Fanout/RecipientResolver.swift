/// Turns the recipients an outbound document names — unit ids and groups —
/// into the units that get it (SPEC §7). Groups: `departments`, `districts`,
/// `communes`, `communes-of-<district id>`, and those of `[fanout] groups`,
/// which may name each other. Groups resolve to the units active on the
/// decision day (SPEC §8). Pure: the registry, groups and day are arguments.
public struct RecipientResolver: Sendable {
    public static let builtInGroups = ["departments", "districts", "communes"]
    public static let communesOfPrefix = "communes-of-"

    public struct Resolution: Sendable, Equatable {
        /// Unit ids, in registry order, each once.
        public var units: [String]
        /// Names that are neither a unit nor a group: reported, never silently dropped.
        public var unknown: [String]
        /// Groups named that had no active unit on the day (`districts` after
        /// 1 July 2025): reported, never silently empty.
        public var emptyGroups: [String]
        /// Units named by id that were not active on the day: not delivered to, reported.
        public var inactive: [String]
        public init(units: [String], unknown: [String], emptyGroups: [String] = [], inactive: [String] = []) {
            self.units = units
            self.unknown = unknown
            self.emptyGroups = emptyGroups
            self.inactive = inactive
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
    /// groups, one per district (dissolved ones too: their folder still
    /// exists, and a drop there is answered, naming the empty group), and the
    /// configured ones.
    public var groupFolderNames: [String] {
        Self.builtInGroups
            + registry.units.filter { $0.level == .district }.map { Self.communesOfPrefix + $0.id }
            + groups.keys.sorted()
    }

    /// Resolves `names` as of `day`; with no day every unit counts as active.
    public func resolve(_ names: [String], on day: CivilDate? = nil) -> Resolution {
        var chosen: Set<String> = []
        var result = Resolution(units: [], unknown: [])
        for raw in names {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty { continue }
            if let unit = registry[name] {
                if let day, !unit.isActive(on: day) {
                    if !result.inactive.contains(name) { result.inactive.append(name) }
                } else if unit.id != office {
                    chosen.insert(unit.id)
                }
                continue
            }
            var visiting: Set<String> = []
            guard let members = members(of: name, on: day, visiting: &visiting) else {
                if !result.unknown.contains(name) { result.unknown.append(name) }
                continue
            }
            if members.isEmpty && !result.emptyGroups.contains(name) { result.emptyGroups.append(name) }
            chosen.formUnion(members)
        }
        result.units = registry.ids.filter { chosen.contains($0) }
        return result
    }

    /// The active units of group `name`, or nil when `name` is not a group.
    /// Units named inside a config group that are not active are left out.
    private func members(of name: String, on day: CivilDate?, visiting: inout Set<String>) -> Set<String>? {
        func active(_ u: Unit) -> Bool { u.id != office && (day.map(u.isActive(on:)) ?? true) }
        switch name {
        case "departments": return Set(registry.units.filter { $0.level == .department && active($0) }.map(\.id))
        case "districts": return Set(registry.units.filter { $0.level == .district && active($0) }.map(\.id))
        case "communes": return Set(registry.units.filter { $0.level == .commune && active($0) }.map(\.id))
        default: break
        }
        if let list = groups[name] {
            // Config groups were checked for cycles at load; guard anyway.
            guard visiting.insert(name).inserted else { return [] }
            defer { visiting.remove(name) }
            var found: Set<String> = []
            for member in list.map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if let unit = registry[member] {
                    if active(unit) { found.insert(unit.id) }
                } else if let more = members(of: member, on: day, visiting: &visiting) {
                    found.formUnion(more)
                }
            }
            return found
        }
        if name.hasPrefix(Self.communesOfPrefix),
           let district = registry[String(name.dropFirst(Self.communesOfPrefix.count))], district.level == .district {
            return Set(registry.units.filter { $0.level == .commune && $0.parent == district.id && active($0) }.map(\.id))
        }
        return nil
    }
}
