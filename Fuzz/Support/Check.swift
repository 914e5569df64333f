import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension PropertyCheck {
    /// In a fuzz target a broken property aborts the process, which libFuzzer
    /// reports as a crash and saves the input: a wrong answer is a finding as
    /// much as a trap is. (What must hold is in Fuzz/Properties/.)
    static let aborting = PropertyCheck { what, file, line in
        FileHandle.standardError.write(Data("fuzz property broken at \(file):\(line): \(what)\n".utf8))
        abort()
    }
}

/// The fuzzer's bytes as an array (the parsers take `[UInt8]`).
func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}
