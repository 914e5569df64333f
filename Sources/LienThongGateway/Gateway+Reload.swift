import Foundation
import LienThongSystemd

/// `lienthongctl reload` (the unit's ExecReload=): the same reload as
/// SIGHUP, but the caller waits for the answer, so `systemctl reload` fails
/// when the new configuration is refused instead of reporting success.
extension Gateway {
    func reloadOnRequest(who: String) -> ControlResponse {
        log.log(.info, "reload asked by \(who) over the control socket")
        if let refusal = reload() {
            return ControlResponse(ok: false, message: "reload refused, the previous configuration of \(configPath) keeps running: \(refusal)")
        }
        return ControlResponse(ok: true, message: "reloaded \(configPath)")
    }
}
