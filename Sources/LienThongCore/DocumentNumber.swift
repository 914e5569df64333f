import Foundation

/// A Vietnamese document number and symbol (số, ký hiệu): `4116/UBND-CN`,
/// `123/QĐ-UBND`, `30/2020/NĐ-CP`. In file names `/` is written `-` or `_`.
public struct DocumentNumber: Codable, Sendable, Hashable {
    /// The running number, as written (leading zeros kept: "05" stays "05").
    public var number: String
    /// The year group of laws and decrees (`30/2020/NĐ-CP`), when present.
    public var year: String?
    /// The symbol groups joined by `-`: `UBND-CN`, `QĐ-UBND`, `NĐ-CP`.
    public var symbol: String

    public init(number: String, year: String? = nil, symbol: String) {
        self.number = number
        self.year = year
        self.symbol = symbol
    }

    /// The form used in receipts: `4116/UBND-CN`, `30/2020/NĐ-CP`.
    public var display: String {
        [number, year, symbol].compactMap { $0 }.joined(separator: "/")
    }

    /// Two files belong together when their number, year and symbol agree.
    /// Case is ignored (clerks type `ubnd`), diacritics are not: Đ and D are
    /// different letters, and so are Ư and U.
    public var pairingIdentity: String {
        let n = String(number.drop(while: { $0 == "0" }))
        // NFC, so the identity is one byte string whatever form the symbol came in.
        return ([n.isEmpty ? "0" : n, year ?? "", symbol.uppercased()]).joined(separator: "/").nfc
    }

    /// The first group of the symbol: a type code when it is one (`BC` in `BC-STTTT`).
    public var firstSymbolGroup: String {
        String(symbol.split(separator: "-").first ?? "")
    }

    /// Finds the first number-and-symbol in free text such as a file name
    /// ("Công văn số 4116-UBND-CN về chữ ký số"). The text must be NFC.
    public static func find(in text: String) -> DocumentNumber? {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            // A number starts at a digit that does not continue a word or number.
            if isDigit(scalars[i]), i == 0 || !isWordScalar(scalars[i - 1]) {
                if let found = parse(scalars, from: i) { return found }
            }
            i += 1
        }
        return nil
    }

    private static func parse(_ s: [Unicode.Scalar], from start: Int) -> DocumentNumber? {
        var i = start
        let number = takeWhile(s, &i, isDigit)
        guard (1...7).contains(number.count), i < s.count, isSeparator(s[i]) else { return nil }
        i += 1
        var year: String?
        var probe = i
        let maybeYear = takeWhile(s, &probe, isDigit)
        if maybeYear.count == 4, probe < s.count, isSeparator(s[probe]) {
            year = maybeYear
            i = probe + 1
        }
        var groups: [String] = []
        while i < s.count {
            // A symbol group starts with a capital letter, or a digit inside the
            // symbol (`QĐ-UBND-2`); it holds letters and digits.
            guard groups.count < 8 else { break }
            let first = s[i]
            guard isUpperLetter(first) || (!groups.isEmpty && isDigit(first)) else { break }
            let group = takeWhile(s, &i) { isLetter($0) || isDigit($0) }
            // After the first group, a capitalised word (`Ve`, `Về`, `Bao`) or an
            // over-long run is the file name's text, not the symbol: the symbol
            // ends before it (`4116-UBND-CN_Ve_viec` is 4116/UBND-CN).
            if !groups.isEmpty, group.count > 12 || isCapitalisedWord(group) { break }
            guard group.count <= 12 else { return nil }
            groups.append(group)
            // Continue only over a separator followed by another group.
            guard i + 1 < s.count, isSeparator(s[i]),
                isUpperLetter(s[i + 1]) || isDigit(s[i + 1])
            else { break }
            i += 1
        }
        guard !groups.isEmpty, groups[0].unicodeScalars.contains(where: isLetter) else { return nil }
        return DocumentNumber(number: number, year: year, symbol: groups.joined(separator: "-"))
    }

    private static func takeWhile(_ s: [Unicode.Scalar], _ i: inout Int, _ p: (Unicode.Scalar) -> Bool) -> String {
        var out = String.UnicodeScalarView()
        while i < s.count, p(s[i]) {
            out.append(s[i])
            i += 1
        }
        return String(out)
    }

    /// One capital then only small letters: a word, never a symbol group
    /// (groups are capitals, with a small tail after two capitals: `TTg`, `CTr`).
    private static func isCapitalisedWord(_ group: String) -> Bool {
        let u = Array(group.unicodeScalars)
        guard u.count >= 2, isUpperLetter(u[0]) else { return false }
        return u.dropFirst().allSatisfy { isLetter($0) && $0.properties.isLowercase }
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    private static func isSeparator(_ c: Unicode.Scalar) -> Bool { c == "-" || c == "_" || c == "/" }
    private static func isLetter(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic }
    private static func isUpperLetter(_ c: Unicode.Scalar) -> Bool { c.properties.isUppercase }
    private static func isWordScalar(_ c: Unicode.Scalar) -> Bool { isLetter(c) || isDigit(c) }
}
