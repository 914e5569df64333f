import LienThongCore

/// smb.conf share stanzas: one share per unit, so a unit's clerks see only
/// their own mailbox (outbox/, receipts/, inbox/), plus one for the office's
/// clerks. Files are created as group `lienthong` so the daemon can claim
/// them; dot files (Mac and editor droppings, our temporaries) are vetoed.
enum SambaShares {
    /// A share name Windows shows and older clients accept: the unit id
    /// (unique, at most 13 characters for the province's codes).
    static func shareName(_ unit: Unit) -> String { unit.id.lowercased() }

    /// A Linux group per unit: `<prefix><id>` with dots as dashes, lowercase.
    static func group(_ unit: Unit, prefix: String) -> String {
        prefix + unit.id.lowercased().replacingOccurrences(of: ".", with: "-")
    }

    static func stanza(name: String, comment: String, path: String, group: String) -> String {
        """
        [\(name)]
           comment = \(comment)
           path = \(path)
           valid users = @\(group)
           force group = lienthong
           create mask = 0660
           directory mask = 2770
           read only = no
           veto files = /.*/

        """
    }

    static func render(units: [Unit], office: String, spool: String, groupPrefix: String) -> String {
        var out = """
            # Samba shares for the lienthong gateway (lienthongctl samba-config).
            # Paste into /etc/samba/smb.conf, create each group (groupadd) and
            # add the clerks of each unit to it; then: testparm && systemctl reload smbd

            """
        for unit in units where unit.id != office {
            // A name with a newline would end the line in smb.conf.
            let comment = unit.name.split(whereSeparator: \.isNewline).joined(separator: " ")
            out += stanza(name: shareName(unit), comment: comment, path: spool + "/units/" + unit.id,
                          group: group(unit, prefix: groupPrefix))
        }
        out += stanza(name: "lienthong-office", comment: "Văn phòng: văn bản đến, văn bản đi", path: spool + "/office",
                      group: groupPrefix + "office")
        return out
    }
}
