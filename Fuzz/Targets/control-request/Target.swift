/// control-request: what must hold is Fuzz/Properties/control-request.swift (also replayed by `swift test`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ControlRequestProperty.check(bytes(data, size), .aborting)
    return 0
}
