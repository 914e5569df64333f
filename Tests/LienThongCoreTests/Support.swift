import Foundation
@testable import LienThongCore

/// Shared fixtures for the Core tests.
enum Fixture {
    static let hcm = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    /// A moment in the province's calendar: `at(2018, 8, 15, 9, 30)` is 09:30 in Hà Nội time.
    static func at(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 9, _ mi: Int = 0, _ s: Int = 0) -> Date {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = hcm
        return c.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
    }

    static func nfd(_ s: String) -> String { s.decomposedStringWithCanonicalMapping }
    static func nfc(_ s: String) -> String { s.precomposedStringWithCanonicalMapping }
}
