import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

@Suite("SafeReader: reading a claimed entry like Postfix safe_open")
struct SafeReaderTests {
    /// Runs `SafeReader.read` on its own thread and gives up after `timeout`,
    /// so a reader that blocks (on a FIFO, a device) fails the test instead of
    /// hanging the whole run.
    static func readWithTimeout(_ path: String, maxSize: Int64, timeout: Double = 5) -> ClaimedEntry? {
        final class Box: @unchecked Sendable { var result: ClaimedEntry? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = SafeReader.read(path, maxSize: maxSize)
            done.signal()
        }
        thread.start()
        if done.wait(timeout: .now() + timeout) == .timedOut { return nil }
        return box.result
    }

    @Test func aRegularFileIsReadWholeWithItsSHA256() throws {
        try Scratch.withDir("regular") { dir in
            let path = dir + "/4116-UBND-CN.pdf"
            let payload = Scratch.random(1_234_567)
            try Scratch.write(path, payload)
            guard case .file(let bytes, let sha) = SafeReader.read(path, maxSize: 200 << 20) else {
                Issue.record("a regular file was refused")
                return
            }
            #expect(bytes == payload)
            let expected = try Scratch.sha256sum(path)
            #expect(sha == expected)
            #expect(sha.count == 64 && sha == sha.lowercased())
        }
    }

    @Test func aFileOfExactlyMaxSizeIsRead() throws {
        try Scratch.withDir("boundary") { dir in
            let path = dir + "/a.pdf"
            try Scratch.write(path, Scratch.random(1000))
            guard case .file(let bytes, _) = SafeReader.read(path, maxSize: 1000) else {
                Issue.record("a file of exactly max size was refused")
                return
            }
            #expect(bytes.count == 1000)
        }
    }

    @Test func aSymlinkIsRefusedAndItsTargetIsNotRead() throws {
        try Scratch.withDir("symlink") { dir in
            let target = dir + "/etc-shadow-like"
            try Scratch.write(target, "root:secret-hash:19000::::::")
            let targetSHA = try Scratch.sha256sum(target)
            let link = dir + "/harmless.pdf"
            #expect(symlink(target, link) == 0)
            let result = SafeReader.read(link, maxSize: 1 << 20)
            guard case .refused(let kind, let reason, let size, let sha) = result else {
                Issue.record("a symlink was read: \(result)")
                return
            }
            #expect(reason == .notRegular)
            #expect(kind == "symbolic link")
            #expect(size == 0)
            #expect(sha != targetSHA)
            #expect(sha.isEmpty)
        }
    }

    @Test func aSymlinkToADirectoryIsRefused() throws {
        try Scratch.withDir("symdir") { dir in
            try FileManager.default.createDirectory(atPath: dir + "/d", withIntermediateDirectories: true)
            #expect(symlink(dir + "/d", dir + "/l") == 0)
            guard case .refused(let kind, .notRegular, _, _) = SafeReader.read(dir + "/l", maxSize: 100) else {
                Issue.record("a symlink to a folder was not refused as not regular")
                return
            }
            #expect(kind == "symbolic link")
        }
    }

    // No time limit trait on these: `readWithTimeout` is the deadline, and a
    // trait's clock also counts time spent waiting for a free thread while
    // the daemon-as-a-process tests block theirs, which on two cores
    // exceeded a minute in a full parallel run.
    @Test
    func aFIFOIsRefusedWithoutBlocking() throws {
        try Scratch.withDir("fifo") { dir in
            let path = dir + "/pipe.pdf"
            #expect(mkfifo(path, 0o644) == 0)
            let started = Date()
            let result = Self.readWithTimeout(path, maxSize: 1 << 20)
            if result == nil {
                // Unblock the stuck reader so the run can go on, then fail.
                let w = open(path, O_WRONLY | O_NONBLOCK)
                if w >= 0 { close(w) }
                Issue.record("SafeReader blocked on a FIFO with no writer")
                return
            }
            #expect(Date().timeIntervalSince(started) < 2)
            guard case .refused(let kind, let reason, let size, _) = result! else {
                Issue.record("a FIFO was read")
                return
            }
            #expect(reason == .notRegular)
            #expect(kind == "FIFO")
            #expect(size == 0)
        }
    }

    @Test(.enabled(if: getuid() == 0, "mknod of a device needs root"))
    func aCharacterDeviceIsRefusedWithoutBlocking() throws {
        try Scratch.withDir("chardev") { dir in
            let path = dir + "/null.pdf"
            // /dev/null is major 1, minor 3 (glibc makedev: major << 8 | minor for small numbers).
            guard mknod(path, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 else {
                try Test.cancel("mknod refused: \(String(cString: strerror(errno)))")
            }
            guard let result = Self.readWithTimeout(path, maxSize: 1 << 20) else {
                Issue.record("SafeReader blocked on a character device")
                return
            }
            guard case .refused(let kind, .notRegular, _, _) = result else {
                Issue.record("a character device was not refused: \(result)")
                return
            }
            #expect(kind == "character device")
        }
    }

    @Test(.enabled(if: getuid() == 0, "mknod of a device needs root"))
    func aTerminalLikeDeviceIsRefused() throws {
        // /dev/zero (1,5) would never end if read.
        try Scratch.withDir("zero") { dir in
            let path = dir + "/zero.pdf"
            guard mknod(path, S_IFCHR | 0o666, dev_t(1 << 8 | 5)) == 0 else {
                try Test.cancel("mknod refused")
            }
            guard let result = Self.readWithTimeout(path, maxSize: 1 << 20),
                  case .refused(_, .notRegular, _, _) = result else {
                Issue.record("/dev/zero look-alike not refused")
                return
            }
        }
    }

    @Test func aSocketIsRefused() throws {
        try Scratch.withDir("socket") { dir in
            let path = dir + "/sock.pdf"
            guard mknod(path, S_IFSOCK | 0o644, 0) == 0 else { try Test.cancel("mknod of a socket refused") }
            guard case .refused(let kind, .notRegular, _, _) = SafeReader.read(path, maxSize: 100) else {
                Issue.record("a socket was not refused")
                return
            }
            #expect(kind == "socket")
        }
    }

    @Test func aDirectoryIsRefusedAsNotRegular() throws {
        try Scratch.withDir("directory") { dir in
            guard case .refused(let kind, .notRegular, _, _) = SafeReader.read(dir, maxSize: 100) else {
                Issue.record("a folder was not refused")
                return
            }
            #expect(kind == "directory")
        }
    }

    @Test func aFileWithTwoHardLinksIsRefusedWithItsSizeAndHash() throws {
        try Scratch.withDir("hardlink") { dir in
            let path = dir + "/a.pdf"
            let payload = Scratch.random(4096)
            try Scratch.write(path, payload)
            #expect(link(path, dir + "/elsewhere") == 0)
            guard case .refused(let kind, let reason, let size, let sha) = SafeReader.read(path, maxSize: 1 << 20) else {
                Issue.record("a hard-linked file was read")
                return
            }
            #expect(reason == .hardLinked)
            #expect(kind == "regular file")
            #expect(size == 4096)
            let expected = try Scratch.sha256sum(path)
            #expect(sha == expected)
            // Once the other link is gone the file is an ordinary one again.
            #expect(unlink(dir + "/elsewhere") == 0)
            guard case .file(let bytes, _) = SafeReader.read(path, maxSize: 1 << 20) else {
                Issue.record("a file with one link was refused")
                return
            }
            #expect(bytes == payload)
        }
    }

    @Test func anEmptyFileIsRefusedAsEmpty() throws {
        try Scratch.withDir("empty") { dir in
            let path = dir + "/empty.pdf"
            try Scratch.write(path, [])
            guard case .refused(let kind, let reason, let size, let sha) = SafeReader.read(path, maxSize: 100) else {
                Issue.record("an empty file was accepted")
                return
            }
            #expect(reason == .empty)
            #expect(kind == "regular file")
            #expect(size == 0)
            #expect(sha == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        }
    }

    @Test func aFileOverMaxSizeIsRefusedWithItsTrueSizeAndHash() throws {
        try Scratch.withDir("toolarge") { dir in
            let path = dir + "/huge.pdf"
            // Several read chunks (the hash reads 1 MiB at a time), not a multiple of it.
            try Scratch.write(path, Scratch.random(3 * 1024 * 1024 + 7))
            guard case .refused(_, let reason, let size, let sha) = SafeReader.read(path, maxSize: 1024 * 1024) else {
                Issue.record("a file over max size was read")
                return
            }
            #expect(reason == .tooLarge)
            #expect(size == 3 * 1024 * 1024 + 7)
            let expected = try Scratch.sha256sum(path)
            #expect(sha == expected)
        }
    }

    @Test func aSparseFileOverMaxSizeIsNotReadIntoMemory() throws {
        try Scratch.withDir("sparse") { dir in
            let path = dir + "/sparse.pdf"
            let fd = open(path, O_WRONLY | O_CREAT, 0o644)
            #expect(fd >= 0)
            #expect(ftruncate(fd, 64 << 20) == 0)
            close(fd)
            guard case .refused(_, .tooLarge, let size, let sha) = SafeReader.read(path, maxSize: 1 << 20) else {
                Issue.record("a 64 MiB file passed a 1 MiB limit")
                return
            }
            #expect(size == 64 << 20)
            let expected = try Scratch.sha256sum(path)
            #expect(sha == expected)
        }
    }

    @Test func aMissingFileIsUnreadable() throws {
        try Scratch.withDir("missing") { dir in
            guard case .refused(_, .unreadable, 0, "") = SafeReader.read(dir + "/gone.pdf", maxSize: 100) else {
                Issue.record("a missing file was not reported unreadable")
                return
            }
        }
    }

    @Test func kindNamesAreHumanReadable() {
        #expect(SafeReader.kindName(S_IFREG | 0o644) == "regular file")
        #expect(SafeReader.kindName(S_IFDIR) == "directory")
        #expect(SafeReader.kindName(S_IFLNK) == "symbolic link")
        #expect(SafeReader.kindName(S_IFIFO) == "FIFO")
        #expect(SafeReader.kindName(S_IFSOCK) == "socket")
        #expect(SafeReader.kindName(S_IFCHR) == "character device")
        #expect(SafeReader.kindName(S_IFBLK) == "block device")
    }
}

@Suite("SHA256Hex through OpenSSL")
struct SHA256HexTests {
    @Test func knownVectors() {
        #expect(SHA256Hex.of([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hex.of(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hex.of(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let data = Scratch.random(100_003)
        let h = SHA256Hex()
        h.update(data[0..<1])
        h.update(data[1..<65_536])
        h.update(data[65_536...])
        #expect(h.finish() == SHA256Hex.of(data))
    }

    @Test func agreesWithCoreutils() throws {
        try Scratch.withDir("sha") { dir in
            let data = Scratch.random(54_321)
            try Scratch.write(dir + "/x", data)
            let expected = try Scratch.sha256sum(dir + "/x")
            #expect(SHA256Hex.of(data) == expected)
        }
    }
}
