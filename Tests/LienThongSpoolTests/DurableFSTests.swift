import Foundation
import Testing
@testable import LienThongSpool
#if canImport(Glibc)
import Glibc
#endif

@Suite("DurableFS: durable writes, no-replace moves, copies")
struct DurableFSTests {
    // MARK: the umask

    /// The process's umask as /proc shows it (reading it with umask(2)
    /// would change it for a moment).
    static func currentUmask() -> mode_t? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
              let value = mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) else { return nil }
        return value
    }

    /// A folder made with an exact mode clears the process's umask for a
    /// moment; a thread that creates files meanwhile (the filing threads,
    /// inside `withSteadyUmask`) must never see it cleared: the exact
    /// folder waits until that thread is done.
    @Test func anExactFolderWaitsForAThreadThatCreatesWithTheUmask() throws {
        guard let before = Self.currentUmask(), before != 0 else { return }  // nothing a cleared umask could change
        let entered = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var seen: Set<mode_t> = []
        nonisolated(unsafe) var samplerEnded = Date.distantFuture
        Thread.detachNewThread {
            DurableFS.withSteadyUmask {
                entered.signal()
                let until = Date().addingTimeInterval(0.3)
                while Date() < until {
                    if let u = Self.currentUmask() { seen.insert(u) }
                    usleep(1_000)
                }
                samplerEnded = Date()
            }
            done.signal()
        }
        entered.wait()
        var ranAt = Date.distantPast
        DurableFS.withExactMode(true) {
            ranAt = Date()
            usleep(100_000)
        }
        done.wait()
        #expect(!seen.contains(0), "a thread creating with the umask saw it cleared: \(seen)")
        #expect(ranAt >= samplerEnded)
    }

    // MARK: writeFile

    @Test func writeFileCreatesTheFileWithItsBytesAndNoTempName() throws {
        try Scratch.withDir("write") { dir in
            let path = dir + "/receipt.json"
            let payload = Scratch.random(70_000)
            try DurableFS.writeFile(path, contents: payload)
            #expect(try Scratch.bytes(path) == payload)
            #expect(Scratch.list(dir) == ["receipt.json"])
        }
    }

    @Test func writeFileReplacesAtomically() throws {
        try Scratch.withDir("replace") { dir in
            let path = dir + "/a.txt"
            try DurableFS.writeFile(path, text: "old contents")
            let oldInode = Scratch.inode(path)
            // A reader that opened the old file keeps seeing the old bytes whole:
            // the new file is a new inode renamed over it, not an overwrite in place.
            let reader = open(path, O_RDONLY)
            #expect(reader >= 0)
            defer { close(reader) }

            try DurableFS.writeFile(path, text: "new contents, longer than before")
            #expect(try Scratch.text(path) == "new contents, longer than before")
            #expect(Scratch.inode(path) != oldInode)

            var buffer = [UInt8](repeating: 0, count: 64)
            let n = buffer.withUnsafeMutableBytes { pread(reader, $0.baseAddress, $0.count, 0) }
            #expect(String(decoding: buffer[0..<max(n, 0)], as: UTF8.self) == "old contents")
            #expect(Scratch.list(dir) == ["a.txt"])
        }
    }

    @Test func writeFileUsesTheRequestedMode() throws {
        try Scratch.withDir("mode") { dir in
            let path = dir + "/secret"
            try DurableFS.writeFile(path, text: "x", mode: 0o600)
            var st = stat()
            #expect(lstat(path, &st) == 0)
            #expect(st.st_mode & 0o777 == 0o600)
        }
    }

    @Test func writeFileReplacesASymlinkInsteadOfWritingThroughIt() throws {
        try Scratch.withDir("wsym") { dir in
            let victim = dir + "/victim"
            try Scratch.write(victim, "precious")
            #expect(symlink(victim, dir + "/receipt.txt") == 0)
            try DurableFS.writeFile(dir + "/receipt.txt", text: "receipt")
            #expect(try Scratch.text(victim) == "precious")
            #expect(try Scratch.text(dir + "/receipt.txt") == "receipt")
            var st = stat()
            #expect(lstat(dir + "/receipt.txt", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
        }
    }

    @Test func writeFileIntoAMissingFolderSaysWhereAndWhy() throws {
        try Scratch.withDir("nodir") { dir in
            let path = dir + "/missing/receipt.json"
            let error = #expect(throws: SpoolError.self) { try DurableFS.writeFile(path, text: "x") }
            #expect(error?.code == ENOENT)
            #expect(error?.path.hasPrefix(dir + "/missing/") == true)
            #expect(error?.description.contains("No such file or directory") == true)
            #expect(error?.description.contains(dir + "/missing/") == true)
            #expect(error?.isResourceExhaustion == false)
        }
    }

    @Test func aFailedRenameLeavesNoTempFileBehind() throws {
        try Scratch.withDir("renamefail") { dir in
            // The target is a non-empty folder: rename(2) of a file over it fails.
            let path = dir + "/target"
            try Scratch.write(path + "/inside", "keep me")
            let error = #expect(throws: SpoolError.self) { try DurableFS.writeFile(path, text: "x") }
            #expect(error?.code == EISDIR)
            #expect(error?.description.contains(path) == true)
            #expect(Scratch.leftovers(dir).isEmpty)
            #expect(try Scratch.text(path + "/inside") == "keep me")
        }
    }

    /// A full disk: the write fails with ENOSPC, the old file is intact, no
    /// temporary file is left, and the error says it is worth retrying.
    @Test(.enabled(if: getuid() == 0, "needs root to mount a tiny tmpfs"))
    func writeFileOnAFullDiskKeepsTheOldFile() throws {
        try Scratch.withDir("full") { dir in
            let mnt = dir + "/small"
            try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
            guard (try? Scratch.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt])) != nil else {
                try Test.cancel("cannot mount a tmpfs here")
            }
            defer { _ = try? Scratch.run("/bin/umount", ["-l", mnt]) }

            let path = mnt + "/receipt.json"
            try DurableFS.writeFile(path, text: "the old receipt")
            let error = #expect(throws: SpoolError.self) {
                try DurableFS.writeFile(path, contents: Scratch.random(512 * 1024))
            }
            #expect(error?.code == ENOSPC)
            #expect(error?.isResourceExhaustion == true)
            #expect(error?.description.contains("No space left on device") == true)
            #expect(try Scratch.text(path) == "the old receipt")
            #expect(Scratch.list(mnt) == ["receipt.json"])

            // copyFile fails the same way, leaving no `.part`.
            let big = dir + "/big"
            try Scratch.write(big, Scratch.random(512 * 1024))
            let copyError = #expect(throws: SpoolError.self) { try DurableFS.copyFile(big, to: mnt + "/big") }
            #expect(copyError?.code == ENOSPC)
            #expect(Scratch.list(mnt) == ["receipt.json"])
        }
    }

    /// A name of 255 bytes is a valid name; the hidden temporary name beside
    /// it must not be the thing that does not fit.
    @Test func namesAtTheLengthLimitCanBeWrittenAndCopied() throws {
        try Scratch.withDir("longname") { dir in
            var name = "Quyết định số 123-QĐ-UBND về việc thành lập Ban Chỉ đạo"
            while name.utf8.count < 260 { name += " ấ" }
            while name.utf8.count > 255 - 4 { name.removeLast() }
            name += ".pdf"
            #expect(name.utf8.count >= 254 && name.utf8.count <= 255)
            try DurableFS.writeFile(dir + "/" + name, text: "written")
            #expect(try Scratch.text(dir + "/" + name) == "written")
            try FileManager.default.createDirectory(atPath: dir + "/copy", withIntermediateDirectories: true)
            try DurableFS.copyFile(dir + "/" + name, to: dir + "/copy/" + name)
            #expect(try Scratch.text(dir + "/copy/" + name) == "written")
            #expect(Set(Scratch.list(dir)) == ["copy", name])
            #expect(Scratch.list(dir + "/copy") == [name])
            // A name that is too long is refused as such, not mangled.
            let error = #expect(throws: SpoolError.self) { try DurableFS.writeFile(dir + "/" + name + "x", text: "x") }
            #expect(error?.code == ENAMETOOLONG)
            #expect(Scratch.leftovers(dir).isEmpty)
        }
    }

    @Test func temporaryNamesAreCutBetweenCharacters() {
        let name = String(repeating: "ệ", count: 200)  // 3 bytes each
        let tmp = DurableFS.temporaryPath(for: "/s/" + name, suffix: "part")
        let last = (tmp as NSString).lastPathComponent
        #expect(last.utf8.count <= 255)
        #expect(last.hasPrefix(".ệệ") && last.hasSuffix(".\(getpid()).part"))
        #expect(DurableFS.temporaryPath(for: "/s/a.json", suffix: "tmp") == "/s/.a.json.\(getpid()).tmp")
        #expect(DurableFS.prefix(of: "aệb", utf8Bytes: 3) == "a")
        #expect(DurableFS.prefix(of: "aệb", utf8Bytes: 4) == "aệ")
    }

    /// The byte cut of `prefix(of:utf8Bytes:)` is the definition by scalars
    /// at every limit: multi-byte characters, NFD marks (a scalar of their
    /// own: the cut may fall between a letter and its mark, never inside
    /// either), four-byte emoji.
    @Test(arguments: ["aệb", "Hồ sơ".decomposedStringWithCanonicalMapping, "Hồ sơ".precomposedStringWithCanonicalMapping, "😀x😀", "e\u{301}\u{302}", ""])
    func prefixCutsBetweenScalarsAtEveryLimit(text: String) {
        func byScalars(_ s: String, _ max: Int) -> String {
            var out = String.UnicodeScalarView()
            var used = 0
            for u in s.unicodeScalars {
                used += UTF8.width(u)
                if used > max { break }
                out.append(u)
            }
            return String(out)
        }
        for max in 0...(text.utf8.count + 1) {
            let cut = DurableFS.prefix(of: text, utf8Bytes: max)
            #expect(Array(cut.utf8) == Array(byScalars(text, max).utf8), "\(text) at \(max)")
            #expect(cut.utf8.count <= max && text.utf8.starts(with: cut.utf8))
        }
    }

    @Test func aTemporaryNameForANameAtTheLimitKeepsWholeCharacters() {
        let name = String(repeating: "😀", count: 63) + "abc"  // 255 bytes
        #expect(name.utf8.count == 255)
        let tmp = DurableFS.temporaryPath(for: "/s/q/" + name, suffix: "part")
        let last = TrustedPath.lastComponent(of: tmp)
        #expect(TrustedPath.parent(of: tmp) == "/s/q")
        #expect(last.utf8.count <= 255 && last.hasSuffix(".\(getpid()).part"))
        let kept = last.utf8.dropFirst().dropLast(".\(getpid()).part".utf8.count)
        #expect(kept.count % 4 == 0 && name.utf8.starts(with: kept), "cut inside a character")
        #expect(DurableFS.temporaryPath(for: "x.json", suffix: "tmp") == ".x.json.\(getpid()).tmp")
        #expect(DurableFS.temporaryPath(for: "/x.json", suffix: "tmp") == "/.x.json.\(getpid()).tmp")
    }

    // MARK: move

    @Test func moveWithNoReplaceRefusesToOverwrite() throws {
        try Scratch.withDir("noreplace") { dir in
            let from = dir + "/queue-file", to = dir + "/archive-file"
            try Scratch.write(from, "incoming")
            try Scratch.write(to, "already archived")
            let error = #expect(throws: SpoolError.self) { try DurableFS.move(from, to: to) }
            #expect(error?.code == EEXIST)
            #expect(error?.description.contains("File exists") == true)
            #expect(error?.description.contains(from) == true)
            #expect(error?.description.contains(to) == true)
            #expect(try Scratch.text(from) == "incoming")
            #expect(try Scratch.text(to) == "already archived")
        }
    }

    @Test func moveWithNoReplaceRefusesAnExistingFolderToo() throws {
        try Scratch.withDir("noreplacedir") { dir in
            try Scratch.write(dir + "/queue/id/files/a.pdf", "a")
            try Scratch.write(dir + "/archive/id/files/b.pdf", "b")
            #expect(throws: SpoolError.self) { try DurableFS.move(dir + "/queue/id", to: dir + "/archive/id") }
            #expect(try Scratch.text(dir + "/queue/id/files/a.pdf") == "a")
            #expect(try Scratch.text(dir + "/archive/id/files/b.pdf") == "b")
            #expect(!Scratch.exists(dir + "/archive/id/files/a.pdf"))
        }
    }

    @Test func moveToAFreeNameMovesTheEntryWhole() throws {
        try Scratch.withDir("move") { dir in
            try Scratch.write(dir + "/queue/id/files/a.pdf", "a")
            try Scratch.write(dir + "/queue/id/files/sub/b.pdf", "b")
            try FileManager.default.createDirectory(atPath: dir + "/archive", withIntermediateDirectories: true)
            let inode = Scratch.inode(dir + "/queue/id/files/a.pdf")
            try DurableFS.move(dir + "/queue/id", to: dir + "/archive/id")
            #expect(!Scratch.exists(dir + "/queue/id"))
            #expect(Scratch.tree(dir + "/archive/id") == ["files", "files/a.pdf", "files/sub", "files/sub/b.pdf"])
            #expect(Scratch.inode(dir + "/archive/id/files/a.pdf") == inode)
        }
    }

    @Test func moveWithReplaceAllowedOverwrites() throws {
        try Scratch.withDir("replacemove") { dir in
            try Scratch.write(dir + "/a", "new")
            try Scratch.write(dir + "/b", "old")
            try DurableFS.move(dir + "/a", to: dir + "/b", noReplace: false)
            #expect(try Scratch.text(dir + "/b") == "new")
            #expect(Scratch.list(dir) == ["b"])
        }
    }

    @Test func moveOfAMissingSourceNamesIt() throws {
        try Scratch.withDir("movemissing") { dir in
            let error = #expect(throws: SpoolError.self) { try DurableFS.move(dir + "/nothing", to: dir + "/there") }
            #expect(error?.code == ENOENT)
            #expect(error?.description.contains(dir + "/nothing") == true)
            #expect(!Scratch.exists(dir + "/there"))
        }
    }

    // MARK: copyFile

    @Test func copyFileGivesIdenticalBytesAndNoPart() throws {
        try Scratch.withDir("copy") { dir in
            // Larger than the 1 MiB copy buffer, and not a multiple of it.
            let payload = Scratch.random(3 * 1024 * 1024 + 12_345)
            try Scratch.write(dir + "/src/a.pdf", payload)
            try FileManager.default.createDirectory(atPath: dir + "/dst", withIntermediateDirectories: true)
            try DurableFS.copyFile(dir + "/src/a.pdf", to: dir + "/dst/a.pdf")
            #expect(try Scratch.bytes(dir + "/dst/a.pdf") == payload)
            #expect(try Scratch.bytes(dir + "/src/a.pdf") == payload)
            #expect(try Scratch.sha256sum(dir + "/dst/a.pdf") == Scratch.sha256sum(dir + "/src/a.pdf"))
            #expect(Scratch.list(dir + "/dst") == ["a.pdf"])
            #expect(Scratch.inode(dir + "/dst/a.pdf") != Scratch.inode(dir + "/src/a.pdf"))
        }
    }

    @Test func copyFileOfAnEmptyFile() throws {
        try Scratch.withDir("copyempty") { dir in
            try Scratch.write(dir + "/empty", [])
            try DurableFS.copyFile(dir + "/empty", to: dir + "/copy")
            #expect(try Scratch.bytes(dir + "/copy") == [])
            #expect(Scratch.leftovers(dir).isEmpty)
        }
    }

    @Test func copyFileNeverFollowsASymlinkSource() throws {
        try Scratch.withDir("copysym") { dir in
            try Scratch.write(dir + "/secret", "not for the clerks")
            #expect(symlink(dir + "/secret", dir + "/link.pdf") == 0)
            let error = #expect(throws: SpoolError.self) { try DurableFS.copyFile(dir + "/link.pdf", to: dir + "/out.pdf") }
            #expect(error?.code == ELOOP)
            #expect(error?.description.contains(dir + "/link.pdf") == true)
            #expect(!Scratch.exists(dir + "/out.pdf"))
            #expect(Scratch.leftovers(dir).isEmpty)
        }
    }

    @Test func copyFileIntoAMissingFolderLeavesNothing() throws {
        try Scratch.withDir("copynodir") { dir in
            try Scratch.write(dir + "/a", "a")
            let error = #expect(throws: SpoolError.self) { try DurableFS.copyFile(dir + "/a", to: dir + "/nope/a") }
            #expect(error?.code == ENOENT)
            #expect(Scratch.list(dir) == ["a"])
        }
    }

    // MARK: makeDirectories, exists

    @Test func makeDirectoriesCreatesNestedFolders() throws {
        try Scratch.withDir("mkdir") { dir in
            let deep = dir + "/archive/accepted/2024/03/20240301-000001-abcd"
            try DurableFS.makeDirectories(deep)
            var isDir: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: deep, isDirectory: &isDir) && isDir.boolValue)
            // Again: nothing to do, no error.
            try DurableFS.makeDirectories(deep)
            try DurableFS.makeDirectories(dir + "/archive")
            #expect(Scratch.tree(dir + "/archive") == [
                "accepted", "accepted/2024", "accepted/2024/03", "accepted/2024/03/20240301-000001-abcd",
            ])
        }
    }

    @Test func makeDirectoriesUsesTheMode() throws {
        try Scratch.withDir("mkdirmode") { dir in
            // 0o700 survives any usual umask (it only takes bits away), so the
            // test need not touch the process-wide umask.
            try DurableFS.makeDirectories(dir + "/a/b", mode: 0o700)
            var st = stat()
            #expect(stat(dir + "/a/b", &st) == 0 && st.st_mode & 0o777 == 0o700)
            #expect(stat(dir + "/a", &st) == 0 && st.st_mode & 0o777 == 0o700)
        }
    }

    @Test func makeDirectoriesOverARegularFileFails() throws {
        try Scratch.withDir("mkdirfile") { dir in
            try Scratch.write(dir + "/receipts", "a file where a folder should be")
            let error = #expect(throws: SpoolError.self) { try DurableFS.makeDirectories(dir + "/receipts") }
            #expect(error?.description == "mkdir \(dir)/receipts: File exists")
            // …and below it.
            let below = #expect(throws: SpoolError.self) { try DurableFS.makeDirectories(dir + "/receipts/x") }
            #expect(below?.description.contains(dir + "/receipts") == true)
            #expect(try Scratch.text(dir + "/receipts") == "a file where a folder should be")
        }
    }

    @Test func syncDirectoryOfAMissingFolderFails() throws {
        try Scratch.withDir("sync") { dir in
            try DurableFS.syncDirectory(dir)
            let error = #expect(throws: SpoolError.self) { try DurableFS.syncDirectory(dir + "/gone") }
            #expect(error?.code == ENOENT)
            #expect(error?.path == dir + "/gone")
        }
    }

    @Test func existsSeesDanglingSymlinks() throws {
        try Scratch.withDir("exists") { dir in
            #expect(!DurableFS.exists(dir + "/x"))
            #expect(symlink(dir + "/nowhere", dir + "/x") == 0)
            #expect(DurableFS.exists(dir + "/x"))
        }
    }

    @Test func spoolErrorClassifiesResourceExhaustion() {
        #expect(SpoolError("write", "/s/x", errno: ENOSPC).isResourceExhaustion)
        #expect(SpoolError("write", "/s/x", errno: EDQUOT).isResourceExhaustion)
        #expect(SpoolError("write", "/s/x", errno: EIO).isResourceExhaustion)
        #expect(!SpoolError("open", "/s/x", errno: EACCES).isResourceExhaustion)
        #expect(SpoolError("write", "/s/x", errno: ENOSPC).description == "write /s/x: No space left on device")
    }
}
