/// File sizes as people read them in a receipt: "25,4 KB" in Vietnamese
/// (comma as the decimal mark), "25.4 KB" in English, binary multiples as
/// Windows Explorer shows them, so a clerk can compare with what they see.
public enum ByteSize {
    public static func text(_ bytes: Int64, _ language: ReceiptLanguage) -> String {
        let units = ["KB", "MB", "GB", "TB"]
        if bytes < 1024 {
            return language == .vi ? "\(bytes) byte" : (bytes == 1 ? "1 byte" : "\(bytes) bytes")
        }
        var value = Double(bytes) / 1024
        var index = 0
        // Round first: 1023.96 KB must read "1,0 MB", not "1024,0 KB".
        while (value * 10).rounded() >= 10240, index < units.count - 1 {
            value /= 1024
            index += 1
        }
        let tenths = Int64((value * 10).rounded())
        let mark = language == .vi ? "," : "."
        return "\(grouped(tenths / 10, language))\(mark)\(tenths % 10) \(units[index])"
    }

    /// Thousands separators: "1.024" in Vietnamese, "1,024" in English.
    static func grouped(_ n: Int64, _ language: ReceiptLanguage) -> String {
        let digits = String(n)
        guard digits.count > 3 else { return digits }
        let separator: Character = language == .vi ? "." : ","
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(separator) }
            out.append(d)
        }
        return out
    }
}
