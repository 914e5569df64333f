import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a fuzz target asserts about one input. A broken property aborts the
/// process, which libFuzzer reports as a crash and saves the input: a wrong
/// answer is a finding as much as a trap is.
func require(_ holds: @autoclosure () -> Bool, _ what: @autoclosure () -> String,
             file: StaticString = #fileID, line: UInt = #line) {
    guard !holds() else { return }
    FileHandle.standardError.write(Data("fuzz property broken at \(file):\(line): \(what())\n".utf8))
    abort()
}

/// The fuzzer's bytes as an array (the parsers take `[UInt8]`).
func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Strict UTF-8 text, or nil: the config files and names reach the parsers as
/// decoded strings, so invalid bytes are not theirs to handle.
func text(_ input: [UInt8]) -> String? {
    String(validating: input, as: UTF8.self)
}
