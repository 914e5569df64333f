import Foundation
import LienThongControl

/// One line from the control socket (the daemon decodes it as below, after
/// refusing lines over `maxRequestBytes`): a request or nothing, and a request
/// that decodes survives its own encoding unchanged (the client's path).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard size <= ControlChannel.maxRequestBytes else { return 0 }
    let line = Data(bytes(data, size))
    guard let request = try? ControlChannel.decoder().decode(ControlRequest.self, from: line) else { return 0 }
    guard let encoded = try? ControlChannel.encoder().encode(request) else {
        require(false, "a decoded request cannot be encoded")
        return 0
    }
    // One request per line: the encoding must not contain a line break.
    require(!encoded.contains(UInt8(ascii: "\n")), "an encoded request spans lines")
    let again = try? ControlChannel.decoder().decode(ControlRequest.self, from: encoded)
    require(again == request, "request changes through encode/decode: \(request) → \(String(describing: again))")
    return 0
}
