import Foundation
import Testing
@testable import LienThongWatch
#if canImport(Glibc)
import Glibc
#endif

/// Settling counts from when a change was made, as the kernel stamped it,
/// not from when the loop got round to reading its event; but never more
/// than `maxCredit` earlier, and never from a stamp that says nothing.
/// Real files and the real clock: the stamps are the kernel's.
@Suite("SettleTracker: quiet since the change itself")
struct SettleFromChangeTimeTests {
    private func changeTime(_ path: String) throws -> Date {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw Scratch.Failure("lstat \(path)") }
        return Date(timeIntervalSince1970: Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9)
    }

    /// Equal but for the last bits of a Double's arithmetic.
    private func same(_ a: Date?, _ b: Date) -> Bool { a.map { abs($0.timeIntervalSince(b)) < 1e-6 } ?? false }

    @Test func anEventReadLateSettlesFromTheChange() throws {
        try Scratch.withDir("late-event") { root in
            try Scratch.write(root + "/4116-UBND-CN.pdf", "%PDF")
            let changed = try changeTime(root + "/4116-UBND-CN.pdf")
            let t = SettleTrackerTests.tracker(root, settle: 0.2)
            let entry = SettleTracker.Entry(root: root, name: "4116-UBND-CN.pdf")
            // The loop was busy in a turn: it reads the event 40 ms after the write.
            let seen = changed.addingTimeInterval(0.04)
            t.noteActivity(entry, now: seen)
            let deadline = try #require(t.nextDeadline())
            #expect(same(deadline, changed.addingTimeInterval(SettleTracker.stampTick + 0.2)))
            #expect(deadline < seen.addingTimeInterval(0.2))
            #expect(t.takeComplete(now: deadline.addingTimeInterval(-0.001)).isEmpty, "never before settle has passed since the change")
            #expect(t.takeComplete(now: deadline) == [entry])
        }
    }

    @Test func theCreditIsBoundedAndNeverInTheFuture() throws {
        try Scratch.withDir("credit") { root in
            try Scratch.write(root + "/a.pdf", "a")
            let changed = try changeTime(root + "/a.pdf")
            let t = SettleTrackerTests.tracker(root, settle: 0.2)
            let entry = SettleTracker.Entry(root: root, name: "a.pdf")
            #expect(t.maxCredit == 0.1)
            // Seen five seconds after its stamp (another machine's clock,
            // or a rescan): at most a tenth of a second is taken as passed.
            let late = changed.addingTimeInterval(5)
            t.noteActivity(entry, now: late)
            #expect(same(t.nextDeadline(), late.addingTimeInterval(0.2 - 0.1)))
            // A stamp ahead of the clock (the clock set back): from now.
            let early = changed.addingTimeInterval(-5)
            t.noteActivity(entry, now: early)
            #expect(same(t.nextDeadline(), early.addingTimeInterval(0.2)))
            // A long settle still takes no more than a tenth of a second.
            #expect(SettleTrackerTests.tracker(root, settle: 120).maxCredit == 0.1)
            #expect(abs(SettleTrackerTests.tracker(root, settle: 0.05).maxCredit - 0.025) < 1e-12)
        }
    }

    @Test func anEmptyFolderSaysNothingOfWhenItChanged() throws {
        try Scratch.withDir("empty-folder") { root in
            try Scratch.mkdir(root + "/4116-UBND-CN")
            let t = SettleTrackerTests.tracker(root, settle: 0.2)
            let now = Date().addingTimeInterval(1)
            t.noteActivity(SettleTracker.Entry(root: root, name: "4116-UBND-CN"), now: now)
            #expect(same(t.nextDeadline(), now.addingTimeInterval(0.2)))
        }
    }

    @Test func aChangeWithoutAnEventStillRestartsTheSettle() throws {
        try Scratch.withDir("rewritten") { root in
            let path = root + "/a.pdf"
            try Scratch.write(path, "a")
            let t = SettleTrackerTests.tracker(root, settle: 0.2)
            let entry = SettleTracker.Entry(root: root, name: "a.pdf")
            t.noteActivity(entry, now: try changeTime(path))
            // Written again with no event read (a missed event): at the
            // deadline the fingerprint differs, and settling restarts from
            // the new change, not from the first.
            usleep(20_000)
            try Scratch.write(path, "ab")
            let rewritten = try changeTime(path)
            let deadline = try #require(t.nextDeadline())
            #expect(t.takeComplete(now: max(deadline, rewritten)).isEmpty)
            #expect(try #require(t.nextDeadline()) >= rewritten.addingTimeInterval(0.2))
        }
    }
}
