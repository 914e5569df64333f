import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// The barriers of a placement batch (issue 15): how many, and that each
/// step's names become durable in a round after the step before. A crash is
/// injected after every barrier in turn (`SyncBatch.afterBarrier`); what it
/// leaves must keep every promise, and a redo must finish it.
@Suite("Placement: barriers per batch, and the order they keep")
struct PlacementBarrierTests {
    static let pdf = Array("%PDF-1.7 signed".utf8)
    static let nested = Array("%PDF-1.4 annex in a subfolder".utf8)
    static let scan = Array("%PDF-1.4 scan".utf8)
    let accepted = "20240301-000001-abcd"
    let rejected = "20240301-000002-beef"

    struct Crash: Error {}

    /// One accepted submission (a file in a subfolder, a pending notice of
    /// its own) and one rejected one, queued.
    func batch(_ desk: Desk) throws -> [Placement.Plan] {
        try desk.queue(accepted, ["a.pdf": Self.pdf, "annex/c.pdf": Self.nested])
        try desk.queue(rejected, ["b.pdf": Self.scan])
        try PendingNoticeFiles(layout: desk.layout).write(
            unit: Desk.unit, key: "4116-UBND-CN", json: "{\"submission\":\"\(accepted)\"}\n", text: "chờ\r\n")
        return [desk.plan(accepted), desk.plan(rejected, key: "77-UBND", verdict: "rejected", officeCopy: false)]
    }

    /// The steps of the accepted submission that are visible now, as the
    /// doc comment of `Placement+Batch.swift` lists them.
    func steps(_ desk: Desk, _ plan: Placement.Plan) -> [String: Bool] {
        let folder = desk.officeInbox + "/4116-UBND-CN"
        let stem = desk.receipts + "/4116-UBND-CN.accepted"
        return [
            "1 reports": Scratch.exists(desk.layout.queued(plan.submission) + "/receipt.json")
                || Scratch.exists(plan.archiveDir + "/receipt.json"),
            "2 archived": Scratch.exists(plan.archiveDir) && !Scratch.exists(desk.layout.queued(plan.submission)),
            "3a text": Scratch.exists(stem + ".txt"),
            "3b notice gone": !Scratch.exists(desk.receipts + "/4116-UBND-CN.pending.json"),
            "3c json": Scratch.exists(stem + ".json"),
            "4a marker": Scratch.exists(folder + "/" + Placement.marker),
            "4b copies": Scratch.exists(folder + "/a.pdf") && Scratch.exists(folder + "/annex/c.pdf"),
        ]
    }

    @Test func aBatchWithAnOfficeCopyCostsEightBarriers() throws {
        try Scratch.withDir("barriers") { root in
            let desk = try Desk(root)
            let plans = try batch(desk)
            let sync = SyncBatch()
            try desk.placement.placeAll(plans, batch: sync)
            // Report data; then the receipts' and office's data in one round.
            #expect(sync.fileBarriers == 2)
            // Report names, moves, texts, JSONs, markers, copies.
            #expect(sync.directoryBarriers == 6)
        }
    }

    /// The two halves the filing threads run one after the other, each in
    /// a batch of its own: the same eight barriers (three, then five), and
    /// after the first half the files are in the archive with their reports
    /// and nothing of a copy or receipt exists, not even hidden.
    @Test func theTwoHalvesCostTheBarriersOfOneBatchAndSplitAfterTheArchive() throws {
        try Scratch.withDir("barrier-halves") { root in
            let desk = try Desk(root)
            let plans = try batch(desk)
            let archiving = SyncBatch(), publishing = SyncBatch()
            try desk.placement.placeInArchive(plans, batch: archiving)
            #expect(archiving.fileBarriers == 1 && archiving.directoryBarriers == 2)
            let done = steps(desk, plans[0])
            #expect(done["1 reports"]! && done["2 archived"]!)
            #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.pending.json", "4116-UBND-CN.pending.txt"])
            #expect(Scratch.tree(desk.layout.officeInbox).isEmpty)
            #expect(Scratch.leftovers(root).isEmpty)

            let paths = try desk.placement.placeReceiptsAndCopies(plans, batch: publishing)
            #expect(publishing.fileBarriers == 1 && publishing.directoryBarriers == 4)
            #expect(paths == [desk.receipts + "/4116-UBND-CN.accepted.json", desk.receipts + "/77-UBND.rejected.json"])
            try expectFiledOnce(desk, plans, after: 0)
        }
    }

    @Test func eachStepIsDurableInARoundAfterTheStepBefore() throws {
        try Scratch.withDir("barrier-order") { root in
            let desk = try Desk(root)
            let plans = try batch(desk)
            let sync = SyncBatch()
            var round = 0
            var first: [String: Int] = [:]
            sync.afterBarrier = { barrier in
                // Names are durable only once their folders are fsynced.
                guard barrier == .directories else { return }
                round += 1
                for (step, done) in steps(desk, plans[0]) where done && first[step] == nil { first[step] = round }
                if first["2 archived"] == nil {
                    // Nothing of a receipt or copy, not even hidden, before the archive holds the files.
                    #expect(Scratch.list(desk.receipts) == ["4116-UBND-CN.pending.json", "4116-UBND-CN.pending.txt"])
                    #expect(Scratch.tree(desk.layout.officeInbox).isEmpty)
                }
            }
            try desk.placement.placeAll(plans, batch: sync)
            let order = ["1 reports", "2 archived", "3a text", "3c json", "4a marker", "4b copies"]
            let rounds = order.map { first[$0] ?? 0 }
            #expect(rounds == rounds.sorted() && Set(rounds).count == order.count && !rounds.contains(0), "\(first)")
            #expect(first["3b notice gone"] == first["3c json"], "the notice goes in the JSONs' round, after the texts'")
        }
    }

    /// What a crash may leave: a later step is on disk only with every
    /// earlier one (the promises of the doc comment, for the accepted plan).
    func expectPromisesKept(_ desk: Desk, _ plan: Placement.Plan, after k: Int) throws {
        let seen = steps(desk, plan)
        let folder = desk.officeInbox + "/4116-UBND-CN"
        if seen["2 archived"]! {
            #expect(Scratch.tree(plan.archiveDir) == ["files", "files/a.pdf", "files/annex", "files/annex/c.pdf", "receipt.json", "validation.json"], "crash after barrier \(k)")
        } else {
            #expect(!Scratch.exists(folder), "an office folder before the archive, crash after barrier \(k)")
        }
        if seen["4b copies"]! || Scratch.exists(folder + "/annex") { #expect(seen["4a marker"]!, "a copy without its marker, crash after barrier \(k)") }
        if seen["4a marker"]! { #expect(seen["3c json"]!, "an office copy before the receipts, crash after barrier \(k)") }
        if seen["4b copies"]! { #expect(try Scratch.bytes(folder + "/annex/c.pdf") == Self.nested) }
        if seen["3a text"]! { #expect(seen["2 archived"]!, "a text receipt before the archive, crash after barrier \(k)") }
        if seen["3c json"]! {
            #expect(seen["2 archived"]! && seen["3a text"]! && seen["3b notice gone"]!, "crash after barrier \(k): \(seen)")
        }
    }

    @Test func aCrashAfterAnyBarrierKeepsThePromisesAndARedoFinishesIt() throws {
        for k in 1...8 {
            try Scratch.withDir("barrier-crash\(k)") { root in
                let desk = try Desk(root)
                let plans = try batch(desk)
                let sync = SyncBatch()
                var count = 0
                sync.afterBarrier = { _ in
                    count += 1
                    if count == k { throw Crash() }
                }
                #expect(throws: Crash.self) { try desk.placement.placeAll(plans, batch: sync) }
                try expectPromisesKept(desk, plans[0], after: k)
                #expect(Scratch.leftovers(root).isEmpty, "a failed batch removes its temporaries, crash after barrier \(k)")
                try desk.placement.placeAll(plans)
                try expectFiledOnce(desk, plans, after: k)
            }
        }
    }

    func expectFiledOnce(_ desk: Desk, _ plans: [Placement.Plan], after k: Int) throws {
        let folder = desk.officeInbox + "/4116-UBND-CN"
        #expect(Scratch.list(desk.officeInbox) == ["4116-UBND-CN"], "one office copy, crash after barrier \(k)")
        #expect(Scratch.tree(folder) == [Placement.marker, "a.pdf", "annex", "annex/c.pdf"])
        #expect(try Scratch.bytes(folder + "/annex/c.pdf") == Self.nested)
        #expect(Scratch.list(desk.receipts) == [
            "4116-UBND-CN.accepted.json", "4116-UBND-CN.accepted.txt", "77-UBND.rejected.json", "77-UBND.rejected.txt",
        ])
        for plan in plans {
            #expect(!Scratch.exists(desk.layout.queued(plan.submission)))
            #expect(try Scratch.text(plan.archiveDir + "/receipt.json") == plan.receiptJSON)
        }
        #expect(Scratch.leftovers(desk.root).isEmpty)
    }

    /// A real crash after the data round and before the markers' leaves the
    /// temporaries (of a dead process) in an office folder that has no
    /// marker yet: Recovery removes them and the folder is taken up again.
    @Test func officeFolderHoldingOnlyADeadProcessesStagedCopies() throws {
        try Scratch.withDir("barrier-dead") { root in
            let desk = try Desk(root)
            let plans = try batch(desk)
            let folder = desk.officeInbox + "/4116-UBND-CN"
            try Scratch.write(folder + "/.copy-0.999999.part", Self.pdf)
            try Scratch.write(folder + "/.copy-1.999999.part", Self.nested)
            try Scratch.write(folder + "/.\(Placement.marker).999999.tmp", accepted + "\n")
            StaleTemporaries.clean(desk.layout.officeInbox, recursive: true)
            try desk.placement.placeAll(plans)
            try expectFiledOnce(desk, plans, after: 0)
        }
    }
}
