import Foundation
import Testing

/// `lienthongctl samba-config`: a share per unit of units.csv and one for
/// the office, each confined to its own folder and group.
struct SambaConfigTests {
    /// smb.conf sections → their "key = value" lines.
    static func sections(_ text: String) -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("["), line.hasSuffix("]") { current = String(line.dropFirst().dropLast()); out[current!] = [:]; continue }
            guard let current, let eq = line.firstIndex(of: "=") else { continue }
            out[current]![line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }

    @Test func oneShareForEveryUnitAndOneForTheOffice() throws {
        let d = try DaemonHarness(trust: try Fixtures.trust())
        let r = try Ctl.run(d, ["samba-config"])
        #expect(r.status == 0, "\(r.err)")
        let shares = Self.sections(r.out)
        // The config loader normalises the harness's "/tmp//…" spool path.
        let spool = d.spool.replacingOccurrences(of: "//", with: "/")
        let units = DaemonHarness.defaultUnits.filter { $0.id != "000.00.00.H41" }
        #expect(Set(shares.keys) == Set(units.map { $0.id.lowercased() } + ["lienthong-office"]))
        for u in units {
            let s = try #require(shares[u.id.lowercased()])
            #expect(s["path"] == spool + "/units/" + u.id)
            #expect(s["comment"] == u.name)
            #expect(s["valid users"] == "@lt-" + u.id.lowercased().replacingOccurrences(of: ".", with: "-"))
            #expect(s["force group"] == "lienthong")
            #expect(s["create mask"] == "0660" && s["directory mask"] == "2770")
            #expect(s["veto files"] == "/.*/" && s["read only"] == "no")
        }
        #expect(shares["lienthong-office"]?["path"] == spool + "/office")
        let prefixed = try Ctl.run(d, ["samba-config", "--group-prefix", "vt-"])
        #expect(prefixed.out.contains("valid users = @vt-000-00-21-h41"))
        #expect(try Ctl.run(d, ["samba-config", "--group-prefix", "Bad Prefix"]).status == 64)
    }
}
