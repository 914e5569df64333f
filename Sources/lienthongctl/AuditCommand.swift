import ArgumentParser
import Foundation
import LienThongSpool
import LienThongSystemd

/// `lienthongctl audit`: the spool's evidence checked offline (ArchiveAudit).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the archive offline: every file's bytes, owner, mode and links against the ledger and receipts.",
        discussion: """
            Read-only; safe while the daemon runs (a submission it is filing at that moment \
            is checked on the next run). Each archived file is hashed and compared with the \
            ledger's sha256 and its receipt.json; it must be owned by the daemon's user (the \
            owner of state/), not writable, and have no hard link beyond the recorded \
            deliveries. Every placed submission's folder must hold exactly the files the \
            ledger lists, every folder in archive/ must be known to the ledger, and arrival \
            numbers must run 1…N in each year.

            Prints one line per problem (`path: what is wrong (expected X, found Y)`) and a \
            summary. Under systemd (lienthong-audit.service) each problem is a journal entry \
            at priority err with MESSAGE_ID \(MessageID.auditProblem) and LIENTHONG_PATH.

            Exit status: 0 no problem, 1 problems found (or the ledger cannot be read), \
            2 usage or configuration error.

            Examples:
              lienthongctl audit
              lienthongctl audit --json | jq -r '.problems[].path'
            """
    )

    @OptionGroup var spool: SpoolOptions

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    struct Output: Encodable {
        var spool: String
        var ok: Bool
        var submissions: Int
        var files: Int
        var arrivalsByYear: [String: Int]
        var problems: [AuditProblem]
    }

    func run() throws {
        let config = try spool.load()
        let ledger = try spool.ledger(config)
        let layout = SpoolLayout(root: config.spool)
        let report: AuditReport
        do {
            report = try ArchiveAudit(layout: layout, ledger: ledger).run()
        } catch {
            complain("lienthongctl audit: \(error)")
            throw CtlExit.failure
        }
        let summary = Self.summary(report, spool: config.spool)
        if json {
            let years = Dictionary(uniqueKeysWithValues: report.arrivalsByYear.map { (String($0.key), $0.value) })
            print(try Fmt.json(Output(spool: config.spool, ok: report.problems.isEmpty, submissions: report.submissions,
                                      files: report.files, arrivalsByYear: years, problems: report.problems)))
        }
        let log = EventLog(identifier: "lienthongctl")
        if log.writesToJournal {
            // Under systemd: structured entries at err, so the failure shows
            // in `journalctl -p err` and `journalctl -x` explains it.
            for p in report.problems {
                log.log(.error, "audit: " + Fmt.safe(p.line), fields: [(JournalField.messageID, MessageID.auditProblem), (JournalField.path, p.path)])
            }
            log.log(report.problems.isEmpty ? .info : .error, summary)
        } else if !json {
            for p in report.problems { print(Fmt.safe(p.line)) }
            print(summary)
        }
        if !report.problems.isEmpty { throw CtlExit.failure }
    }

    static func summary(_ r: AuditReport, spool: String) -> String {
        let years = r.arrivalsByYear.sorted { $0.key < $1.key }.map { "\($0.key): 1…\($0.value)" }.joined(separator: ", ")
        let counted = "\(r.submissions) placed submissions, \(r.files) archived files" + (years.isEmpty ? "" : ", arrival numbers \(years)")
        return r.problems.isEmpty
            ? "audit of \(spool): no problems (\(counted))"
            : "audit of \(spool): \(r.problems.count) problem\(r.problems.count == 1 ? "" : "s") (\(counted))"
    }
}
