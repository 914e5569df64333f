import Foundation
import LienThongControl
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's end of the control socket (see ControlProtocol). It runs
/// inside the main poll() loop, so it must never block: the socket and every
/// connection are non-blocking, a request is at most
/// `ControlChannel.maxRequestBytes` on one line, and a client that has not
/// finished within `timeout` is dropped. Only root and the daemon's own user
/// may talk to it (SO_PEERCRED), on top of the 0700 state folder it lives in.
final class ControlServer {
    struct Peer: Equatable {
        var pid: Int32
        var uid: UInt32
    }

    typealias Handler = (ControlRequest, Peer) -> ControlResponse

    let path: String
    let timeout: Double
    let maxClients: Int
    let allowedUIDs: Set<UInt32>
    let handler: Handler
    /// Told about refused peers and broken requests (the journal).
    let warn: (String) -> Void
    private(set) var listenFD: Int32 = -1
    private var clients: [Int32: Client] = [:]

    private final class Client {
        let fd: Int32
        let peer: Peer
        let deadline: Date
        var input: [UInt8] = []
        var output: [UInt8]?
        var written = 0
        init(fd: Int32, peer: Peer, deadline: Date) {
            self.fd = fd
            self.peer = peer
            self.deadline = deadline
        }
    }

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String, allowedUIDs: Set<UInt32> = [0, geteuid()], timeout: Double = 5, maxClients: Int = 8,
         warn: @escaping (String) -> Void, handler: @escaping Handler) throws {
        self.path = path
        self.timeout = timeout
        self.maxClients = maxClients
        self.allowedUIDs = allowedUIDs
        self.warn = warn
        self.handler = handler
        try listen()
    }

    deinit { shutdown() }

    private func fail(_ what: String, _ e: Int32 = errno) -> StartFailure {
        StartFailure(description: "control socket \(path): \(what): \(String(cString: strerror(e)))")
    }

    private func listen() throws {
        guard var address = ControlChannel.socketAddress(path) else {
            throw StartFailure(description: "control socket \(path): longer than a Unix socket address allows (107 bytes); use a shorter spool path")
        }
        try removeStale()
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw fail("socket") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { let e = fail("bind"); close(fd); throw e }
        // The folder is 0700 already; the socket itself is owner-only too.
        chmod(path, 0o600)
        guard Glibc.listen(fd, 16) == 0 else { let e = fail("listen"); close(fd); unlink(path); throw e }
        listenFD = fd
    }

    /// A socket file left by a daemon that was killed: removed only when
    /// nobody answers on it. Anything that is not a socket is left alone.
    private func removeStale() throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else {
            throw StartFailure(description: "control socket \(path): something that is not a socket is in the way; move it away")
        }
        if let fd = try? ControlChannel.connect(path) {
            close(fd)
            throw StartFailure(description: "control socket \(path): another lienthongd is listening on it; is a second daemon running on this spool?")
        }
        unlink(path)
    }

    /// Stops listening, drops every connection and removes the socket file.
    func shutdown() {
        for fd in clients.keys { close(fd) }
        clients = [:]
        if listenFD >= 0 {
            close(listenFD)
            listenFD = -1
            unlink(path)
        }
    }

    // MARK: poll loop

    /// The descriptors to add to the daemon's poll set, listening socket first.
    func pollDescriptors() -> [pollfd] {
        guard listenFD >= 0 else { return [] }
        var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)]
        for client in clients.values.sorted(by: { $0.fd < $1.fd }) {
            fds.append(pollfd(fd: client.fd, events: Int16(client.output == nil ? POLLIN : POLLOUT), revents: 0))
        }
        return fds
    }

    /// The earliest time a connection must be dropped.
    func nextDeadline() -> Date? { clients.values.map(\.deadline).min() }

    /// Handles what poll() reported for `pollDescriptors()`, then drops
    /// connections past their deadline.
    func handle(_ fds: [pollfd], now: Date) {
        for p in fds where p.revents != 0 {
            if p.fd == listenFD {
                acceptAll(now: now)
            } else if let client = clients[p.fd] {
                if client.output == nil {
                    if p.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { readFrom(client) }
                } else if p.revents & Int16(POLLOUT | POLLHUP | POLLERR) != 0 {
                    writeTo(client)
                }
            }
        }
        for client in clients.values where client.deadline <= now {
            warn("control client pid \(client.peer.pid) uid \(client.peer.uid) did not finish within \(Int(timeout)) s; disconnected")
            drop(client)
        }
    }

    private func acceptAll(now: Date) {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return  // EAGAIN: none left; anything else: the client is gone
            }
            // accept4 needs _GNU_SOURCE in Glibc's module: set the flags by hand.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var cred = PeerCredentials()
            var length = socklen_t(MemoryLayout<PeerCredentials>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0, length == MemoryLayout<PeerCredentials>.size else {
                close(fd)
                continue
            }
            let peer = Peer(pid: cred.pid, uid: cred.uid)
            guard allowedUIDs.contains(cred.uid) else {
                warn("control request refused: pid \(cred.pid) runs as uid \(cred.uid); only root and the service user may steer the daemon")
                sendOnce(fd, ControlResponse(ok: false, message: "refused: uid \(cred.uid) may not steer lienthongd; run lienthongctl as root or as the service user"))
                close(fd)
                continue
            }
            guard clients.count < maxClients else {
                sendOnce(fd, ControlResponse(ok: false, message: "busy: \(maxClients) control connections are open; try again"))
                close(fd)
                continue
            }
            clients[fd] = Client(fd: fd, peer: peer, deadline: now.addingTimeInterval(timeout))
        }
    }

    private func readFrom(_ client: Client) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while client.output == nil {
            let room = ControlChannel.maxRequestBytes + 1 - client.input.count
            let n = recv(client.fd, &chunk, min(chunk.count, max(room, 1)), 0)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                drop(client)
                return
            }
            if n == 0 {
                // Closed before a whole line: nothing to answer.
                drop(client)
                return
            }
            let start = client.input.count
            client.input += chunk[0..<n]
            if let newline = client.input[start...].firstIndex(of: UInt8(ascii: "\n")) {
                respond(client, Self.answer(Array(client.input[..<newline]), peer: client.peer, handler: handler, warn: warn))
            } else if client.input.count > ControlChannel.maxRequestBytes {
                warn("control request from pid \(client.peer.pid) longer than \(ControlChannel.maxRequestBytes) bytes; refused")
                respond(client, ControlResponse(ok: false, message: "request longer than \(ControlChannel.maxRequestBytes) bytes; refused"))
            }
        }
    }

    /// Parses one request line and runs it. A line that is not a request
    /// gets an error answer; the daemon carries on.
    static func answer(_ line: [UInt8], peer: Peer, handler: Handler, warn: (String) -> Void) -> ControlResponse {
        guard let request = try? ControlChannel.decoder().decode(ControlRequest.self, from: Data(line)) else {
            warn("control request from pid \(peer.pid) is not a JSON request; refused")
            return ControlResponse(ok: false, message: "not a request: expected one JSON object such as {\"command\":\"status\"} on one line")
        }
        return handler(request, peer)
    }

    private func respond(_ client: Client, _ response: ControlResponse) {
        var bytes = Array((try? ControlChannel.encoder().encode(response)) ?? Data("{\"ok\":false,\"message\":\"cannot encode the answer\"}".utf8))
        bytes.append(UInt8(ascii: "\n"))
        client.output = bytes
        writeTo(client)
    }

    private func writeTo(_ client: Client) {
        guard let output = client.output else { return }
        while client.written < output.count {
            let n = output.withUnsafeBytes { send(client.fd, $0.baseAddress! + client.written, output.count - client.written, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }  // poll for POLLOUT
                break
            }
            client.written += n
        }
        drop(client)
    }

    private func drop(_ client: Client) {
        close(client.fd)
        clients[client.fd] = nil
    }

    /// A short answer to a connection that is about to be closed; best effort.
    private func sendOnce(_ fd: Int32, _ response: ControlResponse) {
        guard var bytes = try? ControlChannel.encoder().encode(response) else { return }
        bytes.append(UInt8(ascii: "\n"))
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

/// Linux's `struct ucred` (pid, uid, gid), which Glibc's Swift module hides
/// behind _GNU_SOURCE; SO_PEERCRED fills it.
struct PeerCredentials {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
