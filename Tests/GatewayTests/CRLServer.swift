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

    /// `proxyLog`: run as an HTTP proxy instead, answering a request for any
    /// host with the file of that name in `folder`, and writing each request
    /// line to `proxyLog` (the proof that a client went through it).
    init(folder: String, port: Int, proxyLog: String? = nil) throws {
        self.folder = folder
        self.port = port
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        if let proxyLog {
            process.arguments = ["-c", Self.proxyScript, String(port), folder, proxyLog]
        } else {
            process.arguments = ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder]
        }
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

    private static let proxyScript = """
        import http.server, os, sys, urllib.parse
        port, folder, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        class Proxy(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with open(log, "a") as f:
                    f.write(self.path + "\\n")
                url = urllib.parse.urlsplit(self.path)
                path = os.path.join(folder, os.path.basename(url.path))
                if not url.scheme or not os.path.isfile(path):
                    self.send_error(404)
                    return
                data = open(path, "rb").read()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", port), Proxy).serve_forever()
        """

    deinit {
        // SIGKILL: the test process blocks SIGTERM, and its children inherit that mask.
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}
