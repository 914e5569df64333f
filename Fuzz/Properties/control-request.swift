import Foundation
import LienThongControl

/// One line from the control socket, decoded as the daemon decodes it
/// (ControlServer: the bytes before the first line break, refused unread
/// over `maxRequestBytes`): a request or nothing, and a request that decodes
/// survives its own encoding (the client's path) on one line, unchanged.
enum ControlRequestProperty {
    static func check(_ input: [UInt8], _ p: PropertyCheck) {
        let line = input.prefix { $0 != UInt8(ascii: "\n") }
        guard line.count <= ControlChannel.maxRequestBytes else { return }
        guard let request = try? ControlChannel.decoder().decode(ControlRequest.self, from: Data(line)) else { return }
        guard let encoded = try? ControlChannel.encoder().encode(request) else {
            p.require(false, "a decoded request cannot be encoded: \(request)")
            return
        }
        p.require(!encoded.contains(UInt8(ascii: "\n")), "an encoded request spans lines")
        let again = try? ControlChannel.decoder().decode(ControlRequest.self, from: encoded)
        p.require(again == request, "request changes through encode/decode: \(request) → \(String(describing: again))")
    }
}
