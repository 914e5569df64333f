import Foundation
import Testing
@testable import LienThongWatch

/// A backlog (100,000 files waiting at start) is handed out in bounded
/// portions, and the per-folder index of pending names stays exact.
@Suite("SettleTracker: large backlogs")
struct SettleTrackerBacklogTests {
    static let t0 = Date(timeIntervalSince1970: 1_709_280_000)

    @Test func aLimitHandsOutPortionsEachEntryOnce() throws {
        try Scratch.withDir("limit") { root in
            let t = SettleTracker(settle: 2)
            t.register(root: root)
            for i in 0..<25 {
                try Scratch.write(root + "/\(i).pdf", "x")
                t.noteActivity(SettleTracker.Entry(root: root, name: "\(i).pdf"), now: Self.t0)
            }
            let due = Self.t0.addingTimeInterval(2)
            var seen: [String] = []
            for expected in [10, 10, 5, 0] {
                let portion = t.takeComplete(now: due, limit: 10)
                #expect(portion.count == expected)
                seen += portion.map(\.name)
                // What is left is still due now: the caller's next turn comes at once.
                if t.pendingCount > 0 { #expect(t.nextDeadline()! <= due) }
            }
            #expect(Set(seen).count == 25)
            #expect(seen.count == 25)
            #expect(t.pendingNames(in: root).isEmpty)
        }
    }

    @Test func pendingNamesFollowEveryChange() throws {
        try Scratch.withDir("index") { root in
            let other = root + "/other"
            try Scratch.mkdir(other)
            let t = SettleTracker(settle: 2)
            t.register(root: root)
            t.register(root: other)
            for name in ["a.pdf", "b.pdf", "gone.pdf"] { try Scratch.write(root + "/" + name, "1") }
            try Scratch.write(other + "/c.pdf", "1")
            for name in ["a.pdf", "b.pdf", "gone.pdf"] { t.noteActivity(.init(root: root, name: name), now: Self.t0) }
            t.noteActivity(.init(root: other, name: "c.pdf"), now: Self.t0)
            // Noting the same entry again does not list it twice.
            t.noteActivity(.init(root: root, name: "a.pdf"), now: Self.t0)
            #expect(Set(t.pendingNames(in: root)) == ["a.pdf", "b.pdf", "gone.pdf"])
            #expect(t.pendingNames(in: root).count == 3)
            #expect(t.pendingNames(in: other) == ["c.pdf"])

            t.forget(.init(root: root, name: "b.pdf"))
            #expect(Set(t.pendingNames(in: root)) == ["a.pdf", "gone.pdf"])
            // A vanished entry leaves the index; a changed one stays, settling again.
            #expect(unlink(root + "/gone.pdf") == 0)
            try Scratch.append(root + "/a.pdf", "more")
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(2)).map(\.name) == ["c.pdf"])
            #expect(t.pendingNames(in: root) == ["a.pdf"])
            #expect(t.pendingNames(in: other).isEmpty)
            #expect(t.takeComplete(now: Self.t0.addingTimeInterval(4)).map(\.name) == ["a.pdf"])
            #expect(t.pendingNames(in: root).isEmpty)

            t.noteActivity(.init(root: other, name: "c.pdf"), now: Self.t0)
            t.unregister(root: other)
            #expect(t.pendingNames(in: other).isEmpty)
            #expect(t.pendingCount == 0)
        }
    }
}
