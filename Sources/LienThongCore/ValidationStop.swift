import Foundation

/// Why validating a file stopped before it was done: the bound of the
/// per-file validation budget it passed. The file is then `unreadable`, and
/// the receipt names the bound in its own language.
public struct ValidationStop: Codable, Sendable, Equatable {
    public enum Bound: String, Codable, Sendable {
        case inflatedBytes = "inflated-bytes"
        case streamsDecoded = "streams-decoded"
        case objectsParsed = "objects-parsed"
        case depth
        case time
    }

    public var bound: Bound
    /// The limit that was passed, in the bound's unit: bytes, streams,
    /// objects, levels or seconds.
    public var limit: Double

    public init(bound: Bound, limit: Double) {
        self.bound = bound
        self.limit = limit
    }

    public func text(_ language: ReceiptLanguage) -> String {
        let n = limit == limit.rounded() && abs(limit) < 1e15 ? String(Int(limit)) : String(format: "%.1f", limit)
        switch (bound, language) {
        case (.inflatedBytes, .en): return "more than \(Int(limit) >> 20) MiB inflated from its compressed streams"
        case (.inflatedBytes, .vi): return "giải nén ra quá \(Int(limit) >> 20) MiB dữ liệu"
        case (.streamsDecoded, .en): return "more than \(n) object streams decoded"
        case (.streamsDecoded, .vi): return "có quá \(n) luồng đối tượng (object stream) cần giải mã"
        case (.objectsParsed, .en): return "more than \(n) PDF objects parsed"
        case (.objectsParsed, .vi): return "có quá \(n) đối tượng PDF"
        case (.depth, .en): return "objects nested deeper than \(n) levels"
        case (.depth, .vi): return "có đối tượng lồng nhau sâu quá \(n) cấp"
        case (.time, .en): return "it took more than \(n) s"
        case (.time, .vi): return "việc kiểm tra mất quá \(n) giây"
        }
    }
}
