import Foundation
@testable import LienThongSignature

/// PEM detection and decoding: the blocks found never hold more than the
/// input could encode, a label stays short, the byte search agrees with a
/// plain one, and the input's bytes armoured as PEM come back unchanged.
enum PEMProperty {
    static func check(_ input: [UInt8], _ p: PropertyCheck) {
        let blocks = PEM.blocks(input)
        let decoded = blocks.reduce(0) { $0 + $1.der.count }
        p.require(decoded <= input.count * 3 / 4 + 3, "\(decoded) bytes decoded from \(input.count)")
        p.require(blocks.allSatisfy { $0.label.count <= 64 }, "a label longer than 64")
        if !blocks.isEmpty { p.require(PEM.looksLikePEM(input) || input.count > 4096, "blocks found, but not PEM") }

        let marker = Array("-----BEGIN ".utf8)
        let naive = input.count < marker.count ? nil
            : (0...(input.count - marker.count)).first { input[$0..<($0 + marker.count)].elementsEqual(marker) }
        p.require(PEM.find(marker, in: input, from: 0) == naive, "find disagrees with a plain search")

        let body = Data(input).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let armoured = Array("-----BEGIN CMS-----\n\(body)\n-----END CMS-----\n".utf8)
        let again = PEM.blocks(armoured)
        p.require(again.count == 1 && again[0].label == "CMS" && again[0].der == input, "armour round trip lost the bytes")
    }
}
