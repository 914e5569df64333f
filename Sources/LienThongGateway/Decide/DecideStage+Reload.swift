import Foundation

extension DecideStage {
    /// After a reload every undecided submission is judged again at once: a
    /// changed electronic-only list or registry may decide one that was
    /// waiting for its scan (SPEC §8: reload applies to submissions not yet
    /// decided). Held ones stay held.
    func reconsiderOpen(now: Date) {
        for sub in open.values where !sub.held { sub.wakeAt = now }
    }
}
