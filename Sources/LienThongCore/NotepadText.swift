/// Text files clerks open from a Samba share with Windows Notepad. Older
/// Notepad guesses the code page of a file without a byte order mark (so
/// Vietnamese turns to mojibake) and shows LF-only files on one line, so every
/// `.txt` the gateway writes for people starts with a UTF-8 BOM and ends its
/// lines with CRLF. JSON for programs stays plain UTF-8 with LF.
public enum NotepadText {
    public static let byteOrderMark = "\u{FEFF}"

    /// `text` with one BOM in front and every line ending (LF, CRLF or a lone
    /// CR) made CRLF. Idempotent, so text already encoded is left as it is.
    public static func encode(_ text: String) -> String {
        var body = Substring(text)
        while body.hasPrefix(byteOrderMark) { body = body.dropFirst() }
        // Swift treats "\r\n" as one Character, so this sees each ending once.
        var out = byteOrderMark
        out.reserveCapacity(body.utf8.count + body.utf8.count / 20 + 4)
        for c in body {
            if c == "\r\n" || c == "\n" || c == "\r" { out += "\r\n" } else { out.append(c) }
        }
        return out
    }

    /// The logical text back (no BOM, LF line ends), for code that composes a
    /// longer text from an encoded one.
    public static func decode(_ text: String) -> String {
        var body = Substring(text)
        while body.hasPrefix(byteOrderMark) { body = body.dropFirst() }
        var out = ""
        for c in body {
            if c == "\r\n" || c == "\r" { out += "\n" } else { out.append(c) }
        }
        return out
    }
}
