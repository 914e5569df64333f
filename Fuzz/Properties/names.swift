import Foundation
import LienThongCore

/// Dropped names into submission keys, numbered copies, ignore patterns and
/// document numbers (SPEC §3). Each property is one the pipeline relies on:
/// a document and its `.p7s` share a key, a key never names `.`/`..` or a
/// subfolder, a numbered copy fits a file name, a number read back from its
/// display form in a file name is the same number.
enum NamesProperty {
    static func check(_ input: [UInt8], _ p: PropertyCheck) {
        // A file name is at most 255 bytes; longer input only slows the search.
        guard input.count <= 1024 else { return }
        let name = String(decoding: input, as: UTF8.self)
        keys(name, p)
        numbered(name, p)
        patterns(name, p)
        documentNumber(name, p)
    }

    private static func keys(_ name: String, _ p: PropertyCheck) {
        // Only names a directory can hold: not empty, not `.`/`..`, no `/` or NUL.
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.unicodeScalars.contains("\0") else { return }
        let key = SubmissionKey.key(forFileName: name)
        p.require(!key.isEmpty && key != "." && key != "..", "key \(key.debugDescription) of \(name.debugDescription)")
        p.require(!key.contains("/"), "key with a slash")
        // NFC may lengthen a name, but at most threefold in UTF-8 (Unicode's stability rule).
        p.require(key.utf8.count <= 3 * name.utf8.count, "key longer than NFC can make it")
        let trimmed = key.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty && trimmed != "." && trimmed != ".." && key == trimmed {
            // A detached signature pairs with its document: `X` and `X.p7s` share a key.
            let signed = SubmissionKey.key(forFileName: name + ".p7s")
            p.require(signed == key, "\(name.debugDescription) → \(key.debugDescription) but its .p7s → \(signed.debugDescription)")
            p.require(SubmissionKey.hasScanMarker(name + ".pdf") == SubmissionKey.hasScanMarker(name), "scan marker depends on .pdf")
        }
    }

    private static func numbered(_ name: String, _ p: PropertyCheck) {
        // Compared as bytes, because a file is its name's bytes: String's == and
        // hasSuffix compare grapheme clusters, and a prepended mark (U+0605)
        // before the " (n)" joins the space into its cluster (a false finding).
        let (stem, extensions) = NumberedName.split(name)
        p.require(Array((stem + extensions).utf8) == Array(name.utf8),
                  "split loses text: \(stem.debugDescription) + \(extensions.debugDescription)")
        // Fits a file name whenever the extensions leave room for a stem.
        if extensions.utf8.count <= 200 {
            let copy = NumberedName.numbered(name, 12345)
            let tail = Array((" (12345)" + extensions).utf8)
            p.require(copy.utf8.count <= 255, "numbered copy of \(copy.utf8.count) bytes")
            p.require(copy.utf8.reversed().starts(with: tail.reversed()), "numbered copy lost the extensions")
        }
    }

    private static func patterns(_ name: String, _ p: PropertyCheck) {
        p.require(IgnorePatterns(["*"]).matches(name), "* does not match \(name.debugDescription)")
        if !name.contains("*") && !name.contains("?") {
            p.require(IgnorePatterns([name]).matches(name), "a literal pattern does not match itself")
            p.require(IgnorePatterns([name.uppercased()]).matches(name.lowercased()) || name.uppercased().lowercased() != name.lowercased(),
                      "patterns are not case-insensitive")
        }
    }

    private static func documentNumber(_ text: String, _ p: PropertyCheck) {
        let nfc = text.precomposedStringWithCanonicalMapping
        guard let found = DocumentNumber.find(in: nfc) else { return }
        p.require((1...7).contains(found.number.count) && found.number.allSatisfy(\.isASCII), "number \(found.number)")
        p.require(found.display.unicodeScalars.count <= nfc.unicodeScalars.count, "display longer than the text")
        // In a file name `/` is written `-`: read back, it is the same document.
        let asFileName = found.display.replacingOccurrences(of: "/", with: "-")
        let again = DocumentNumber.find(in: asFileName)
        p.require(again?.pairingIdentity == found.pairingIdentity,
                  "\(found.display) written as \(asFileName) reads back as \(again?.display ?? "nothing")")
    }
}
