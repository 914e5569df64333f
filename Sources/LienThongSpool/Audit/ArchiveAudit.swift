import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One thing wrong in the spool, as `path: problem (expected X, found Y)`.
public struct AuditProblem: Sendable, Codable, Equatable {
    public var path: String
    public var problem: String
    public var expected: String?
    public var found: String?

    public init(_ path: String, _ problem: String, expected: String? = nil, found: String? = nil) {
        self.path = path
        self.problem = problem
        self.expected = expected
        self.found = found
    }

    public var line: String {
        var parts: [String] = []
        if let expected { parts.append("expected \(expected)") }
        if let found { parts.append("found \(found)") }
        return "\(path): \(problem)" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}

public struct AuditReport: Sendable {
    public var problems: [AuditProblem] = []
    public var submissions = 0
    public var files = 0
    /// Accepted submissions numbered in each year (number N of 1…N).
    public var arrivalsByYear: [Int: Int] = [:]
}

/// The offline audit of a spool (`lienthongctl audit`): every archived file's
/// bytes against the ledger and its receipt.json; that it lives in an inode
/// of the daemon's own, read-only, with no link the ledger does not explain;
/// that the ledger and the archive folders agree both ways; arrival numbers
/// 1…N per year. Reads only, so it may run while the daemon works: a
/// submission the daemon is placing right now is not yet `placed` and is
/// left for the next run.
public struct ArchiveAudit {
    public let layout: SpoolLayout
    let ledger: LedgerReader

    public init(layout: SpoolLayout, ledger: LedgerReader) {
        self.layout = layout
        self.ledger = ledger
    }

    public func run() throws -> AuditReport {
        var report = AuditReport()
        let snapshot = try ledger.auditSnapshot()
        var st = stat()
        // The daemon's user owns its state folder (it made it, mode 0700).
        guard stat(layout.state, &st) == 0 else { throw SpoolError("stat the daemon's state folder", layout.state) }
        let daemonUID = st.st_uid
        for submission in snapshot.placed {
            checkSubmission(submission, daemonUID: daemonUID, into: &report)
        }
        report.submissions = snapshot.placed.count
        try checkStrayFolders(snapshot, into: &report)
        checkArrivalNumbers(snapshot.arrivals, into: &report)
        return report
    }
}
