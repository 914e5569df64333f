import Foundation
import LienThongControl

/// `lienthongctl hold|release --unit ID`: every pending submission of one
/// unit (a unit whose signing certificate is in question, say), each held or
/// released as `hold ID` would.
extension Gateway {
    func holdUnit(_ unit: String, hold: Bool, who: String, now: Date) -> ControlResponse {
        let subs = pipeline.open.values.filter { $0.unit == unit && $0.outboundGroup == nil && $0.held != hold }
            .sorted { $0.firstArrival < $1.firstArrival }
        var n = 0
        var failures: [String] = []
        for sub in subs {
            switch setHeld(sub.id, hold, who: who, now: now) {
            case .changed: n += 1
            case .failed(let error): failures.append("\(sub.id): \(error)")
            default: break
            }
        }
        let known = settings.config.registry[unit] != nil
        var message = "\(hold ? "held" : "released") \(n) pending submission\(n == 1 ? "" : "s") of \(unit)"
        if !known { message += " (note: \(unit) is not in the registry)" }
        if !failures.isEmpty {
            return ControlResponse(ok: false, affected: n, message: message + "; failed: " + failures.joined(separator: "; "))
        }
        return ControlResponse(ok: true, affected: n, message: message)
    }
}
