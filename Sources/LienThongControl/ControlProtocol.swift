import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The little protocol between `lienthongctl` and the running daemon over
/// `<spool>/state/control.sock`: one JSON object on one line each way, one
/// request per connection.
///
///     → {"command":"hold","id":"20261124-000003-9f2c"}
///     ← {"ok":true,"affected":1,"message":"held 20261124-000003-9f2c …"}
///
/// Commands: `status`, `hold`, `release`, `retry`, `reload` (lienthongctl reload,
/// and fetch-crls after installing CRLs). `id` is a submission id, `ALL`, or
/// absent (retry: every deferred delivery); hold/release take `unit` instead.
public struct ControlRequest: Codable, Sendable, Equatable {
    public var command: String
    public var id: String?
    /// hold/release: every pending submission of this unit (instead of `id`).
    public var unit: String?

    public init(command: String, id: String? = nil, unit: String? = nil) {
        self.command = command
        self.id = id
        self.unit = unit
    }
}

public struct ControlResponse: Codable, Sendable, Equatable {
    public var ok: Bool
    public var affected: Int?
    public var message: String
    public var status: LiveStatus?

    public init(ok: Bool, affected: Int? = nil, message: String, status: LiveStatus? = nil) {
        self.ok = ok
        self.affected = affected
        self.message = message
        self.status = status
    }
}

/// What only the running daemon knows: the ledger has the rest.
public struct LiveStatus: Codable, Sendable, Equatable {
    public var pid: Int32
    public var startedAt: Date
    public var config: String
    public var spool: String
    public var foldersWatched: Int
    /// Entries in outboxes still settling (not yet claimed).
    public var settling: Int
    public var watchImpaired: String?
    public var open: [OpenInfo]
    /// The last warnings and errors the daemon logged, oldest first.
    public var recentProblems: [Problem]
    public var acceptedToday: Int
    public var rejectedToday: Int

    public init(pid: Int32, startedAt: Date, config: String, spool: String, foldersWatched: Int, settling: Int,
                watchImpaired: String?, open: [OpenInfo], recentProblems: [Problem], acceptedToday: Int, rejectedToday: Int) {
        self.pid = pid
        self.startedAt = startedAt
        self.config = config
        self.spool = spool
        self.foldersWatched = foldersWatched
        self.settling = settling
        self.watchImpaired = watchImpaired
        self.open = open
        self.recentProblems = recentProblems
        self.acceptedToday = acceptedToday
        self.rejectedToday = rejectedToday
    }

    public struct OpenInfo: Codable, Sendable, Equatable {
        public var id: String
        public var unit: String
        public var key: String
        public var firstArrival: Date
        /// When the daemon looks at it again by itself (nil while held).
        public var wakeAt: Date?
        /// first_arrival + pairing_window: when the rule decides it anyway.
        public var windowEnds: Date
        public var held: Bool
        /// In words: what the decision still waits for.
        public var waitingFor: String

        public init(id: String, unit: String, key: String, firstArrival: Date, wakeAt: Date?, windowEnds: Date, held: Bool, waitingFor: String) {
            self.id = id
            self.unit = unit
            self.key = key
            self.firstArrival = firstArrival
            self.wakeAt = wakeAt
            self.windowEnds = windowEnds
            self.held = held
            self.waitingFor = waitingFor
        }
    }

    public struct Problem: Codable, Sendable, Equatable {
        public var at: Date
        public var priority: String
        public var message: String

        public init(at: Date, priority: String, message: String) {
            self.at = at
            self.priority = priority
            self.message = message
        }
    }
}

public enum ControlChannel {
    /// Where the daemon listens: beside the ledger, in the 0700 state folder.
    public static func socketPath(spool: String) -> String { spool + "/state/control.sock" }

    /// Requests and answers larger than this are refused (a status of a few
    /// thousand open submissions still fits in an answer).
    public static let maxRequestBytes = 64 * 1024
    public static let maxResponseBytes = 16 * 1024 * 1024

    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .secondsSince1970
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// The daemon is not there at all (no socket, nobody listening).
        public let notRunning: Bool
    }

    /// Sends one request and waits (up to `timeout`) for the answer. A release
    /// may decide a submission on the spot (a signature check of a large
    /// file), hence the generous default.
    public static func send(_ request: ControlRequest, socket path: String, timeout: Double = 120) throws -> ControlResponse {
        let fd = try connect(path)
        defer { close(fd) }
        var line = try encoder().encode(request)
        line.append(UInt8(ascii: "\n"))
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        try line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    // The daemon may answer and close before reading (a refused
                    // user): its answer is still there to read.
                    if errno == EPIPE || errno == ECONNRESET { break }
                    throw Failure(description: "cannot send to lienthongd at \(path): \(String(cString: strerror(errno)))", notRunning: false)
                }
                offset += n
            }
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !answer.contains(UInt8(ascii: "\n")) {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                let what = errno == EAGAIN ? "no answer within \(Int(timeout)) s" : String(cString: strerror(errno))
                throw Failure(description: "lienthongd at \(path): \(what)", notRunning: false)
            }
            if n == 0 { break }
            answer += chunk[0..<n]
            if answer.count > maxResponseBytes { throw Failure(description: "lienthongd's answer is larger than \(maxResponseBytes) bytes", notRunning: false) }
        }
        guard let end = answer.firstIndex(of: UInt8(ascii: "\n")) else {
            throw Failure(description: "lienthongd at \(path) closed the connection without an answer (is this user root or the service user?)", notRunning: false)
        }
        do {
            return try decoder().decode(ControlResponse.self, from: Data(answer[..<end]))
        } catch {
            throw Failure(description: "lienthongd's answer is not understood: \(error)", notRunning: false)
        }
    }

    /// A connected Unix stream socket to `path`.
    public static func connect(_ path: String) throws -> Int32 {
        guard var address = socketAddress(path) else {
            throw Failure(description: "socket path \(path) is longer than a Unix socket address allows (107 bytes)", notRunning: false)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))", notRunning: false) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            let down = e == ENOENT || e == ECONNREFUSED
            throw Failure(
                description: down
                    ? "lienthongd is not running on this spool (nothing listens at \(path)); start it with systemctl start lienthongd"
                    : "cannot reach lienthongd at \(path): \(String(cString: strerror(e)))\(e == EACCES ? " (run as root or as the service user)" : "")",
                notRunning: down)
        }
        return fd
    }

    public static func socketAddress(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return address
    }
}
