import Foundation

/// A JSON value whose objects keep their key order, so receipts read the way
/// SPEC §6 lists the fields and the same receipt is always the same bytes.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Pretty-printed with two-space indents and a final newline.
    ///
    /// Written as UTF-8 bytes into one buffer: appending to a String piece
    /// by piece (pads made per level, scalars one by one) cost every receipt
    /// a third of its decision (make profile). A test holds the bytes to the
    /// definition by Unicode scalars.
    public func serialized() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(into: &out, indent: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    private func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .null: out += Self.nullBytes
        case .bool(let b): out += b ? Self.trueBytes : Self.falseBytes
        case .int(let i): out += String(i).utf8
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += Self.emptyArray; return }
            out += Self.openArray
            for (i, item) in items.enumerated() {
                Self.pad(indent + 1, into: &out)
                item.write(into: &out, indent: indent + 1)
                out += i + 1 < items.count ? Self.commaLine : Self.line
            }
            Self.pad(indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            if fields.isEmpty { out += Self.emptyObject; return }
            out += Self.openObject
            for (i, (k, v)) in fields.enumerated() {
                Self.pad(indent + 1, into: &out)
                Self.quote(k, into: &out)
                out += Self.colon
                v.write(into: &out, indent: indent + 1)
                out += i + 1 < fields.count ? Self.commaLine : Self.line
            }
            Self.pad(indent, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let nullBytes = Array("null".utf8), trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)
    private static let emptyArray = Array("[]".utf8), openArray = Array("[\n".utf8)
    private static let emptyObject = Array("{}".utf8), openObject = Array("{\n".utf8)
    private static let commaLine = Array(",\n".utf8), line = Array("\n".utf8), colon = Array(": ".utf8)

    /// Two spaces per level.
    private static func pad(_ level: Int, into out: inout [UInt8]) {
        for _ in 0..<(2 * level) { out.append(UInt8(ascii: " ")) }
    }

    /// `s` quoted: `"` and `\` escaped, \n \r \t by name, every other control
    /// character, DEL, U+2028 and U+2029 as `\u` and four lower-case hex
    /// digits. By bytes: an escaped character below 0x80 is one UTF-8 byte
    /// that is never part of another character, and U+2028/U+2029 are the
    /// only ones above it (E2 80 A8 / E2 80 A9).
    private static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            // Bytes that need no escape are copied a run at a time.
            var run = 0, i = 0
            while i < bytes.count {
                let b = bytes[i]
                let escaped: Bool
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0..<0x20, 0x7F: escaped = true
                // A String is valid UTF-8: a lead byte E2 always has its two
                // continuation bytes after it.
                case 0xE2: escaped = bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9)
                default: escaped = false
                }
                guard escaped else { i += 1; continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                case 0xE2:
                    unicodeEscape(0x2000 | UInt32(bytes[i + 2] - 0x80), into: &out)
                    i += 2
                default: unicodeEscape(UInt32(b), into: &out)
                }
                i += 1
                run = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func unicodeEscape(_ value: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)]) }
    }

    /// Looks a field up in an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields.first { $0.0 == key }?.1 }
        return nil
    }
}
