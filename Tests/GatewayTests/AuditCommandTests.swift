import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `lienthongctl audit` on a spool the real daemon filed, while it runs:
/// clean, then each kind of tampering an operator must hear about, each
/// undone before the next so that every failure is that change's alone.
@Suite(.serialized)
struct AuditCommandTests {
    let sto = "000.00.21.H41"

    @Test func cleanSpoolPassesAndEachTamperingIsNamed() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust())
        try d.start()
        var ids: [String] = []
        for key in ["4116-UBND-CN", "4117-UBND-CN"] {
            let pair = try Fixtures.samplePair(key: key)
            // Dropped writable (0644): the claim seals each file into a
            // read-only inode of the daemon's, so the audit finds it clean.
            try d.drop([pair.electronic, pair.scan], into: sto)
            let r = try d.receipt(sto, key: key, verdict: "accepted")
            ids.append(try #require(r["submission"] as? String))
        }
        let clean = try Ctl.run(d, ["audit"])
        #expect(clean.status == 0, "audit of a clean spool failed:\n\(clean.out)\(clean.err)")
        #expect(clean.out.contains("no problems (2 placed submissions, 4 archived files"), "\(clean.out)")

        let folder = try #require(try Ctl.json(d, ["show", ids[0]])["archive"] as? String)
        let electronic = folder + "/files/4116-UBND-CN.pdf"
        let scan = folder + "/files/4116-UBND-CN_scan.pdf"

        // One byte changed (root writes through the read-only mode; the mode stays).
        let original = try #require(FileManager.default.contents(atPath: electronic))
        var changed = original
        changed[changed.count / 2] ^= 0x01
        try write(changed, to: electronic)
        var r = try audit(d, expectNamed: electronic)
        #expect(r.out.contains("\(electronic): content differs from the ledger"))
        #expect(r.out.contains("\(electronic): content differs from receipt.json"))
        try write(original, to: electronic)
        try auditPasses(d, "after restoring the byte")

        // A file deleted.
        let aside = try DaemonHarness.makeTempDir() + "/aside"
        try FileManager.default.moveItem(atPath: scan, toPath: aside)
        r = try audit(d, expectNamed: scan)
        #expect(r.out.contains("\(scan): missing"))
        try FileManager.default.moveItem(atPath: aside, toPath: scan)
        try auditPasses(d, "after putting the file back")

        // A file added, in files/ and beside it.
        for extra in [folder + "/files/extra.pdf", folder + "/notes.txt"] {
            try write(Data("added later".utf8), to: extra)
            r = try audit(d, expectNamed: extra)
            #expect(r.out.contains("\(extra): not recorded in the ledger"))
            #expect(unlink(extra) == 0)
        }
        try auditPasses(d, "after removing the extra files")

        // chmod g+w: evidence writable by the clerks' group.
        #expect(chmod(electronic, 0o464) == 0)
        r = try audit(d, expectNamed: electronic)
        #expect(r.out.contains("\(electronic): writable (expected no write permission (mode 0444 or stricter), found mode 0464)"))
        #expect(chmod(electronic, 0o444) == 0)

        // An inode shared with a path outside the archive.
        let outside = aside + ".link"
        #expect(link(electronic, outside) == 0)
        r = try audit(d, expectNamed: electronic)
        #expect(r.out.contains("has hard links the ledger does not explain"))
        #expect(unlink(outside) == 0)

        // An owner other than the daemon's user (here root, the owner of state/).
        #expect(chown(scan, 4242, 4242) == 0)
        r = try audit(d, expectNamed: scan)
        #expect(r.out.contains("not owned by the daemon's user"))
        #expect(chown(scan, 0, 0) == 0)

        // A submission folder the ledger does not know.
        let stray = (folder as NSString).deletingLastPathComponent + "/20260101-999999-dead"
        #expect(mkdir(stray, 0o755) == 0)
        r = try audit(d, expectNamed: stray)
        #expect(r.out.contains("\(stray): not recorded in the ledger"))
        #expect(rmdir(stray) == 0)

        // --json says the same as data.
        #expect(chmod(electronic, 0o664) == 0)
        let json = try Ctl.json(d, ["audit"])
        #expect(json["ok"] as? Bool == false)
        let problems = (json["problems"] as? [[String: Any]]) ?? []
        #expect(problems.map { $0["path"] as? String } == [electronic])
        #expect(chmod(electronic, 0o444) == 0)
        try auditPasses(d, "at the end")
        #expect(d.stop() == 0)
    }

    func write(_ data: Data, to path: String) throws {
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: FileManager.default.fileExists(atPath: path) ? path : {
            _ = FileManager.default.createFile(atPath: path, contents: nil); return path  // FileHandle says if it failed
        }()))
        try h.truncate(atOffset: 0)
        try h.write(contentsOf: data)
        try h.close()
    }

    /// Runs the audit and expects exit 1 with `path` named at the start of a problem line.
    func audit(_ d: DaemonHarness, expectNamed path: String) throws -> Ctl.Result {
        let r = try Ctl.run(d, ["audit"])
        #expect(r.status == 1, "audit did not fail for \(path):\n\(r.out)\(r.err)")
        #expect(r.out.split(separator: "\n").contains { $0.hasPrefix(path + ": ") }, "audit did not name \(path):\n\(r.out)")
        #expect(r.out.contains("problem"), "no summary line:\n\(r.out)")
        return r
    }

    func auditPasses(_ d: DaemonHarness, _ when: String) throws {
        let r = try Ctl.run(d, ["audit"])
        #expect(r.status == 0, "audit failed \(when):\n\(r.out)\(r.err)")
    }
}
