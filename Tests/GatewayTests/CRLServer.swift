import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain HTTP server on 127.0.0.1 (python3 -m http.server) serving a
/// folder, as a CA publishes its CRLs; stopped by its own pid.
final class CRLServer {
    let folder: String
    let port: Int
    private let process: Process

    /// The port is chosen before the server starts, because the test PKI's
    /// CAs must name it in their CRL Distribution Points.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw HarnessError("bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    init(folder: String, port: Int) throws {
        self.folder = folder
        self.port = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let r = try runCommand("/usr/bin/python3", ["-c", "import socket; socket.create_connection(('127.0.0.1', \(port)), 1)"])
            if r.status == 0 { return }
            usleep(100_000)
        }
        throw HarnessError("the test HTTP server on 127.0.0.1:\(port) did not start")
    }

    /// Serves `files` (copied from `source`) instead of what it served before.
    func serve(_ source: String) throws {
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: folder) { try fm.removeItem(atPath: folder + "/" + name) }
        for name in try fm.contentsOfDirectory(atPath: source) { try fm.copyItem(atPath: source + "/" + name, toPath: folder + "/" + name) }
    }

    deinit {
        // SIGKILL: the test process blocks SIGTERM, and its children inherit that mask.
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}
