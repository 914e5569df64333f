/// names: what must hold is Fuzz/Properties/names.swift (also replayed by `swift test`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    NamesProperty.check(bytes(data, size), .aborting)
    return 0
}
