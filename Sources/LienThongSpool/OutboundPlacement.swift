import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files a decided outbound document away (SPEC §7): the queue folder renamed
/// whole into the archive, a copy in `office/paper/<key>/` when the type still
/// needs paper, and the office's receipt in `office/receipts/`. Idempotent,
/// like `Placement`: recovery runs it again after a crash.
public struct OutboundPlacement {
    public let layout: SpoolLayout
    public init(layout: SpoolLayout) { self.layout = layout }

    /// Moves `queue/<id>/` to `archiveDir` with its receipt and validation
    /// report, unless that was done already. Recipients get hard links to
    /// the archived files: they were sealed at claim (EvidenceSeal), so they
    /// are the daemon's own read-only inodes and nobody writes through a link.
    public func archive(submission: String, archiveDir: String, receiptJSON: String, report: String) throws {
        let queued = layout.queued(submission)
        if DurableFS.exists(queued) {
            try DurableFS.writeFile(queued + "/receipt.json", text: receiptJSON)
            try DurableFS.writeFile(queued + "/validation.json", text: report)
            try DurableFS.makeDirectories((archiveDir as NSString).deletingLastPathComponent)
            try DurableFS.move(queued, to: archiveDir)
        } else if !DurableFS.exists(archiveDir + "/receipt.json") {
            throw SpoolError("find outbound submission folder (neither queued nor archived)", queued, errno: ENOENT)
        }
    }

    /// `office/paper/<key>/` (or `<key> (2)/` when another document holds
    /// that name), with a copy of every file; a hidden marker names the
    /// submission so a redo finds its own folder. Returns the folder.
    @discardableResult
    public func copyToPaper(submission: String, key: String, archiveDir: String) throws -> String {
        try DurableFS.makeDirectories(layout.officePaper)
        var n = 1
        var folder: String
        while true {
            folder = layout.officePaper + "/" + Placement.name(key, n == 1 ? "" : " (\(n))")
            let marker = folder + "/.lienthong-submission"
            if !DurableFS.exists(folder) {
                try DurableFS.makeDirectories(folder)
                try DurableFS.writeFile(marker, text: submission + "\n")
                break
            }
            if let bytes = TrustedPath.read(marker),
               String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == submission {
                break
            }
            if !DurableFS.exists(marker), (try? TrustedPath.names(folder))?.isEmpty == true {
                try DurableFS.writeFile(marker, text: submission + "\n")
                break
            }
            n += 1
        }
        let source = archiveDir + "/files"
        for relative in try SpoolTree.regularFiles(under: source) {
            let target = folder + "/" + relative
            if DurableFS.exists(target) { continue }
            try DurableFS.makeDirectories((target as NSString).deletingLastPathComponent)
            try DurableFS.copyFile(source + "/" + relative, to: target)
        }
        return folder
    }

    /// Writes `<key>.<verdict>.txt` then `.json` into `office/receipts/`.
    /// The receipt is rewritten as deliveries progress, so ownership of a
    /// name is decided by the `"submission"` it names, not by its bytes; a
    /// name held by another submission's receipt gives `<key> (2)…`.
    @discardableResult
    public func writeReceipt(submission: String, key: String, verdict: String, json: String, text: String) throws -> String {
        let dir = layout.officeReceipts
        try DurableFS.makeDirectories(dir)
        var n = 1
        while true {
            let stem = dir + "/" + Placement.name(key, (n == 1 ? "" : " (\(n))") + "." + verdict, reserving: ".json")
            let path = stem + ".json"
            if !DurableFS.exists(path) || Self.owner(of: path) == submission {
                try DurableFS.writeFile(stem + ".txt", text: text)
                try DurableFS.writeFile(path, text: json)
                return path
            }
            n += 1
        }
    }

    static func owner(of receipt: String) -> String? {
        guard let bytes = TrustedPath.read(receipt), case let data = Data(bytes),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["submission"] as? String
    }
}
