/// The levels of SPEC §8 `units.csv`. The rule's effective date depends on it.
public enum UnitLevel: String, Codable, CaseIterable, Sendable {
    case province, department, district, commune
}

/// One row of `units.csv`: a unit that may drop documents and receive fan-outs.
public struct Unit: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var level: UnitLevel
    /// For communes: the id of their district. Empty otherwise.
    public var parent: String
    /// Optional text that a valid signer certificate's subject must contain.
    public var signer: String
    /// First and last day of the unit's life (SPEC §8), both included; nil is open-ended.
    public var activeFrom: CivilDate?
    public var activeTo: CivilDate?
    /// The unit that took over when this one ended (merged, dissolved); "" when none.
    public var successor: String

    public init(
        id: String, name: String, level: UnitLevel, parent: String = "", signer: String = "",
        activeFrom: CivilDate? = nil, activeTo: CivilDate? = nil, successor: String = ""
    ) {
        self.id = id
        self.name = name
        self.level = level
        self.parent = parent
        self.signer = signer
        self.activeFrom = activeFrom
        self.activeTo = activeTo
        self.successor = successor
    }

    /// SPEC §8: active on day D when active_from ≤ D ≤ active_to.
    public func isActive(on day: CivilDate) -> Bool {
        if let from = activeFrom, day < from { return false }
        if let to = activeTo, to < day { return false }
        return true
    }

    /// Whether the unit was active on any day from `first` to `last` (both included).
    public func isActive(from first: CivilDate, to last: CivilDate) -> Bool {
        if let from = activeFrom, last < from { return false }
        if let to = activeTo, to < first { return false }
        return true
    }

    /// `[A-Za-z0-9._-]{1,64}` and not `.`/`..` (SPEC §2): ids become folder names.
    public static func isValidID(_ id: String) -> Bool {
        guard (1...64).contains(id.utf8.count), id != ".", id != ".." else { return false }
        return id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2E || b == 0x5F || b == 0x2D
        }
    }
}

/// All units, in file order, with lookup by id.
public struct Registry: Sendable, Equatable {
    public private(set) var units: [Unit]
    private var index: [String: Int]

    public init(units: [Unit]) {
        self.units = units
        var index: [String: Int] = [:]
        for (i, u) in units.enumerated() where index[u.id] == nil { index[u.id] = i }
        self.index = index
    }

    public subscript(id: String) -> Unit? { index[id].map { units[$0] } }
    public var ids: [String] { units.map(\.id) }

    /// The unit that carries on `unit`'s work on `day`: its successor, or the
    /// successor's successor when that one ended too (a commune merged in 2020
    /// whose new commune merged again in 2025). nil when the chain ends in no
    /// active unit; a cycle (refused by check-config) also ends it.
    public func activeSuccessor(of unit: Unit, on day: CivilDate) -> Unit? {
        var seen: Set<String> = [unit.id]
        var next = self[unit.successor]
        while let candidate = next, seen.insert(candidate.id).inserted {
            if candidate.isActive(on: day) { return candidate }
            next = self[candidate.successor]
        }
        return nil
    }
}
