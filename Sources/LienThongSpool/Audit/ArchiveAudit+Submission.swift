import Foundation
import LienThongCore
#if canImport(Glibc)
import Glibc
#endif

/// One placed submission's folder against its ledger rows and receipt.json.
extension ArchiveAudit {
    /// What a placed submission's folder holds, and nothing else.
    static let folderEntries: Set<[UInt8]> = [Array("files".utf8), Array("receipt.json".utf8), Array("validation.json".utf8)]

    func checkSubmission(_ sub: LedgerReader.AuditSnapshot.Placed, daemonUID: uid_t, into report: inout AuditReport) {
        func problem(_ p: AuditProblem) { report.problems.append(p) }
        let folder = sub.placement
        var st = stat()
        guard lstat(folder, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            let found = lstat(folder, &st) == 0 ? SafeReader.kindName(st.st_mode) : "nothing"
            return problem(AuditProblem(folder, "archive folder of placed submission \(sub.id) is missing",
                                        expected: "a folder", found: found))
        }
        for entry in RawDirectory.list(folder) ?? [] where !Self.folderEntries.contains(entry.name) {
            problem(AuditProblem(folder + "/" + entry.display, "not recorded in the ledger",
                                 expected: "only files/, receipt.json, validation.json", found: SafeReader.kindName(entry.stat.st_mode)))
        }
        let receipt = receiptFiles(sub, folder: folder, into: &report)

        let filesDir = folder + "/files"
        var onDisk: [[UInt8]: RawDirectory.Entry] = [:]
        for (relative, entry) in RawDirectory.walk(filesDir) ?? [] { onDisk[relative] = entry }
        for file in sub.files {
            let path = filesDir + "/" + file.name
            guard let entry = onDisk.removeValue(forKey: Array(file.name.utf8)) else {
                problem(AuditProblem(path, "missing", expected: "the file the ledger lists" + (file.sha256.map { " (sha256 \($0))" } ?? ""),
                                     found: "nothing"))
                continue
            }
            report.files += 1
            checkFile(path, name: file.name, entry: entry, ledgerSHA: file.sha256, receipt: receipt,
                      allowedLinks: 1 + sub.deliveredLinks, daemonUID: daemonUID, into: &report)
        }
        for (relative, entry) in onDisk.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            problem(AuditProblem(filesDir + "/" + String(decoding: relative, as: UTF8.self), "not recorded in the ledger",
                                 expected: "only the \(sub.files.count) files the ledger lists", found: "an extra \(SafeReader.kindName(entry.stat.st_mode))"))
        }
    }

    /// receipt.json's files (name → sha256), after checking that it is the
    /// receipt of this submission with the ledger's verdict and number.
    func receiptFiles(_ sub: LedgerReader.AuditSnapshot.Placed, folder: String, into report: inout AuditReport) -> [String: String]? {
        let path = folder + "/receipt.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            report.problems.append(AuditProblem(path, "missing or unreadable", expected: "the receipt of \(sub.id)", found: "nothing"))
            return nil
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            report.problems.append(AuditProblem(path, "not a JSON object", expected: "the receipt of \(sub.id)", found: "\(data.count) bytes"))
            return nil
        }
        let id = json["submission"] as? String
        if id != sub.id { report.problems.append(AuditProblem(path, "receipt of another submission", expected: sub.id, found: id ?? "none")) }
        let verdict = json["verdict"] as? String
        if verdict != sub.verdict?.rawValue {
            report.problems.append(AuditProblem(path, "verdict differs from the ledger", expected: sub.verdict?.rawValue ?? "none", found: verdict ?? "none"))
        }
        let number = json["arrival_number"] as? Int
        if number != sub.arrivalNumber {
            report.problems.append(AuditProblem(path, "arrival number differs from the ledger",
                                                expected: sub.arrivalNumber.map(String.init) ?? "none", found: number.map(String.init) ?? "none"))
        }
        var files: [String: String] = [:]
        for f in (json["files"] as? [[String: Any]]) ?? [] {
            if let name = f["name"] as? String { files[name] = f["sha256"] as? String ?? "" }
        }
        return files
    }

    /// Bytes against the ledger and the receipt; owner, mode, links.
    func checkFile(_ path: String, name: String, entry: RawDirectory.Entry, ledgerSHA: String?, receipt: [String: String]?,
                   allowedLinks: Int, daemonUID: uid_t, into report: inout AuditReport) {
        func problem(_ what: String, expected: String, found: String) { report.problems.append(AuditProblem(path, what, expected: expected, found: found)) }
        guard (entry.stat.st_mode & S_IFMT) == S_IFREG else {
            // Quarantined entries (symlinks, FIFOs) are kept as they came and never opened.
            if let ledgerSHA, !ledgerSHA.isEmpty { problem("not a regular file", expected: "a regular file", found: SafeReader.kindName(entry.stat.st_mode)) }
            return
        }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return problem("cannot be read", expected: "a readable file", found: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, let sha = try? SafeReader.hash(fd) else {
            return problem("cannot be read", expected: "a readable regular file", found: String(cString: strerror(errno)))
        }
        if let ledgerSHA, !ledgerSHA.isEmpty {
            if sha != ledgerSHA { problem("content differs from the ledger", expected: "sha256 \(ledgerSHA)", found: "sha256 \(sha)") }
        } else {
            problem("the ledger has no sha256 for this file", expected: "sha256 \(sha)", found: "none")
        }
        if let receipt {
            // Receipts name files in NFC (what clerks read); the ledger keeps exact bytes.
            if let listed = receipt[name] ?? receipt[name.precomposedStringWithCanonicalMapping] {
                if listed != sha { problem("content differs from receipt.json", expected: "sha256 \(listed)", found: "sha256 \(sha)") }
            } else {
                problem("not listed in receipt.json", expected: "an entry in files[]", found: "none")
            }
        }
        if st.st_uid != daemonUID {
            problem("not owned by the daemon's user", expected: "owner \(Self.userName(daemonUID))", found: "owner \(Self.userName(st.st_uid))")
        }
        if st.st_mode & 0o222 != 0 {
            problem("writable", expected: "no write permission (mode 0444 or stricter)", found: String(format: "mode %04o", st.st_mode & 0o7777))
        }
        if Int(st.st_nlink) > allowedLinks {
            let why = allowedLinks == 1 ? "no delivery recorded" : "\(allowedLinks - 1) recorded deliveries"
            problem("has hard links the ledger does not explain", expected: "at most \(allowedLinks) (\(why))", found: "\(st.st_nlink) links")
        }
    }

    static func userName(_ uid: uid_t) -> String {
        guard let pw = getpwuid(uid) else { return "uid \(uid)" }
        return "\(String(cString: pw.pointee.pw_name)) (uid \(uid))"
    }
}
