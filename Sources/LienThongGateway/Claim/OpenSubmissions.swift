/// The submissions still gathering, by id, with an index by unit. Each claim
/// looks for an open submission of its own unit to join; scanning the open
/// submissions of every unit for that is quadratic when thousands wait (10,000
/// scans waiting for their twins at start took 16% of the CPU in that scan,
/// measured with `make bench`). Used like the dictionary it replaces; one
/// table shared by the stages (claim opens, decide closes, control holds).
final class OpenSubmissions: Sequence {
    private var byID: [String: OpenSubmission] = [:]
    private var byUnit: [String: [String: OpenSubmission]] = [:]

    init() {}

    subscript(id: String) -> OpenSubmission? {
        get { byID[id] }
        set {
            if let old = byID[id] {
                byUnit[old.unit]?[id] = nil
                if byUnit[old.unit]?.isEmpty == true { byUnit[old.unit] = nil }
            }
            byID[id] = newValue
            if let new = newValue { byUnit[new.unit, default: [:]][id] = new }
        }
    }

    /// The open submissions of one unit (a submission's unit never changes).
    func inUnit(_ unit: String) -> Dictionary<String, OpenSubmission>.Values {
        (byUnit[unit] ?? [:]).values
    }

    var values: Dictionary<String, OpenSubmission>.Values { byID.values }
    var keys: Dictionary<String, OpenSubmission>.Keys { byID.keys }
    var count: Int { byID.count }
    var isEmpty: Bool { byID.isEmpty }

    @discardableResult
    func removeValue(forKey id: String) -> OpenSubmission? {
        let old = self[id]
        self[id] = nil
        return old
    }

    func makeIterator() -> Dictionary<String, OpenSubmission>.Iterator { byID.makeIterator() }
}
