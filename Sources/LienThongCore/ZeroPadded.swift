/// An integer in decimal, zero-padded to a width, as printf's `%0<width>d`
/// writes it (a minus sign counts in the width). Foundation's
/// `String(format:)` parses its format and boxes every argument each time:
/// two clerk times cost a receipt more than the rest of its text together
/// (make profile).
public enum ZeroPadded {
    public static func decimal(_ n: Int, width: Int) -> String {
        let digits = String(n.magnitude)
        let sign = n < 0 ? "-" : ""
        let zeros = width - sign.utf8.count - digits.utf8.count
        return zeros > 0 ? sign + String(repeating: "0", count: zeros) + digits : sign + digits
    }
}
