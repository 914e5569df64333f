import Foundation

/// The test PKI scripts/fuzz/build.sh made, in `LIENTHONG_FUZZ_PKI` (set by
/// scripts/fuzz/run.sh), loaded once for all inputs.
let testTrust: SignatureTrust = {
    guard let folder = ProcessInfo.processInfo.environment["LIENTHONG_FUZZ_PKI"] else {
        fatalError("LIENTHONG_FUZZ_PKI is not set (run the target through scripts/fuzz/run.sh)")
    }
    do {
        return try SignatureTrust(folder: folder)
    } catch {
        fatalError("cannot load the test trust from \(folder): \(error)")
    }
}()
