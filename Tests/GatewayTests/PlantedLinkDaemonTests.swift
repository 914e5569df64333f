import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Symbolic links a clerk plants where a spool folder should be, with the
/// daemon as a process: nothing is claimed, filed or copied through them,
/// they are reported, and they stay exactly as planted.
@Suite(.serialized)
struct PlantedLinkDaemonTests {
    let sto = "000.00.21.H41"
    let vinh = "000.00.41.H41"
    static let linkWords = "a symbolic link where a folder should be"

    /// How the daemon writes a path in the journal (no doubled slashes; the
    /// harness's temp folder has one).
    static func logged(_ path: String) -> String {
        var p = path
        while p.contains("//") { p = p.replacingOccurrences(of: "//", with: "/") }
        return p
    }

    /// Every file under `dir` (links not followed) with its SHA-256.
    static func snapshot(_ dir: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for rel in try FileManager.default.subpathsOfDirectory(atPath: dir) {
            var st = stat()
            guard lstat(dir + "/" + rel, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            out[rel] = try sha256(dir + "/" + rel)
        }
        return out
    }

    /// Puts a link to `target` in the place of the folder `folder` in one
    /// step (renameat2 RENAME_EXCHANGE, through Python's ctypes: Swift's
    /// Glibc does not export renameat2), so the running daemon cannot make
    /// the folder again in between; the old folder is then removed.
    static func swapForLink(_ folder: String, to target: String) throws {
        let parked = (folder as NSString).deletingLastPathComponent + "/.planted-" + (folder as NSString).lastPathComponent
        try FileManager.default.createSymbolicLink(atPath: parked, withDestinationPath: target)
        let script = "import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True); "
            + "r = libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2); "
            + "sys.exit(0 if r == 0 else os.strerror(ctypes.get_errno()))"
        try run("/usr/bin/python3", ["-c", script, parked, folder])
        try FileManager.default.removeItem(atPath: parked)
    }

    static func linkTarget(_ path: String) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: path) }

    static func list(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    /// The one accepted submission's archive folder.
    static func archivedSubmissions(_ d: DaemonHarness) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: d.spool + "/archive/accepted")
            .filter { $0.split(separator: "/").count == 3 }.sorted()
    }

    @Test func aGroupFolderLinkedIntoTheArchiveTakesNothingOutOfIt() throws {
        let pair = try Fixtures.samplePair(key: "4116-UBND-CN")
        let d = try FanoutDaemonTests.harness(units: FanoutDaemonTests.units)
        try d.start()
        try d.drop([pair.electronic, pair.scan], into: sto)
        _ = try d.receipt(sto, key: "4116-UBND-CN", verdict: "accepted")
        let subs = try Self.archivedSubmissions(d)
        #expect(subs.count == 1)
        let archived = d.spool + "/archive/accepted/" + subs[0]
        let before = try Self.snapshot(d.spool + "/archive")
        let group = d.officeOutbox + "/districts"

        func expectNothingTaken(_ when: String) throws {
            usleep(3_000_000)  // settle is 300 ms, the pairing window 3 s
            #expect(try Self.snapshot(d.spool + "/archive") == before, "the archive is untouched (\(when))")
            #expect(try Self.archivedSubmissions(d) == subs, "no new submission (\(when))")
            #expect(Self.list(d.officeReceipts).isEmpty, "no outbound receipt (\(when))")
            #expect(Self.list(d.spool + "/queue").isEmpty, "nothing claimed (\(when))")
            #expect(Self.linkTarget(group) == archived, "the link is left as planted (\(when))")
            #expect(d.logOfThisStart.contains("\(Self.linkWords): \(Self.logged(group))"), "reported (\(when))")
        }

        // A clerk swaps the group folder for a link into the archive while
        // the daemon runs (the watched folder goes away) ...
        try Self.swapForLink(group, to: archived)
        try expectNothingTaken("while running")
        // ... and a start scans every outbox.
        d.stop()
        try d.start()
        try expectNothingTaken("after a restart")
        #expect(d.logOfThisStart.contains("1 symbolic link(s) where folders should be, left alone (\(Self.logged(group)))"), "STATUS says so")
        #expect(d.stop() == 0)
    }

    @Test func anOfficeInboxLinkedIntoAnotherUnitsOutboxMakesNoSecondArrival() throws {
        let pair = try Fixtures.samplePair(key: "77-UBND-VP")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        let planted = d.spool + "/office/inbox/" + sto
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: d.outbox(vinh))
        try d.drop([pair.electronic, pair.scan], into: sto)

        let r = try d.receipt(sto, key: "77-UBND-VP", verdict: "accepted")
        #expect(r["submission"] as? String != nil)
        let subs = try Self.archivedSubmissions(d)
        #expect(subs.count == 1, "the submission is archived")
        let files = Self.list(d.spool + "/archive/accepted/" + subs[0] + "/files")
        #expect(files == ["77-UBND-VP.pdf", "77-UBND-VP_scan.pdf"])
        usleep(3_000_000)  // time for Vinh's outbox to be claimed, were anything in it

        #expect(Self.list(d.outbox(vinh)).isEmpty, "nothing was copied through the link")
        #expect(d.receiptNames(vinh).isEmpty, "no submission from the other unit")
        #expect(try Self.archivedSubmissions(d).count == 1)
        #expect(Self.linkTarget(planted) == d.outbox(vinh), "the link is left as planted")
        #expect(d.log.contains("no copy for the office's clerks"))
        #expect(d.log.contains("\(Self.linkWords): \(Self.logged(planted))"))
        #expect(d.stop() == 0)
    }

    @Test func anOutboxThatIsALinkIsNeitherWatchedNorTakenFrom() throws {
        let pair = try Fixtures.samplePair(key: "88-UBND-VP")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        // Before the first start: the daemon would otherwise make the folder.
        let elsewhere = d.dir + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: pair.electronic, toPath: elsewhere + "/88-UBND-VP.pdf")
        try FileManager.default.copyItem(atPath: pair.scan, toPath: elsewhere + "/88-UBND-VP_scan.pdf")
        try FileManager.default.createDirectory(atPath: d.spool + "/units/" + sto, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: d.outbox(sto), withDestinationPath: elsewhere)
        let before = try Self.snapshot(elsewhere)
        try d.start()
        // Files arriving later through the link are not taken either.
        try FileManager.default.copyItem(atPath: pair.scan, toPath: elsewhere + "/89-UBND-VP_scan.pdf")
        usleep(3_000_000)

        #expect(Self.list(elsewhere) == ["88-UBND-VP.pdf", "88-UBND-VP_scan.pdf", "89-UBND-VP_scan.pdf"])
        #expect(try Self.snapshot(elsewhere).filter { !$0.key.hasPrefix("89") } == before)
        #expect(d.receiptNames(sto).isEmpty)
        #expect(Self.linkTarget(d.outbox(sto)) == elsewhere, "the link is left as planted")
        #expect(d.logOfThisStart.contains("\(Self.linkWords): \(Self.logged(d.outbox(sto)))"))
        // The other units are served as usual.
        try d.drop([pair.electronic, pair.scan], into: vinh)
        _ = try d.receipt(vinh, key: "88-UBND-VP", verdict: "accepted")
        #expect(d.stop() == 0)
    }

    @Test func aUnitsInboxThatIsALinkDefersItsDeliveryAndTheDaemonStillStarts() throws {
        let pdf = try Fixtures.samplePair(key: "40-TB-UBND").electronic
        let d = try FanoutDaemonTests.harness()
        let hungBinh = "000.41.01.H41", leLoi = "000.41.02.H41"
        // Planted before the first start, dangling: the daemon must neither
        // make what it points to nor refuse to start.
        let nowhere = d.dir + "/nowhere"
        try FileManager.default.createDirectory(atPath: d.spool + "/units/" + hungBinh, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: d.inbox(hungBinh), withDestinationPath: nowhere)
        try d.start()
        #expect(d.logOfThisStart.contains("\(Self.linkWords): \(Self.logged(d.inbox(hungBinh)))"))

        try FileManager.default.copyItem(atPath: pdf, toPath: d.officeOutbox + "/communes-of-000.00.41.H41/40-TB-UBND.pdf")
        let r = try d.officeReceipt("40-TB-UBND", verdict: "accepted") { $0.deliveryStates == ["deferred", "delivered"] }
        let deferred = ((r["deliveries"] as? [[String: Any]]) ?? []).first { $0["recipient"] as? String == hungBinh }
        #expect((deferred?["last_error"] as? String)?.contains(Self.linkWords) == true, "\(deferred ?? [:])")
        #expect(d.inboxNames(leLoi) == ["40-TB-UBND.pdf"])
        #expect(!FileManager.default.fileExists(atPath: nowhere), "the link's target is not made")
        #expect(Self.linkTarget(d.inbox(hungBinh)) == nowhere, "the link is left as planted")
        #expect(d.stop() == 0)
    }

    /// A clerk swaps the outbox for a link at the very moment a claim turn
    /// holds it (`FolderHold`): the shim below makes the swap inside the
    /// daemon's own rename of the pair's scan, between the turn's opening
    /// of the outbox and its rename. The turn goes on in the folder it
    /// opened (now moved aside), never through the link: the pair is
    /// claimed whole and accepted, the link's target — a folder outside
    /// the spool with a file of the same name in it — is untouched, and
    /// the link is reported and left as planted.
    @Test(.enabled(if: SwapShim.library != nil, "no C compiler to build the swap shim"))
    func anOutboxSwappedForALinkWhileAClaimTurnHoldsItTakesNothingThroughTheLink() throws {
        let pair = try Fixtures.samplePair(key: "66-UBND-VP")
        let d = try DaemonHarness(trust: try Fixtures.trust())
        let armed = d.dir + "/swap-once"
        let outbox = d.outbox(sto)
        // The link's target: a folder outside the spool, with a file in it.
        let elsewhere = d.dir + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: pair.electronic, toPath: elsewhere + "/66-UBND-VP.pdf")
        try FileManager.default.createSymbolicLink(atPath: d.dir + "/parked-link", withDestinationPath: elsewhere)
        d.environment = ["LD_PRELOAD": SwapShim.library!, "LT_SWAP_ONCE": armed, "LT_SWAP_NAME": "66-UBND-VP_scan.pdf",
                         "LT_SWAP_FOLDER": outbox, "LT_SWAP_PARKED": d.dir + "/parked-link"]
        try d.start()
        let before = try Self.snapshot(elsewhere)
        #expect(FileManager.default.createFile(atPath: armed, contents: nil))
        try d.drop([pair.electronic, pair.scan], into: sto)

        let r = try d.receipt(sto, key: "66-UBND-VP", verdict: "accepted")
        #expect(!FileManager.default.fileExists(atPath: armed), "the swap was never made")
        #expect(Self.linkTarget(outbox) == elsewhere, "the outbox is the planted link, left as planted")
        let files = ((r["files"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }.sorted()
        #expect(files == ["66-UBND-VP.pdf", "66-UBND-VP_scan.pdf"], "the pair claimed whole")
        let subs = try Self.archivedSubmissions(d)
        #expect(subs.count == 1)
        #expect(Self.list(d.spool + "/archive/accepted/" + subs[0] + "/files") == ["66-UBND-VP.pdf", "66-UBND-VP_scan.pdf"])
        try d.waitFor("the link reported", timeout: 30) { d.log.contains("\(Self.linkWords): \(Self.logged(outbox))") }
        #expect(try Self.snapshot(elsewhere) == before, "nothing taken through the link")
        // The folder the clerk moved aside is left empty: both files were claimed from it.
        #expect(Self.list(d.dir + "/parked-link").isEmpty)
        #expect(d.stop() == 0)
    }
}

/// An LD_PRELOAD library that plays the clerk at the worst moment: when the
/// daemon renames an entry named $LT_SWAP_NAME (renameat2, as every claim
/// does) while $LT_SWAP_ONCE exists, it first exchanges $LT_SWAP_FOLDER with
/// the link $LT_SWAP_PARKED (renameat2 RENAME_EXCHANGE: the folder is never
/// missing), then lets the daemon's rename go on.
enum SwapShim {
    static let source = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <fcntl.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>
        int renameat2(int olddir, const char *old, int newdir, const char *new, unsigned int flags) {
            static int (*real)(int, const char *, int, const char *, unsigned int);
            if (!real) real = (int (*)(int, const char *, int, const char *, unsigned int))dlsym(RTLD_NEXT, "renameat2");
            const char *armed = getenv("LT_SWAP_ONCE"), *name = getenv("LT_SWAP_NAME");
            const char *folder = getenv("LT_SWAP_FOLDER"), *parked = getenv("LT_SWAP_PARKED");
            if (armed && name && folder && parked && strcmp(old, name) == 0 && unlink(armed) == 0) {
                if (real(AT_FDCWD, parked, AT_FDCWD, folder, 2 /* RENAME_EXCHANGE */) != 0) perror("swap shim");
            }
            return real(olddir, old, newdir, new, flags);
        }
        """#

    static let library: String? = FaultShim.compile(source, name: "swapshim")
}
