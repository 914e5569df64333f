/// Text files clerks open from a Samba share with Windows Notepad. Older
/// Notepad guesses the code page of a file without a byte order mark (so
/// Vietnamese turns to mojibake) and shows LF-only files on one line, so every
/// `.txt` the gateway writes for people starts with a UTF-8 BOM and ends its
/// lines with CRLF. JSON for programs stays plain UTF-8 with LF.
public enum NotepadText {
    public static let byteOrderMark = "\u{FEFF}"

    /// `text` with one BOM in front and every line ending (LF, CRLF or a lone
    /// CR) made CRLF. Idempotent, so text already encoded is left as it is.
    ///
    /// By UTF-8 bytes: CR and LF are ASCII and never part of another
    /// character's bytes, and walking Characters (grapheme clusters) cost
    /// every receipt a tenth of its filing (make profile).
    public static func encode(_ text: String) -> String {
        var text = text
        return text.withUTF8 { utf8 in
            var body = utf8[...]
            while body.starts(with: bom) { body = body.dropFirst(3) }
            var out: [UInt8] = bom
            out.reserveCapacity(body.count + body.count / 20 + 4)
            // Bytes between line ends are copied a run at a time.
            var run = body.startIndex, i = body.startIndex
            while i < body.endIndex {
                let b = body[i]
                guard b == cr || b == lf else { i += 1; continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: body[run..<i]))
                out.append(cr)
                out.append(lf)
                i += 1
                if b == cr, i < body.endIndex, body[i] == lf { i += 1 }  // CRLF is one ending
                run = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: body[run..<i]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The logical text back (no BOM, LF line ends), for code that composes a
    /// longer text from an encoded one.
    public static func decode(_ text: String) -> String {
        let body = withoutBOMs(text)
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        while i < body.endIndex {
            let b = body[i]
            i += 1
            if b == cr {
                out.append(lf)
                if i < body.endIndex, body[i] == lf { i += 1 }
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The text's bytes after every leading byte order mark.
    private static func withoutBOMs(_ text: String) -> ArraySlice<UInt8> {
        var bytes = Array(text.utf8)[...]
        while bytes.starts(with: bom) { bytes = bytes.dropFirst(3) }
        return bytes
    }
}
