/// cms: what must hold is Fuzz/Properties/cms.swift (also replayed by `swift test`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    CMSProperty.check(bytes(data, size), testTrust, .aborting)
    return 0
}
