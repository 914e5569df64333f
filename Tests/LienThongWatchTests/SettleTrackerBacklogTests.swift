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

    /// A burst over many outboxes, more than a turn's limit: each outbox's
    /// due files come out in one portion (a pair is never split between
    /// claim turns), no portion passes the limit, and every file comes out
    /// once.
    @Test func aPortionTakesEachDropFolderWhole() throws {
        try Scratch.withDir("whole-folders") { base in
            let t = SettleTracker(settle: 2)
            var roots: [String] = []
            for u in 0..<50 {
                let root = base + "/unit-\(u)"
                try Scratch.mkdir(root)
                t.register(root: root)
                roots.append(root)
                for name in ["\(u)-BC-X.docx", "\(u)-BC-X.docx.p7s"] {
                    try Scratch.write(root + "/" + name, "x")
                    t.noteActivity(SettleTracker.Entry(root: root, name: name), now: Self.t0)
                }
            }
            let due = Self.t0.addingTimeInterval(2)
            var portionOf: [String: Int] = [:]
            var handedOut = 0
            for turn in 0..<20 where t.pendingCount > 0 {
                let portion = t.takeComplete(now: due, limit: 9)
                #expect(!portion.isEmpty && portion.count <= 9, "turn \(turn): \(portion.count) entries")
                for e in portion {
                    if let earlier = portionOf[e.root] { #expect(earlier == turn, "\(e.root) split between turns \(earlier) and \(turn)") }
                    portionOf[e.root] = turn
                }
                handedOut += portion.count
            }
            #expect(handedOut == 100)
            #expect(portionOf.count == 50)
            #expect(t.pendingCount == 0)
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
