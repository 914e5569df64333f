/// manifest: what must hold is Fuzz/Properties/manifest.swift (also replayed by `swift test`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    ManifestProperty.check(bytes(data, size), .aborting)
    return 0
}
