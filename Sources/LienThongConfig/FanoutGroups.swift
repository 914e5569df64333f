import LienThongCore

/// Checks `[fanout] groups = { name = ["unit id", "districts", ...] }`: the extra
/// recipient groups of SPEC §7. A group's name becomes a folder under
/// `office/outbox/`, and its members are unit ids or other groups, so both are
/// checked against the registry: a wrong id here would make a fan-out silently
/// miss a recipient, which is the one failure the office cannot see.
struct GroupChecker {
    let file: String
    /// Nil when units.csv could not be read; member ids are then only checked for form.
    let registry: Registry?
    private(set) var problems = ProblemList()

    init(file: String, registry: Registry?) {
        self.file = file
        self.registry = registry
    }

    mutating func check(_ table: TOMLTable) -> [String: [String]] {
        let names = Set(table.entries.map(\.key))
        var groups: [String: [String]] = [:]
        var lines: [String: Int] = [:]
        for e in table.entries {
            let key = "[fanout] groups.\(e.key)"
            guard checkName(e.key, line: e.line, key: key) else { continue }
            guard case .array(let items) = e.value.value else {
                problems.add(file, e.value.line, key, "expected an array of unit ids and groups, e.g. [\"000.00.22.H41\", \"districts\"], found \(e.value.value.kindName)")
                continue
            }
            if items.isEmpty {
                problems.add(file, e.value.line, key, "has no members; list unit ids or groups, or remove the group")
                continue
            }
            var members: [String] = []
            for item in items {
                guard case .string(let member) = item.value else {
                    problems.add(file, item.line, key, "expected unit ids and groups in quotes, found \(item.value.kindName)")
                    continue
                }
                guard !members.contains(member) else {
                    problems.add(file, item.line, key, "\"\(member)\" is listed twice; keep one")
                    continue
                }
                if checkMember(member, line: item.line, key: key, groupNames: names) { members.append(member) }
            }
            groups[e.key] = members
            lines[e.key] = e.line
        }
        reportCycles(groups, lines: lines)
        return groups
    }

    /// Names become folder names and must not shadow SPEC §7's own groups or a unit.
    private mutating func checkName(_ name: String, line: Int, key: String) -> Bool {
        if !Unit.isValidID(name) {
            problems.add(file, line, key, "\"\(name)\" cannot be a group name: it becomes a folder under office/outbox/, so use 1 to 64 letters, digits, \".\", \"_\" or \"-\"")
            return false
        }
        if ConfigSchema.builtInGroups.contains(name) || name.hasPrefix(ConfigSchema.communesOfPrefix) {
            problems.add(file, line, key, "\"\(name)\" is a group the gateway defines itself; choose another name")
            return false
        }
        if let unit = registry?[name] {
            problems.add(file, line, key, "\"\(name)\" is the id of \(unit.name); a group needs a name of its own so recipients stay unambiguous")
            return false
        }
        return true
    }

    private mutating func checkMember(_ member: String, line: Int, key: String, groupNames: Set<String>) -> Bool {
        if groupNames.contains(member) || ConfigSchema.builtInGroups.contains(member) { return true }
        if member.hasPrefix(ConfigSchema.communesOfPrefix) {
            let district = String(member.dropFirst(ConfigSchema.communesOfPrefix.count))
            guard let registry else { return Unit.isValidID(district) }
            guard let unit = registry[district], unit.level == .district else {
                problems.add(file, line, key, "\"\(member)\": \"\(district)\" is not a district in units.csv")
                return false
            }
            return true
        }
        guard Unit.isValidID(member) else {
            problems.add(file, line, key, "\"\(member)\" is neither a unit id nor a group")
            return false
        }
        guard let registry else { return true }
        guard registry[member] != nil else {
            let known = ConfigSchema.builtInGroups + groupNames.sorted()
            let hint = Suggestions.closest(to: member, among: registry.ids + known).map { "; did you mean \"\($0)\"?" }
                ?? "; groups are departments, districts, communes, communes-of-<district id> or one defined here"
            problems.add(file, line, key, "\"\(member)\" is not a unit in units.csv nor a group\(hint)")
            return false
        }
        return true
    }

    /// A group that contains itself, directly or through others, has no end.
    private mutating func reportCycles(_ groups: [String: [String]], lines: [String: Int]) {
        var done: Set<String> = []
        var reported: Set<String> = []
        func visit(_ name: String, path: [String]) -> [String]? {
            if let start = path.firstIndex(of: name) { return Array(path[start...]) + [name] }
            if done.contains(name) { return nil }
            for member in groups[name] ?? [] where groups[member] != nil {
                if let cycle = visit(member, path: path + [name]) { return cycle }
            }
            done.insert(name)
            return nil
        }
        for name in groups.keys.sorted() where !done.contains(name) {
            guard let cycle = visit(name, path: []), let first = cycle.first, !reported.contains(first) else { continue }
            reported.formUnion(cycle)
            let line = lines[first]
            problems.add(file, line, "[fanout] groups.\(first)", "groups contain each other in a circle (\(cycle.joined(separator: " → "))); remove one of the links")
            for member in cycle { done.insert(member) }
        }
    }
}
