import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks across submissions: folders in archive/ the ledger does not place
/// there, and arrival numbers.
extension ArchiveAudit {
    /// Every folder under archive/ must be the placement of a placed
    /// submission (or one being placed right now).
    func checkStrayFolders(_ snapshot: LedgerReader.AuditSnapshot, into report: inout AuditReport) throws {
        // Compared below archive/, so a spool reached by another path (a
        // symlink, a relative config) still matches the recorded placement.
        func underArchive(_ path: String) -> String? { path.range(of: "/archive/", options: .backwards).map { String(path[$0.upperBound...]) } }
        var placements: [String: String] = [:]  // id → path below archive/
        for p in snapshot.placed { placements[p.id] = underArchive(p.placement) ?? p.placement }

        let archive = layout.root + "/archive"
        var candidates: [(path: String, relative: String, id: String)] = []
        for top in RawDirectory.list(archive) ?? [] {
            let shelf = top.display
            let shelfPath = archive + "/" + shelf
            guard top.isDirectory, ["accepted", "rejected", "quarantine"].contains(shelf) else {
                report.problems.append(AuditProblem(shelfPath, "not part of the archive", expected: "accepted/, rejected/, quarantine/",
                                                    found: SafeReader.kindName(top.stat.st_mode)))
                continue
            }
            // accepted/ and rejected/ are YYYY/MM/<id>; quarantine/ is <id>.
            let depth = shelf == "quarantine" ? 0 : 2
            collect(shelfPath, relative: shelf, depth: depth, into: &candidates, report: &report)
        }
        for c in candidates {
            if placements[c.id] == c.relative { continue }
            if placements[c.id] != nil {
                report.problems.append(AuditProblem(c.path, "a second folder of submission \(c.id)",
                                                    expected: "only archive/\(placements[c.id]!)", found: "this one too"))
                continue
            }
            // Not placed in the snapshot: the daemon may have placed it since.
            switch try ledger.currentState(of: c.id) {
            case nil:
                report.problems.append(AuditProblem(c.path, "not recorded in the ledger", expected: "a placed submission \(c.id)", found: "no such submission"))
            case "placed"?, "decided"?:
                continue  // being placed, or placed after the snapshot: the next run checks it
            case let state?:
                report.problems.append(AuditProblem(c.path, "in the archive but not decided", expected: "state placed", found: "state \(state)"))
            }
        }
    }

    /// Folders `depth` levels below `path` (year, month) are submission folders.
    private func collect(_ path: String, relative: String, depth: Int, into out: inout [(path: String, relative: String, id: String)],
                         report: inout AuditReport) {
        for e in RawDirectory.list(path) ?? [] {
            let child = path + "/" + e.display
            let rel = relative + "/" + e.display
            guard e.isDirectory else {
                report.problems.append(AuditProblem(child, "not recorded in the ledger", expected: depth > 0 ? "a year or month folder" : "a submission folder",
                                                    found: SafeReader.kindName(e.stat.st_mode)))
                continue
            }
            if depth > 0 { collect(child, relative: rel, depth: depth - 1, into: &out, report: &report) }
            else { out.append((child, rel, e.display)) }
        }
    }

    /// Arrival numbers run 1…N in each year, each given once.
    func checkArrivalNumbers(_ arrivals: [(year: Int, number: Int, submission: String)], into report: inout AuditReport) {
        for (year, rows) in Dictionary(grouping: arrivals, by: \.year).sorted(by: { $0.key < $1.key }) {
            let numbers = rows.map(\.number).sorted()
            report.arrivalsByYear[year] = numbers.last ?? 0
            let counts = Dictionary(numbers.map { ($0, 1) }, uniquingKeysWith: +)
            let top = numbers.last ?? 0
            let missing = (1..<max(top + 1, 1)).filter { counts[$0] == nil }
            let repeated = counts.filter { $0.value > 1 }.keys.sorted()
            let outOfRange = numbers.filter { $0 < 1 }
            guard !missing.isEmpty || !repeated.isEmpty || !outOfRange.isEmpty else { continue }
            var found: [String] = []
            if !missing.isEmpty { found.append("missing \(Self.list(missing))") }
            if !repeated.isEmpty { found.append("repeated \(Self.list(repeated))") }
            if !outOfRange.isEmpty { found.append("invalid \(Self.list(outOfRange))") }
            report.problems.append(AuditProblem(ledger.path, "arrival numbers of \(year) have gaps or repeats",
                                                expected: "1…\(numbers.count), each once", found: found.joined(separator: "; ")))
        }
    }

    private static func list(_ numbers: [Int]) -> String {
        numbers.count > 10 ? numbers.prefix(10).map(String.init).joined(separator: ", ") + " and \(numbers.count - 10) more"
            : numbers.map(String.init).joined(separator: ", ")
    }
}
