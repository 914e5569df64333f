import Foundation
import LienThongSpool

/// The rest of the queue: submissions decided but not filed yet (filing
/// failed and is retried, e.g. a full disk) and fan-out deliveries waiting
/// for a retry. Both are work the daemon still owes.
extension QueueCommand {
    struct Unfiled: Encodable {
        var id, unit, key: String
        var verdict: String?
        var decidedAt: String
        var ageSeconds: Int
    }

    struct Deferred: Encodable {
        var submission, recipient, state: String
        var attempts: Int
        var nextAttempt: String
        var lastError: String?
    }

    static func backlog(_ ledger: LedgerReader, unit: String?, now: Date) throws -> (unfiled: [Unfiled], deferred: [Deferred]) {
        let unfiled = try ledger.decidedUnfiled().filter { unit == nil || $0.unit == unit }.map {
            Unfiled(id: $0.id, unit: $0.unit, key: $0.key, verdict: $0.verdict?.rawValue, decidedAt: Fmt.time($0.decidedAt),
                    ageSeconds: Int(now.timeIntervalSince($0.decidedAt ?? now)))
        }
        let deliveries = try ledger.deliveries(states: ["deferred"]) ?? []
        let deferred = deliveries.filter { unit == nil || $0.recipient == unit }.map {
            Deferred(submission: $0.submission, recipient: $0.recipient, state: $0.state, attempts: $0.attempts,
                     nextAttempt: Fmt.time($0.nextAttempt), lastError: $0.lastError)
        }
        return (unfiled, deferred)
    }

    static func backlogText(_ b: (unfiled: [Unfiled], deferred: [Deferred])) -> String {
        var out = ""
        if !b.unfiled.isEmpty {
            out += "\nDecided, not filed yet (filing is retried; see lienthongctl status for the error):\n"
            out += Fmt.table(["ID", "UNIT", "KEY", "VERDICT", "DECIDED", "AGE"],
                             b.unfiled.map { [$0.id, $0.unit, Fmt.safe($0.key), $0.verdict ?? "?", $0.decidedAt, Fmt.age(Double($0.ageSeconds))] })
        }
        if !b.deferred.isEmpty {
            out += "\nDeferred deliveries (lienthongctl retry ID|ALL tries them now):\n"
            out += Fmt.table(["SUBMISSION", "RECIPIENT", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"],
                             b.deferred.map { [$0.submission, $0.recipient, String($0.attempts), $0.nextAttempt, Fmt.safe($0.lastError ?? "")] })
        }
        return out
    }
}
