import Foundation
import LienThongControl
import LienThongSystemd

/// `lienthongctl reload` (the unit's ExecReload=): the same reload as
/// SIGHUP, but the caller waits for the answer, so `systemctl reload` fails
/// when the new configuration is refused instead of reporting success.
extension Gateway {
    func reloadOnRequest(who: String) -> ControlResponse {
        // Also what fetch-crls asks after installing CRLs: what waited for
        // revocation data is decided by the reload.
        log.log(.info, "reload asked by \(who) over the control socket")
        let result = reload()
        return ControlResponse(ok: result.ok, message: result.message)
    }
}
