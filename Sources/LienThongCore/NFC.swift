import Foundation

extension String {
    /// The text in NFC, as `precomposedStringWithCanonicalMapping` gives it,
    /// with the same bytes. ASCII text is returned as it is: no
    /// normalisation changes it, and Foundation's round trip through
    /// CFString cost some 20,000 instructions a name (make profile: a tenth
    /// of the event loop's work went to ignore patterns and keys).
    public var nfc: String {
        let ascii = utf8.withContiguousStorageIfAvailable { Self.allASCII($0) } ?? utf8.allSatisfy { $0 < 0x80 }
        return ascii ? self : precomposedStringWithCanonicalMapping
    }

    private static func allASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var or: UInt8 = 0
        for b in bytes { or |= b }
        return or < 0x80
    }
}
