/// units-csv: what must hold is Fuzz/Properties/units-csv.swift (also replayed by `swift test`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    UnitsCSVProperty.check(bytes(data, size), .aborting)
    return 0
}
