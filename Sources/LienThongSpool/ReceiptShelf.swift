import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Moves old receipts out of a unit's `receipts/` into `receipts/YYYY/MM/`
/// (the month the receipt was written, in the province's calendar). A
/// receipt's `.txt` and `.json` move together, to the month of the later of
/// the two. Pending notices stay: they describe a submission still waiting.
/// A name already taken in the month folder is left in place (never overwritten).
public struct ReceiptShelf: Sendable {
    public let timeZone: TimeZone
    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    public struct Outcome: Sendable, Equatable {
        public var moved = 0
        public var problems: [String] = []
    }

    public func shelve(_ receipts: String, olderThan cutoff: Date) -> Outcome {
        var outcome = Outcome()
        for (stem, names) in groups(receipts) {
            let times = names.compactMap { modified(receipts + "/" + $0) }
            guard let newest = times.max(), times.count == names.count, newest < cutoff else { continue }
            let month = receipts + "/" + folder(for: newest)
            do {
                try DurableFS.makeDirectories(month)
                for name in names where !DurableFS.exists(month + "/" + name) {
                    try DurableFS.move(receipts + "/" + name, to: month + "/" + name, noReplace: true)
                    outcome.moved += 1
                }
            } catch {
                outcome.problems.append("\(receipts)/\(stem): \(error)")
            }
        }
        return outcome
    }

    /// Regular, visible receipt files at the top of the folder, by stem.
    func groups(_ receipts: String) -> [String: [String]] {
        var groups: [String: [String]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: receipts)) ?? [] {
            guard !name.hasPrefix("."), name.hasSuffix(".txt") || name.hasSuffix(".json") else { continue }
            let stem = (name as NSString).deletingPathExtension
            guard !stem.hasSuffix(".pending") else { continue }
            var st = stat()
            guard lstat(receipts + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            groups[stem, default: []].append(name)
        }
        return groups
    }

    func modified(_ path: String) -> Date? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec))
    }

    func folder(for date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d/%02d", c.year ?? 0, c.month ?? 0)
    }
}
