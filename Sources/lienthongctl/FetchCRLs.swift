import ArgumentParser
import Foundation
import LienThongCRLFetch
import LienThongControl

/// `lienthongctl fetch-crls`: keeps the CRL folder current without an
/// operator (SPEC §5), run hourly by lienthong-crl-fetch.timer. It has the
/// network access the daemon never gets; afterwards it asks the daemon to
/// reload, so submissions waiting for revocation data are decided at once.
struct FetchCRLs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-crls",
        abstract: "Fetch, verify and install current CRLs for every CA of the anchors folder, then make the daemon reload.",
        discussion: """
            For every CA certificate in [trust] anchors, the CRLs named in its CRL \
            Distribution Points (http, https) are fetched, plus every URL of \
            [trust] crl_urls; http_proxy, https_proxy and no_proxy are honoured. \
            A CRL (DER or PEM) is installed into [trust] crls only when a CA of the \
            anchors folder signed it and it is newer (CRL number, else thisUpdate) \
            than the one in place; it is written under a temporary name, synced and \
            renamed. If anything was installed, the running daemon reloads its trust.

            Exit status: 0 every CA has a current CRL, 1 some CA has none (each is \
            named), 2 usage or configuration error.
            """)

    @OptionGroup var spool: SpoolOptions

    func run() throws {
        let config = try spool.load()
        let refresh = CRLRefresh(anchorsDirectory: config.trust.anchors, crlDirectory: config.trust.crls,
                                 mirrors: config.trust.crlURLs, maxClockSkew: config.trust.maxClockSkew)
        let report: CRLRefresh.Report
        do {
            report = try refresh.run(get: { try HTTPFetch.get($0) })
        } catch {
            complain("lienthongctl fetch-crls: \(error)")
            throw CtlExit.failure
        }
        for line in report.lines { print(line) }
        if !report.installed.isEmpty { askReload(config.spool) }
        for line in report.lacking { complain("lienthongctl fetch-crls: \(line)") }
        if !report.lacking.isEmpty { throw CtlExit.failure }
        print("every CA has a current CRL")
    }

    /// The daemon not running is not an error here: it reads the CRL folder when it starts.
    private func askReload(_ spoolRoot: String) {
        do {
            let answer = try ControlChannel.send(ControlRequest(command: "reload"), socket: ControlChannel.socketPath(spool: spoolRoot))
            if answer.ok { print("lienthongd: \(answer.message)") } else { complain("lienthongctl fetch-crls: lienthongd did not reload: \(answer.message)") }
        } catch let failure as ControlChannel.Failure where failure.notRunning {
            print("lienthongd is not running; it reads the new CRLs when it starts")
        } catch {
            complain("lienthongctl fetch-crls: could not ask lienthongd to reload (\(error)); run systemctl reload lienthongd")
        }
    }
}
