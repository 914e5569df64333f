import Foundation

/// Just enough PEM: find `-----BEGIN X-----` blocks and base64-decode them.
/// Used for certificates, CRLs and `.p7s` files that arrive armoured.
enum PEM {
    struct Block {
        var label: String
        var der: [UInt8]
    }

    static func looksLikePEM(_ bytes: [UInt8]) -> Bool {
        let marker = Array("-----BEGIN ".utf8)
        return find(marker, in: bytes, from: 0, limit: 4096) != nil
    }

    /// The start of `needle` in `bytes[from..<limit]`, by memchr on its first
    /// byte and memcmp: Foundation's generic `firstRange(of:)` took 4% of the
    /// daemon's CPU on every detached signature just to say "not PEM" (perf,
    /// `make bench`).
    static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int, limit: Int = .max) -> Int? {
        let end = min(bytes.count, limit)
        guard from >= 0, !needle.isEmpty, end - from >= needle.count else { return nil }
        return bytes.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                let base = hay.baseAddress!
                var at = from
                while end - at >= pin.count {
                    guard let hit = memchr(base + at, Int32(pin[0]), end - at - pin.count + 1) else { return nil }
                    let offset = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, pin.baseAddress!, pin.count) == 0 { return offset }
                    at = offset + 1
                }
                return nil
            }
        }
    }

    /// Every well-formed block; malformed ones are skipped.
    static func blocks(_ bytes: [UInt8]) -> [Block] {
        let begin = Array("-----BEGIN ".utf8), dashes = Array("-----".utf8), end = Array("-----END ".utf8)
        var result: [Block] = []
        var position = 0
        while position < bytes.count, let b = find(begin, in: bytes, from: position).map({ $0..<$0 + begin.count }) {
            guard let labelEnd = find(dashes, in: bytes, from: b.upperBound).map({ $0..<$0 + dashes.count }) else { break }
            let label = String(decoding: bytes[b.upperBound..<labelEnd.lowerBound], as: UTF8.self)
            guard label.count <= 64, let e = find(end, in: bytes, from: labelEnd.upperBound).map({ $0..<$0 + end.count }) else { break }
            let body = bytes[labelEnd.upperBound..<e.lowerBound].filter { !$0.isASCIIWhitespace }
            // Headers such as "Proc-Type:" are not used by the files we read.
            if let data = Data(base64Encoded: Data(body)) {
                result.append(Block(label: label, der: [UInt8](data)))
            }
            position = e.upperBound
        }
        return result
    }
}

extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
