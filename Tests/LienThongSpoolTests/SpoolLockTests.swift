import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

/// The spool lock in one process: flock(2) locks belong to open file
/// descriptions, so a second acquire here conflicts just as a second
/// daemon's would (the daemon-as-process test is OneDaemonPerSpoolTests).
@Suite("One daemon per spool: the lock")
struct SpoolLockTests {
    @Test func secondAcquireIsRefusedNamingTheHolderUntilTheFirstIsReleased() throws {
        try Scratch.withDir("lock") { dir in
            let layout = SpoolLayout(root: dir + "/spool")
            var first: SpoolLock? = try SpoolLock.acquire(layout)
            #expect(try Scratch.text(SpoolLock.path(in: layout)) == "\(getpid())\n")
            let refused = #expect(throws: SpoolLock.Held.self) { try SpoolLock.acquire(layout) }
            #expect(refused?.holder == getpid())
            #expect(refused?.description.contains("PID \(getpid())") == true)

            // A holder that has not written its PID yet is found in /proc/locks.
            #expect(truncate(SpoolLock.path(in: layout), 0) == 0)
            let unwritten = #expect(throws: SpoolLock.Held.self) { try SpoolLock.acquire(layout) }
            #expect(unwritten?.holder == getpid())

            first = nil
            #expect(first == nil)
            _ = try SpoolLock.acquire(layout)
        }
    }

    /// /proc/locks reads as size 0; more than a page of it must still be
    /// read whole (the reader ProcLocks uses, on a /proc file that long).
    @Test func aProcFileIsReadPastItsFirstPage() throws {
        let maps = "/proc/\(getpid())/maps"
        let whole = String(decoding: try #require(TrustedPath.read(maps, limit: 16 << 20)), as: UTF8.self)
        var reference: [UInt8] = []
        let f = try #require(fopen(maps, "r"))
        defer { fclose(f) }
        var c = fgetc(f)
        while c != EOF { reference.append(UInt8(c)); c = fgetc(f) }
        #expect(reference.count > 4096, "this process's maps should span pages")
        // The maps change as threads come and go: past the first page is what matters.
        #expect(whole.utf8.count > 4096)
        #expect(whole.hasSuffix("\n"))
    }

    @Test func procLocksLineIsMatchedByDeviceAndInode() {
        // st_dev 0xfe00 is major 0xfe, minor 0; a waiter line ("->") is not a holder.
        let text = """
            1: POSIX  ADVISORY  WRITE 5844 fe:00:5318182 1073741824 1073742335
            2: FLOCK  ADVISORY  WRITE 4242 fe:00:77 0 EOF
            2: -> FLOCK  ADVISORY  WRITE 4343 fe:00:77 0 EOF
            """
        #expect(ProcLocks.flockHolder(device: 0xfe00, inode: 77, text: text) == 4242)
        #expect(ProcLocks.flockHolder(device: 0xfe00, inode: 5318182, text: text) == nil)
        #expect(ProcLocks.flockHolder(device: 0x0801, inode: 77, text: text) == nil)
    }
}
