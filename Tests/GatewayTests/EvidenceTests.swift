import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// The integrity issue's defects, each tried as the users are: the daemon
/// under its own account, clerks as other accounts with Samba's modes, Mac
/// (NFD) names, writers that keep their file open, injected I/O errors.
@Suite(.serialized)
struct EvidenceTests {
    static let unit = "000.00.21.H41"

    /// A running harness whose daemon runs as its own user.
    static func asUsers(window: String = "60s", units: [DaemonHarness.Unit] = DaemonHarness.defaultUnits) throws -> DaemonHarness {
        let trust = try Fixtures.trust()
        let d = try DaemonHarness(trust: trust, window: window, units: units)
        try d.runAsDaemonUser(trust: trust)
        try d.start()
        return d
    }

    /// Defect 2: a sender keeps its descriptor open and writes after the
    /// receipt. The archive must still hold the bytes the receipt names.
    @Test(.enabled(if: TestUsers.unavailable == nil, "\(TestUsers.unavailable ?? "")"))
    func aSenderWritingThroughAnOpenHandleAfterTheReceiptChangesNothingArchived() throws {
        let pdf = try Fixtures.samplePair(key: "45-BC-STTTT").electronic
        let d = try Self.asUsers()
        let source = try d.staged(pdf)
        let go = d.dir + "/staging/go", done = d.dir + "/staging/done"
        let target = d.outbox(Self.unit) + "/45-BC-STTTT.pdf"
        // The clerk's SMB session: writes the file, keeps it open, and much
        // later saves again through the same handle.
        let writer = try TestUsers.startAsClerk(TestUsers.clerkA, """
            exec python3 -c '
            import os, sys, time
            fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o660)
            os.write(fd, open(sys.argv[2], "rb").read())
            while not os.path.exists(sys.argv[3]): time.sleep(0.05)
            os.pwrite(fd, b"%PDF-1.7 FORGED AFTER THE RECEIPT", 0)
            os.fsync(fd)
            open(sys.argv[4], "w").close()
            os.close(fd)
            ' "\(target)" "\(source)" "\(go)" "\(done)"
            """)
        let r = try d.receipt(Self.unit, key: "45-BC-STTTT", verdict: "accepted", timeout: 30)
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: done))
        let files = (r["files"] as? [[String: Any]]) ?? []
        let archived = d.archivedFiles()
        #expect(archived.count == 1)
        for (_, path) in archived {
            let bytes = try sha256(path)
            #expect(bytes == (try sha256(pdf)), "archived bytes changed after the receipt")
            #expect(files.first?["sha256"] as? String == bytes)
            var st = stat()
            lstat(path, &st)
            #expect(st.st_uid == TestUsers.uid(TestUsers.daemon), "archived evidence must be the daemon's own inode")
            #expect(st.st_mode & 0o222 == 0, "archived evidence must be writable by nobody")
        }
        #expect(d.stop() == 0)
    }

    /// Defect 1: deliveries are hard links to the archived original; a
    /// recipient saving in place must not change it (nor anyone's copy).
    @Test(.enabled(if: TestUsers.unavailable == nil, "\(TestUsers.unavailable ?? "")"))
    func aRecipientCannotRewriteTheArchivedOriginalOfAnOfficeDocument() throws {
        let pdf = try Fixtures.samplePair(key: "25-GM-UBND").electronic
        let d = try Self.asUsers(units: FanoutDaemonTests.units)
        let manifest = d.dir + "/staging-manifest.json"
        try #"{"subject": "Mời họp", "recipients": ["000.00.21.H41", "000.00.22.H41"]}"#.write(toFile: manifest, atomically: true, encoding: .utf8)
        let m = try d.staged(manifest, as: "25-GM-UBND.json"), doc = try d.staged(pdf)
        // The office's clerk drops them through the share.
        // Samba's create mask: the files are 0660, the clerk's own.
        let dropped = try TestUsers.asClerk(TestUsers.clerkA, "cat '\(m)' > '\(d.officeOutbox)/25-GM-UBND.json' && cat '\(doc)' > '\(d.officeOutbox)/25-GM-UBND.pdf'")
        #expect(dropped.status == 0, "\(dropped.stderr)")
        _ = try d.officeReceipt("25-GM-UBND", verdict: "accepted") { $0.deliveryStates == ["delivered", "delivered"] }
        let delivered = d.inbox("000.00.22.H41") + "/25-GM-UBND.pdf"
        // The recipient's clerk saves in place.
        let save = try TestUsers.asClerk(TestUsers.clerkB, "printf 'EDITED' 1<> '\(delivered)'")
        #expect(save.status != 0, "a recipient could write into a delivered document")
        let original = try sha256(pdf)
        #expect(try sha256(delivered) == original)
        #expect(try sha256(d.inbox("000.00.21.H41") + "/25-GM-UBND.pdf") == original)
        let archived = d.archivedFiles().filter { $0.relative.hasSuffix("/25-GM-UBND.pdf") }
        #expect(archived.count == 1)
        for (_, path) in archived {
            #expect(try sha256(path) == original)
            var st = stat()
            lstat(path, &st)
            #expect(st.st_uid == TestUsers.uid(TestUsers.daemon))
            #expect(st.st_mode & 0o222 == 0)
        }
        #expect(d.stop() == 0)
    }

    /// Defect 5: a corrected công văn under the same name while the first
    /// waits for its scan: both pairs keep their compound extensions
    /// (`X (2).docx` + `X (2).docx.p7s`) and both are validated.
    @Test func aCorrectedDocumentUnderTheSameNameIsPairedWithItsSignatureAndValidated() throws {
        let first = try Fixtures.detachedPair(key: "4116-UBND-CN")
        // Other bytes (another key inside), dropped under the same names.
        let second = try Fixtures.detachedPair(key: "4116-UBND-CN-b")
        #expect(try sha256(first.document) != (try sha256(second.document)))
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s")
        try d.start()
        func outboxEmpty() -> Bool { ((try? FileManager.default.contentsOfDirectory(atPath: d.outbox(Self.unit))) ?? ["x"]).isEmpty }
        try d.drop([first.document, first.signature], into: Self.unit)
        try d.waitFor("the first pair claimed", timeout: 15, outboxEmpty)
        try d.drop([second.document, second.signature], into: Self.unit, names: ["4116-UBND-CN.docx", "4116-UBND-CN.docx.p7s"])
        try d.waitFor("the corrected pair claimed", timeout: 15, outboxEmpty)
        try d.drop([first.scan], into: Self.unit)
        let r = try d.receipt(Self.unit, key: "4116-UBND-CN", verdict: "accepted", timeout: 30)
        let files = (r["files"] as? [[String: Any]]) ?? []
        let roles = files.compactMap { $0["role"] as? String }.sorted()
        #expect(roles == ["electronic", "electronic", "scan", "signature", "signature"], "\(files)")
        let names = Set(files.compactMap { $0["name"] as? String })
        #expect(names.contains("4116-UBND-CN (2).docx") && names.contains("4116-UBND-CN (2).docx.p7s"), "\(names)")
        let signatures = (r["signatures"] as? [[String: Any]]) ?? []
        #expect(signatures.count == 2)
        #expect(signatures.allSatisfy { $0["valid"] as? Bool == true }, "\(signatures)")
        #expect(d.stop() == 0)
    }

    /// Defects 6, 7 and 8: an unsigned PDF and a validly signed one whose
    /// names are the NFC and NFD forms of one text. Two files: both settle
    /// at once, each keeps its own facts in the receipt, the archive and the
    /// ledger, and the same signed bytes sent again are a duplicate.
    @Test func nfcAndNFDTwinsOfOneNameAreTwoFilesWithTheirOwnFacts() throws {
        let sample = try Fixtures.samplePair(key: "45-BC-STTTT")
        let text = "Báo cáo số 45-BC-STTTT về chữ ký số.pdf"
        let nfc = text.precomposedStringWithCanonicalMapping, nfd = text.decomposedStringWithCanonicalMapping
        #expect(Array(nfc.utf8) != Array(nfd.utf8))
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s")
        try d.start()
        let started = Date()
        try d.drop([sample.scan, sample.electronic], into: Self.unit, names: [nfc, nfd])
        let key = SubmissionKeyForTest.key(nfc)
        let r = try d.receipt(Self.unit, key: key, verdict: "accepted", timeout: 30)
        #expect(Date().timeIntervalSince(started) < 30, "one twin waited for the periodic rescan")
        let files = (r["files"] as? [[String: Any]]) ?? []
        #expect(files.count == 2, "\(files)")
        let byBytes = Dictionary(uniqueKeysWithValues: files.map { (Array((($0["name"] as? String) ?? "").utf8), $0) })
        #expect(byBytes[Array(nfd.utf8)]?["role"] as? String == "electronic")
        #expect(byBytes[Array(nfd.utf8)]?["sha256"] as? String == (try sha256(sample.electronic)))
        #expect(byBytes[Array(nfc.utf8)]?["role"] as? String == "scan")
        #expect(byBytes[Array(nfc.utf8)]?["sha256"] as? String == (try sha256(sample.scan)))
        // The archive holds each under its own bytes, hashes as the receipt says.
        for (relative, path) in d.archivedFiles() {
            let name = Array((relative as NSString).lastPathComponent.utf8)
            #expect(byBytes[name]?["sha256"] as? String == (try sha256(path)), "\(relative)")
        }
        // The ledger has every file's facts.
        let rows = try run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
            for name, size, sha, role in db.execute('select name, size, sha256, role from files'):
                print(repr(name.encode()), size, sha, role)
            """, d.spool + "/state/ledger.sqlite"])
        #expect(!rows.contains("None"), "a ledger row lost its facts:\n\(rows)")
        // The same signed bytes again, under an NFD name: a duplicate.
        let again = "Báo cáo số 46-BC-STTTT.pdf".decomposedStringWithCanonicalMapping
        try d.drop([sample.electronic], into: Self.unit, names: [again])
        let dup = try d.receipt(Self.unit, key: SubmissionKeyForTest.key(again), verdict: "rejected", timeout: 30)
        #expect(dup.codes.contains("duplicate"), "\(dup)")
        #expect(d.stop() == 0)
    }

    /// Defect 7, outbound: an office giấy mời with an NFD name (a Mac
    /// client) keeps its role in the ledger, so it is delivered.
    @Test func anOfficeDocumentWithAnNFDNameIsDelivered() throws {
        let pdf = try Fixtures.samplePair(key: "25-GM-UBND").electronic
        let d = try FanoutDaemonTests.harness()
        try d.start()
        let name = "Giấy mời 25-GM-UBND.pdf".decomposedStringWithCanonicalMapping
        let key = "Giấy mời 25-GM-UBND"
        try d.dropOutbound(manifest: #"{"subject": "Mời họp", "recipients": ["000.00.21.H41"]}"#, key: key)
        try d.dropOutbound(file: pdf, name: name)
        let r = try d.officeReceipt(key, verdict: "accepted") { $0.deliveryStates == ["delivered"] }
        #expect(r.deliveryStates == ["delivered"])
        #expect(d.inboxNames("000.00.21.H41").count == 1)
        #expect(d.stop() == 0)
    }

    /// Defect 9: the folder fsync after a successful claim rename fails
    /// (EIO, injected by an LD_PRELOAD shim). The dropped folder has moved:
    /// it must be recorded and decided, never removed.
    @Test(.enabled(if: FaultShim.unavailable == nil, "\(FaultShim.unavailable ?? "")"))
    func aFailedFsyncAfterTheClaimRenameLosesNothing() throws {
        let sample = try Fixtures.samplePair(key: "45-BC-STTTT")
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s")
        let armed = d.dir + "/fail-fsync-once"
        d.environment = ["LD_PRELOAD": FaultShim.library!, "LT_FSYNC_FAIL_ONCE": armed,
                         "LT_FSYNC_FAIL_SUFFIX": "/units/\(Self.unit)/outbox"]
        try d.start()
        // A folder is one submission; its claim is one rename of the folder.
        let folder = d.dir + "/Hồ sơ 45-BC-STTTT"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: sample.electronic, toPath: folder + "/45-BC-STTTT.pdf")
        try FileManager.default.copyItem(atPath: sample.scan, toPath: folder + "/45-BC-STTTT_scan.pdf")
        #expect(FileManager.default.createFile(atPath: armed, contents: nil))
        try FileManager.default.moveItem(atPath: folder, toPath: d.outbox(Self.unit) + "/Hồ sơ 45-BC-STTTT")
        let r = try d.receipt(Self.unit, key: "Hồ sơ 45-BC-STTTT", verdict: "accepted", timeout: 30)
        #expect(!FileManager.default.fileExists(atPath: armed), "the fault was never injected")
        #expect(d.log.contains("could not make the move durable"))
        #expect(((r["files"] as? [[String: Any]]) ?? []).count == 2)
        #expect(d.archivedFiles().count == 2)
        #expect(d.stop() == 0)
    }

    /// A burst is made durable by one syncfs per barrier (FileSystemSync);
    /// that sync fails with EIO, at the first, third or sixth call after
    /// arming (in the claim's rounds or the filing's). The barrier it
    /// belonged to does not count: every pair is still claimed, decided,
    /// filed and receipted, and the archive holds every file.
    @Test(.enabled(if: FaultShim.unavailable == nil && FaultShim.tempSyncsWhole, "\(FaultShim.unavailable ?? "the temporary folder is not on ext4, XFS or btrfs")"),
          arguments: [1, 3, 6])
    func aFailedSyncOfTheFileSystemInABurstLosesNothing(failAt: Int) async throws {
        let keys = (1...12).map { "\($0)-UBND-CN" }
        let samples = try Fixtures.batch(keys: keys)
        let d = try DaemonHarness(trust: try Fixtures.trust(), window: "60s")
        let armed = d.dir + "/fail-syncfs-once"
        // The daemon takes a syncfs only while little else waits to be
        // written (FileSystemSync.dirtyLimit, read from /proc/meminfo). On a
        // machine building or running other tests in parallel (a fresh
        // clone's first `make test`) that was more than the limit for the
        // whole burst, and no syncfs was taken to fail: the daemon reads a
        // quiet machine's figures instead.
        let meminfo = d.dir + "/meminfo"
        try "MemTotal: 16384000 kB\nDirty: 0 kB\nWriteback: 0 kB\n".write(toFile: meminfo, atomically: true, encoding: .utf8)
        d.environment = ["LD_PRELOAD": FaultShim.library!, "LT_SYNCFS_FAIL_ONCE": armed, "LT_SYNCFS_FAIL_AT": "\(failAt)",
                         "LT_MEMINFO": meminfo]
        try d.start()
        // Staged beside the outbox, then renamed in: the 24 files settle together.
        let staging = d.dir + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let names = keys.flatMap { ["\($0).pdf", "\($0)_scan.pdf"] }
        for name in names { try FileManager.default.copyItem(atPath: samples + "/" + name, toPath: staging + "/" + name) }
        #expect(FileManager.default.createFile(atPath: armed, contents: nil))
        for name in names { #expect(rename(staging + "/" + name, d.outbox(Self.unit) + "/" + name) == 0) }
        try await d.waitUntil("\(keys.count) receipts", timeout: 120) {
            d.receiptNames(Self.unit).filter { $0.hasSuffix(".accepted.json") }.count >= keys.count
        }
        #expect(!FileManager.default.fileExists(atPath: armed), "the fault was never injected: no syncfs in a burst")
        // A sync of the office copies' rounds fails after the receipts are
        // out: its batch is logged (and filed again) a moment later.
        try await d.waitUntil("the failed sync in the log", timeout: 30) { d.log.contains("syncfs") }
        #expect(d.archivedFiles().count == names.count)
        #expect(d.stop() == 0)
    }
}

/// The submission key as the daemon computes it (SPEC §3), for receipt names.
enum SubmissionKeyForTest {
    static func key(_ name: String) -> String {
        var base = name.precomposedStringWithCanonicalMapping
        if base.lowercased().hasSuffix(".pdf") { base = String(base.dropLast(4)) }
        return base
    }
}

/// An LD_PRELOAD library that makes one fsync fail with EIO: the first
/// fsync of a descriptor whose path ends with $LT_FSYNC_FAIL_SUFFIX while
/// the file $LT_FSYNC_FAIL_ONCE exists (it is removed when it fires). And
/// one syncfs: the $LT_SYNCFS_FAIL_AT-th (default first) call made while
/// $LT_SYNCFS_FAIL_ONCE exists. With $LT_MEMINFO, /proc/meminfo is read
/// from that file.
enum FaultShim {
    static let source = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <stdarg.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <unistd.h>
        // With $LT_MEMINFO, /proc/meminfo is read from that file: the
        // machine's dirty data as the test says, whatever else it writes.
        static const char *meminfo(const char *path) {
            const char *fake = getenv("LT_MEMINFO");
            return fake && strcmp(path, "/proc/meminfo") == 0 ? fake : path;
        }
        // open and open64 alike (which one a caller links to depends on its headers).
        #define REDIRECTED_OPEN(name) \
            int name(const char *path, int flags, ...) { \
                static int (*real)(const char *, int, ...); \
                if (!real) real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name); \
                va_list ap; \
                va_start(ap, flags); \
                int mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0; \
                va_end(ap); \
                return real(meminfo(path), flags, mode); \
            }
        REDIRECTED_OPEN(open)
        REDIRECTED_OPEN(open64)
        int fsync(int fd) {
            static int (*real)(int);
            if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
            const char *armed = getenv("LT_FSYNC_FAIL_ONCE"), *suffix = getenv("LT_FSYNC_FAIL_SUFFIX");
            if (armed && suffix) {
                char link[64], path[4096];
                snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
                ssize_t n = readlink(link, path, sizeof path - 1);
                size_t ls = strlen(suffix);
                if (n > 0 && (size_t)n >= ls) {
                    path[n] = 0;
                    if (strcmp(path + n - ls, suffix) == 0 && unlink(armed) == 0) { errno = EIO; return -1; }
                }
            }
            return real(fd);
        }
        int syncfs(int fd) {
            static int (*real)(int);
            static int armedCalls;
            if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
            const char *armed = getenv("LT_SYNCFS_FAIL_ONCE"), *at = getenv("LT_SYNCFS_FAIL_AT");
            if (armed && access(armed, F_OK) == 0 && ++armedCalls >= (at ? atoi(at) : 1) && unlink(armed) == 0) {
                errno = EIO;
                return -1;
            }
            return real(fd);
        }
        """#

    /// Whether test spools (under the temporary folder) are on a file
    /// system where the daemon syncs bursts with syncfs.
    static let tempSyncsWhole: Bool = {
        let type = (try? run("/usr/bin/stat", ["-f", "-c", "%t", NSTemporaryDirectory()]))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return ["ef53", "58465342", "9123683e"].contains(type ?? "")
    }()

    static let library: String? = compile(source, name: "faultshim")

    static var unavailable: String? { library == nil ? "no C compiler to build the fsync fault shim" : nil }

    /// Builds an LD_PRELOAD library from C `source`; nil without a compiler.
    static func compile(_ source: String, name: String) -> String? {
        guard let dir = try? DaemonHarness.makeTempDir() else { return nil }
        let c = dir + "/\(name).c", so = dir + "/\(name).so"
        guard (try? source.write(toFile: c, atomically: true, encoding: .utf8)) != nil else { return nil }
        for cc in ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map({ $0 + "/clang" })
        where FileManager.default.isExecutableFile(atPath: cc) {
            if (try? runCommand(cc, ["-shared", "-fPIC", "-O1", "-o", so, c, "-ldl"]))?.status == 0 { return so }
        }
        return nil
    }
}
