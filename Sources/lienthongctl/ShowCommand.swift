import ArgumentParser
import Foundation
import LienThongSpool

/// `lienthongctl show ID`: one submission's whole history from the ledger.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one submission's whole history: files and hashes, signatures, state changes, receipt, deliveries.",
        discussion: """
            ID is a submission id as printed by `queue`, in receipts and in the journal \
            (LIENTHONG_SUBMISSION); its start is enough when only one id begins with it.

            Examples:
              lienthongctl show 20261124-000003-9f2c
              lienthongctl show 20261124-000003
              lienthongctl show --json 20261124-000003 | jq .receipt.reasons
            """
    )

    @OptionGroup var spool: SpoolOptions

    @Flag(name: .long, help: "Print one JSON document instead of text.")
    var json = false

    @Argument(help: ArgumentHelp("The submission id (or its unique start).", valueName: "id"))
    var id: String

    struct Output: Encodable {
        var id: String
        var unit: String
        var key: String
        var state: String
        var held: Bool
        var firstArrival: String
        var lastArrival: String
        var verdict: String?
        var reasons: [String]
        var arrivalNumber: Int?
        var decidedAt: String?
        var archive: String?
        var files: [File]
        var events: [Event]
        var deliveries: [Delivery]?
        struct File: Encodable { var name: String, role: String?, size: Int64?, sha256: String?, arrivedAt: String, claimed: Bool, source: String }
        struct Event: Encodable { var at: String, event: String, detail: String }
        struct Delivery: Encodable {
            var recipient: String, state: String, attempts: Int, path: String?, nextAttempt: String?, lastError: String?, deliveredAt: String?
        }
    }

    func run() throws {
        let config = try spool.load()
        let ledger = try spool.ledger(config)
        let id = try resolveSubmission(self.id, in: ledger)
        guard let s = try ledger.submission(id) else { throw CtlExit.failure }
        let out = Output(
            id: s.id, unit: s.unit, key: s.key, state: s.state.rawValue, held: s.held, firstArrival: Fmt.time(s.firstArrival),
            lastArrival: Fmt.time(s.lastArrival), verdict: s.verdict?.rawValue, reasons: s.reasons.map(\.rawValue), arrivalNumber: s.arrivalNumber,
            decidedAt: s.decidedAt.map { Fmt.time($0) }, archive: s.placement,
            files: try ledger.files(of: id).map {
                .init(name: $0.name, role: $0.role, size: $0.size, sha256: $0.sha256, arrivedAt: Fmt.time($0.arrivedAt), claimed: $0.claimed, source: $0.source)
            },
            events: try ledger.events(of: id).map { .init(at: Fmt.time($0.at), event: $0.event, detail: $0.detail) },
            deliveries: try ledger.deliveries(of: id)?.map {
                .init(recipient: $0.recipient, state: $0.state, attempts: $0.attempts, path: $0.path, nextAttempt: $0.nextAttempt.map { Fmt.time($0) },
                      lastError: $0.lastError, deliveredAt: $0.deliveredAt.map { Fmt.time($0) })
            })
        if json {
            // The receipt goes in as it was stored (SPEC §6 fields), not re-modelled.
            var object = try JSONSerialization.jsonObject(with: Data(try Fmt.json(out).utf8)) as? [String: Any] ?? [:]
            object["receipt"] = s.receipt.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? NSNull()
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(text(out, receipt: s.receipt), terminator: "")
        }
    }

    func text(_ o: Output, receipt: String?) -> String {
        var t = "submission \(o.id)\n"
        func row(_ label: String, _ value: String) { t += "  " + label.padding(toLength: 16, withPad: " ", startingAt: 0) + Fmt.safe(value) + "\n" }
        row("unit", o.unit)
        row("key", o.key)
        row("state", o.state + (o.held ? " (HELD by an operator)" : ""))
        row("first arrival", o.firstArrival)
        row("last arrival", o.lastArrival)
        if let v = o.verdict { row("verdict", v + (o.reasons.isEmpty ? "" : ": " + o.reasons.joined(separator: ", "))) }
        if let n = o.arrivalNumber { row("arrival number", String(n)) }
        if let d = o.decidedAt { row("decided at", d) }
        if let a = o.archive { row("archive", a) }
        t += "files:\n"
        t += Fmt.table(["NAME", "ROLE", "SIZE", "SHA256", "ARRIVED"],
                       o.files.map { [Fmt.safe($0.name), $0.role ?? "-", $0.size.map(String.init) ?? "-", $0.sha256 ?? "(not read yet)", $0.arrivedAt] })
            .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        if let receipt, let object = try? JSONSerialization.jsonObject(with: Data(receipt.utf8)) as? [String: Any] {
            if let signatures = object["signatures"] as? [[String: Any]], !signatures.isEmpty {
                t += "signatures:\n"
                for sig in signatures {
                    let valid = (sig["valid"] as? Bool) == true ? "valid" : "INVALID"
                    let problems = (sig["problems"] as? [String]) ?? []
                    let organization = (sig["organization"] as? String).map { " (\(Fmt.safe($0)))" } ?? ""
                    t += "  \(Fmt.safe(sig["file"] as? String ?? "?")): \(valid), signer \(Fmt.safe(sig["signer"] as? String ?? "?"))\(organization)"
                    t += ", signed \(sig["signing_time"] as? String ?? "?") (\(sig["time_source"] as? String ?? "?"))"
                        + (problems.isEmpty ? "" : ", problems: " + problems.joined(separator: ", ")) + "\n"
                }
            }
            if let reasons = object["reasons"] as? [[String: Any]], !reasons.isEmpty {
                t += "receipt reasons:\n"
                for r in reasons { t += "  \(r["code"] as? String ?? "?"): \(Fmt.safe(r["message"] as? String ?? ""))\n" }
            }
        }
        t += "events:\n"
        let eventWidth = max(10, o.events.map(\.event.count).max() ?? 0)
        for e in o.events {
            let line = "  \(e.at)  \(e.event.padding(toLength: eventWidth, withPad: " ", startingAt: 0))  \(Fmt.safe(e.detail))"
            t += line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        if let deliveries = o.deliveries, !deliveries.isEmpty {
            t += "deliveries:\n"
            t += Fmt.table(["RECIPIENT", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"],
                           deliveries.map { [$0.recipient, $0.state, String($0.attempts), $0.nextAttempt ?? "-", Fmt.safe($0.lastError ?? "")] })
                .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        return t
    }
}
