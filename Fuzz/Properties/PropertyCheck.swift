/// What must hold for one fuzz input is written once, in the files of this
/// folder, and run by two callers: the libFuzzer target (Fuzz/Targets/<target>,
/// where a broken property aborts so libFuzzer keeps the input) and the replay
/// test of the kept inputs (Fuzz/Replay, run by `swift test`, where a broken
/// property is a test issue). Each side passes its own `PropertyCheck`.
struct PropertyCheck: Sendable {
    /// Called with what broke and where (the property file's line).
    let broken: @Sendable (_ what: String, _ file: StaticString, _ line: UInt) -> Void

    func require(_ holds: @autoclosure () -> Bool, _ what: @autoclosure () -> String,
                 file: StaticString = #fileID, line: UInt = #line) {
        if !holds() { broken(what(), file, line) }
    }
}

/// The limits one input must stay within. scripts/fuzz/run.sh gives libFuzzer
/// the same numbers as its defaults (FUZZ_TIMEOUT, FUZZ_RSS_MB); a shell script
/// cannot read a Swift constant, so the two are kept equal by hand.
enum FuzzLimits {
    static let seconds: Double = 10
    static let residentMiB = 1024
}

/// The number of lines of a text as the config parsers count them: every "\n"
/// starts one. Counted in scalars, because Swift counts "\r\n" as one Character.
func lineCount(_ text: String) -> Int {
    text.unicodeScalars.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
}
