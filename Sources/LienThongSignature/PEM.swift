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
        return bytes.prefix(4096).firstRange(of: marker) != nil
    }

    /// Every well-formed block; malformed ones are skipped.
    static func blocks(_ bytes: [UInt8]) -> [Block] {
        let begin = Array("-----BEGIN ".utf8), dashes = Array("-----".utf8), end = Array("-----END ".utf8)
        var result: [Block] = []
        var position = 0
        while position < bytes.count, let b = bytes[position...].firstRange(of: begin) {
            guard let labelEnd = bytes[b.upperBound...].firstRange(of: dashes) else { break }
            let label = String(decoding: bytes[b.upperBound..<labelEnd.lowerBound], as: UTF8.self)
            guard label.count <= 64, let e = bytes[labelEnd.upperBound...].firstRange(of: end) else { break }
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
