import Foundation
import Testing
@testable import LienThongSpool

/// The pending notice is replaced by the decision's receipt, also when the
/// filing is done again after a crash, and only by the submission it names.
@Suite("Pending notices: replaced by the receipt")
struct PendingNoticeFilesTests {
    static func notice(_ desk: Desk, _ id: String, key: String = "4116-UBND-CN") throws {
        try PendingNoticeFiles(layout: desk.layout).write(
            unit: Desk.unit, key: key, json: "{\"submission\":\"\(id)\",\"verdict\":\"pending\"}\n", text: "\u{FEFF}chờ\r\n")
    }

    @Test func filingTheDecisionRemovesItsPendingNotice() throws {
        try Scratch.withDir("pending") { root in
            let desk = try Desk(root)
            let id = "20240301-000001-abcd"
            try desk.queue(id, ["4116-UBND-CN_scan.pdf": Array("%PDF-1.4 scan".utf8)])
            try Self.notice(desk, id)
            #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.pending.json", "4116-UBND-CN.pending.txt"])
            try desk.placement.place(desk.plan(id, verdict: "rejected"))
            #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.rejected.json", "4116-UBND-CN.rejected.txt"])
        }
    }

    /// A crash after the receipts were written but before the notice went
    /// (or half of it went): the restart files the decided submission again.
    @Test func filingAgainAfterACrashFinishesTheRemoval() throws {
        try Scratch.withDir("pending-crash") { root in
            let desk = try Desk(root)
            let id = "20240301-000002-abcd"
            try desk.queue(id, ["4116-UBND-CN.pdf": Array("%PDF-1.7 signed".utf8)])
            let plan = desk.plan(id)
            try desk.placement.place(plan)
            try Self.notice(desk, id)  // as if the removal had not happened yet
            unlink(PendingNoticeFiles(layout: desk.layout).stem(unit: Desk.unit, key: "4116-UBND-CN") + ".txt")
            try desk.placement.place(plan)
            #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt"])
        }
    }

    @Test func anotherSubmissionsNoticeIsLeftAlone() throws {
        try Scratch.withDir("pending-other") { root in
            let desk = try Desk(root)
            let id = "20240301-000003-abcd", other = "20240301-000004-abcd"
            try desk.queue(id, ["4116-UBND-CN.pdf": Array("%PDF-1.7 signed".utf8)])
            try Self.notice(desk, other)
            try desk.placement.place(desk.plan(id))
            #expect(Scratch.list(desk.receipts) == [
                "4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt", "4116-UBND-CN.pending.json", "4116-UBND-CN.pending.txt",
            ])
        }
    }
}
