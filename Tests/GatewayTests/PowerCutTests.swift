import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A power cut, for the ledger: what SIGKILL cannot show. A killed process
/// leaves the page cache, so every write the ledger made without waiting
/// (decisions, claim marks and placement marks commit with synchronous=NORMAL,
/// made durable by a later commit that waits or an fsync of the log) is
/// still there after a kill. Here every write to `ledger.sqlite` and its
/// write-ahead log since that file's last fsync is undone after the kill
/// (`PowerCutShim` records the bytes each write replaces), and the shared
/// memory index SQLite rebuilds is removed: the ledger as a power cut can
/// leave it. The spool's folders keep everything (a superset of what a
/// power cut leaves there): whatever the daemon did on the strength of a
/// ledger write — a receipt, a filed folder, an arrival number — must agree with
/// the ledger that survives, and the next start must finish everything.
@Suite(.serialized)
struct PowerCutTests {
    let sto = "000.00.21.H41"
    let vinh = "000.00.41.H41"

    @Test(.enabled(if: PowerCutShim.library != nil, "no C compiler to build the power-cut shim"), .timeLimit(.minutes(10)))
    func powerCutsAtRandomMomentsLoseNothingTheDaemonActedOn() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["LIENTHONG_POWERCUT_SEED"] ?? "") ?? 0x4116_2025
        var rng = SeededRandom(state: seed)
        let pairs = (1...30).map { "\(4000 + $0)-UBND-VP" }
        let reports = (1...40).map { "\(5000 + $0)-BC-STTTT" }
        let samples = try Fixtures.batch(keys: pairs + reports)
        let d = try DaemonHarness(trust: try Fixtures.trust(), settle: "200ms", window: "3s")
        // The ledger made once without the shim: the cuts begin with it on disk.
        try d.start()
        #expect(d.stop() == 0)

        var drops: [StagedDrops.Drop] = []
        for (i, k) in pairs.enumerated() { drops.append(.init(unit: i % 2 == 0 ? sto : vinh, files: ["\(k).pdf", "\(k)_scan.pdf"])) }
        for (i, k) in reports.enumerated() { drops.append(.init(unit: i % 2 == 0 ? sto : vinh, files: ["\(k).pdf"])) }
        let staged = try StagedDrops(drops, samples: samples, in: d, rng: &rng)

        // As /proc/self/fd names it (the temporary folder's path may hold "//").
        let state = try PowerCutShim.realPath(d.spool + "/state")
        let undoLog = d.dir + "/ledger-undo.log"
        var cuts = 0, undone = 0
        /// Kills the daemon and takes from the ledger what a power cut would.
        func cut() throws {
            d.killHard()
            undone += try PowerCutShim.cut(log: undoLog)
            try? FileManager.default.removeItem(atPath: state + "/ledger.sqlite-shm")
            cuts += 1
        }
        func startWithShim(waitReady: Bool = true) throws {
            #expect(FileManager.default.createFile(atPath: undoLog, contents: nil))
            d.environment = ["LD_PRELOAD": PowerCutShim.library!, "LT_UNDO_DIR": state, "LT_UNDO_LOG": undoLog]
            try d.start(waitReady: waitReady)
        }
        var next = 0
        while next < drops.count {
            try startWithShim()
            let wave = min(drops.count - next, 8 + rng.below(16))
            staged.drop(next..<(next + wave), into: d)
            next += wave
            // Cut at a random moment of the work this wave started.
            try await pause(100_000 + rng.below(700_000))
            try cut()
            if rng.below(3) == 0 {
                // Sometimes in the middle of start-up recovery too, which
                // settles, decides again and files what the cut left.
                try startWithShim(waitReady: false)
                try await pause(rng.below(400_000))
                try cut()
            }
        }

        // The last start without the shim: it must finish everything.
        d.environment = [:]
        try d.start()
        try await staged.waitUntilAllDecided(d, units: [sto, vinh], timeout: 180)
        #expect(d.stop() == 0)
        // The cuts did take writes away: the test cut where the ledger had
        // written without waiting.
        #expect(undone > 0, "no ledger write was undone in \(cuts) cuts")
        let audit = try SpoolAudit(spool: d.spool).check(dropped: staged.dropped, units: [sto, vinh])
        #expect(audit.problems.isEmpty, "seed \(seed), \(cuts) cuts, \(undone) writes undone: \(audit.problems.prefix(20))")
        let accepted = audit.submissions.values.filter { $0["verdict"] as? String == "accepted" }
        #expect(accepted.count == pairs.count + reports.count, "every pair and report accepted once")
        print("POWER CUT TEST: seed \(seed), \(cuts) cuts, \(undone) ledger writes undone, \(audit.submissions.count) submissions")
    }
}

/// An LD_PRELOAD library that keeps, for every write to the ledger's two
/// files (`ledger.sqlite`, `ledger.sqlite-wal` in $LT_UNDO_DIR), the bytes it
/// replaces and the file's size before it, and notes every fsync or
/// fdatasync of them, in $LT_UNDO_LOG. `cut` then undoes, file by file,
/// every write after the file's last sync: what a power cut may lose.
enum PowerCutShim {
    static let source = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <fcntl.h>
        #include <pthread.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/stat.h>
        #include <unistd.h>
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
        static ssize_t (*real_write)(int, const void *, size_t);

        // The path of `fd` when it is one of the ledger's two files.
        static int ledger_path(int fd, char *path, size_t size) {
            const char *dir = getenv("LT_UNDO_DIR");
            if (!dir) return 0;
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            ssize_t n = readlink(link, path, size - 1);
            if (n <= 0) return 0;
            path[n] = 0;
            size_t d = strlen(dir);
            if (strncmp(path, dir, d) != 0 || path[d] != '/') return 0;
            return strcmp(path + d + 1, "ledger.sqlite") == 0 || strcmp(path + d + 1, "ledger.sqlite-wal") == 0;
        }

        // One record, written whole: type, path, then for a write its offset,
        // the size before, and the bytes it replaces.
        static void note(char type, const char *path, int64_t offset, int64_t size_before, const void *old, int64_t old_len) {
            const char *log = getenv("LT_UNDO_LOG");
            if (!log) return;
            uint32_t path_len = (uint32_t)strlen(path);
            size_t total = 1 + 4 + path_len + (type == 'W' ? 24 + (size_t)old_len : 0);
            char *buf = malloc(total), *p = buf;
            if (!buf) abort();
            *p++ = type;
            memcpy(p, &path_len, 4); p += 4;
            memcpy(p, path, path_len); p += path_len;
            if (type == 'W') {
                memcpy(p, &offset, 8); p += 8;
                memcpy(p, &size_before, 8); p += 8;
                memcpy(p, &old_len, 8); p += 8;
                memcpy(p, old, (size_t)old_len);
            }
            if (!real_write) real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
            int fd = open(log, O_WRONLY | O_APPEND | O_CLOEXEC);
            if (fd < 0 || real_write(fd, buf, total) != (ssize_t)total) abort();
            close(fd);
            free(buf);
        }

        // offset -1: where the descriptor is (a plain write).
        static void before_write(int fd, size_t n, off_t offset) {
            char path[4096];
            if (!ledger_path(fd, path, sizeof path)) return;
            if (offset < 0) offset = lseek(fd, 0, SEEK_CUR);
            struct stat st;
            if (fstat(fd, &st) != 0) abort();
            char *old = malloc(n ? n : 1);
            if (!old) abort();
            ssize_t got = pread(fd, old, n, offset);
            if (got < 0) abort();
            note('W', path, offset, st.st_size, old, got);
            free(old);
        }

        ssize_t pwrite64(int fd, const void *buf, size_t n, off_t offset) {
            if (!real_pwrite) real_pwrite = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
            pthread_mutex_lock(&lock);
            before_write(fd, n, offset);
            ssize_t r = real_pwrite(fd, buf, n, offset);
            pthread_mutex_unlock(&lock);
            return r;
        }
        ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset) { return pwrite64(fd, buf, n, offset); }
        ssize_t write(int fd, const void *buf, size_t n) {
            if (!real_write) real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
            pthread_mutex_lock(&lock);
            before_write(fd, n, -1);
            ssize_t r = real_write(fd, buf, n);
            pthread_mutex_unlock(&lock);
            return r;
        }
        #define NOTED_SYNC(name) \
            int name(int fd) { \
                static int (*real)(int); \
                if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, #name); \
                int r = real(fd); \
                char path[4096]; \
                if (r == 0 && ledger_path(fd, path, sizeof path)) { \
                    pthread_mutex_lock(&lock); \
                    note('S', path, 0, 0, 0, 0); \
                    pthread_mutex_unlock(&lock); \
                } \
                return r; \
            }
        NOTED_SYNC(fsync)
        NOTED_SYNC(fdatasync)
        """#

    static let library: String? = FaultShim.compile(source, name: "powercut")

    static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw HarnessError("realpath \(path): \(String(cString: strerror(errno)))") }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    struct Write {
        var offset: Int64, sizeBefore: Int64, old: [UInt8]
    }

    /// Undoes what `log` recorded after each file's last sync, newest
    /// first, and puts each file back to its size at that sync. Returns how
    /// many writes were undone.
    static func cut(log: String) throws -> Int {
        let bytes = [UInt8](FileManager.default.contents(atPath: log) ?? Data())
        var i = 0
        func int<T: FixedWidthInteger>(_: T.Type) -> T {
            var v: T = 0
            withUnsafeMutableBytes(of: &v) { $0.copyBytes(from: bytes[i..<(i + MemoryLayout<T>.size)]) }
            i += MemoryLayout<T>.size
            return T(littleEndian: v)
        }
        var sinceSync: [String: [Write]] = [:]
        while i < bytes.count {
            let type = bytes[i]
            i += 1
            let length = Int(int(UInt32.self))
            let path = String(decoding: bytes[i..<(i + length)], as: UTF8.self)
            i += length
            if type == UInt8(ascii: "S") {
                sinceSync[path] = []
                continue
            }
            let offset = int(Int64.self), sizeBefore = int(Int64.self), oldLength = Int(int(Int64.self))
            sinceSync[path, default: []].append(Write(offset: offset, sizeBefore: sizeBefore, old: Array(bytes[i..<(i + oldLength)])))
            i += oldLength
        }
        var undone = 0
        for (path, writes) in sinceSync where !writes.isEmpty {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw HarnessError("open \(path) to undo its writes: \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            for w in writes.reversed() where !w.old.isEmpty {
                guard w.old.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, off_t(w.offset)) }) == w.old.count else {
                    throw HarnessError("undo a write to \(path)")
                }
            }
            guard ftruncate(fd, off_t(writes[0].sizeBefore)) == 0 else { throw HarnessError("truncate \(path)") }
            undone += writes.count
        }
        return undone
    }
}
