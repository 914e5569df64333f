/// pdf-objects: what must hold is Fuzz/Properties/pdf-objects.swift (also replayed by `swift test`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    PDFObjectsProperty.check(bytes(data, size), .aborting)
    return 0
}
