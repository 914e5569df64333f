/// An integer in decimal, zero-padded to a width, as printf's `%0<width>d`
/// writes it (a minus sign counts in the width). Foundation's
/// `String(format:)` parses its format and boxes every argument each time:
/// two clerk times cost a receipt more than the rest of its text together
/// (make profile).
public enum ZeroPadded {
    public static func decimal(_ n: Int, width: Int) -> String {
        var out: [UInt8] = []
        append(n, width: width, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The same digits appended to a byte buffer: times are written byte by
    /// byte, not joined from a dozen small strings.
    public static func append(_ n: Int, width: Int, to out: inout [UInt8]) {
        let magnitude = n.magnitude
        var digits = 1, scale: UInt = 1
        while magnitude / scale >= 10 {
            scale *= 10
            digits += 1
        }
        if n < 0 { out.append(UInt8(ascii: "-")) }
        let zeros = width - digits - (n < 0 ? 1 : 0)
        if zeros > 0 { for _ in 0..<zeros { out.append(UInt8(ascii: "0")) } }
        while scale > 0 {
            out.append(UInt8(ascii: "0") + UInt8(magnitude / scale % 10))
            scale /= 10
        }
    }
}
