import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The last few warnings and errors an EventLog wrote, kept in memory so
/// `lienthongctl status` can show "last errors" without reading the journal.
/// A ring: the oldest entry goes when it is full. Thread-safe.
public final class RecentEntries: Sendable {
    public struct Entry: Sendable, Equatable {
        /// Seconds since 1970.
        public var at: Double
        public var priority: LogPriority
        public var message: String
    }

    public let capacity: Int
    private let entries = Mutex<[Entry]>([])

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    public func add(_ priority: LogPriority, _ message: String) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let entry = Entry(at: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9, priority: priority, message: String(message.prefix(1000)))
        entries.withLock { list in
            list.append(entry)
            if list.count > capacity { list.removeFirst(list.count - capacity) }
        }
    }

    /// Oldest first.
    public var all: [Entry] { entries.withLock { $0 } }
}
