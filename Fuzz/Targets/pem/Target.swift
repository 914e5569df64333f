import Foundation
@testable import LienThongSignature

/// PEM detection and decoding: the blocks found never hold more than the
/// input could encode, a label stays short, the byte search agrees with a
/// plain one, and the input's bytes armoured as PEM come back unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = bytes(data, size)
    let blocks = PEM.blocks(input)
    let decoded = blocks.reduce(0) { $0 + $1.der.count }
    require(decoded <= input.count * 3 / 4 + 3, "\(decoded) bytes decoded from \(input.count)")
    require(blocks.allSatisfy { $0.label.count <= 64 }, "a label longer than 64")
    if !blocks.isEmpty { require(PEM.looksLikePEM(input) || input.count > 4096, "blocks found, but not PEM") }

    let marker = Array("-----BEGIN ".utf8)
    let naive = input.count < marker.count ? nil
        : (0...(input.count - marker.count)).first { input[$0..<($0 + marker.count)].elementsEqual(marker) }
    require(PEM.find(marker, in: input, from: 0) == naive, "find disagrees with a plain search")

    let body = Data(input).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
    let armoured = Array("-----BEGIN CMS-----\n\(body)\n-----END CMS-----\n".utf8)
    let again = PEM.blocks(armoured)
    require(again.count == 1 && again[0].label == "CMS" && again[0].der == input, "armour round trip lost the bytes")
    return 0
}
