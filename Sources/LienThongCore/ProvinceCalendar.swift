import Foundation

/// The province's calendar: effective dates, arrival-number years, receipt
/// times and report periods are Vietnamese local time whatever the host's
/// zone. Shared by the daemon and `lienthongctl`.
public enum ProvinceCalendar {
    public static let timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!
}
