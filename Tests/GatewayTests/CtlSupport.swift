import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real built `lienthongctl` against a harness's daemon.
enum Ctl {
    /// The built tool: next to the test bundle, or LIENTHONGCTL_BIN.
    static let binary: String? = DaemonHarness.builtProduct("lienthongctl", override: "LIENTHONGCTL_BIN")

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    /// `lienthongctl ARGS --config <harness config>`; never throws on a
    /// non-zero exit, the tests check the status.
    static func run(_ d: DaemonHarness, _ args: [String], withConfig: Bool = true) throws -> Result {
        guard let binary else { throw HarnessError("lienthongctl is not built; run swift build first") }
        let r = try runCommand(binary, args + (withConfig ? ["--config", d.configPath] : []))
        return Result(status: r.status, out: r.stdout, err: r.stderr)
    }

    static func json(_ d: DaemonHarness, _ args: [String]) throws -> [String: Any] {
        let r = try run(d, args + ["--json"])
        guard let object = try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any] else {
            throw HarnessError("lienthongctl \(args.joined(separator: " ")) --json (exit \(r.status)) printed no JSON object:\n\(r.out)\n\(r.err)")
        }
        return object
    }
}

/// The built `lienthongctl`, or a clear failure.
func ctlBinary() throws -> String {
    guard let binary = Ctl.binary else { throw HarnessError("lienthongctl is not built; run swift build first") }
    return binary
}

/// Talks to the control socket directly, as a hostile or broken client would.
enum RawControl {
    static func connect(_ path: String) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, rc == 0 else { throw HarnessError("connect \(path): \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Sends `bytes` (as much as the daemon takes) and returns the answer line, or "" when closed without one.
    static func exchange(_ path: String, _ bytes: [UInt8]) throws -> String {
        let fd = try connect(path)
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }  // the daemon stopped reading: fine, read its answer
            offset += n
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !answer.contains(10) {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            answer += chunk[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}

/// Reads a PNG (8-bit RGB or RGBA, not interlaced: what Chromium writes)
/// with Python's zlib and says how many distinct colours it has and whether
/// each asked colour appears.
enum PNGProbe {
    static let script = #"""
    import sys, zlib, struct
    data = open(sys.argv[1], 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat, w = 8, b'', 0
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, 'unsupported PNG %d %d %d' % (depth, ctype, interlace)
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
        for x in range(0, stride, bpp):
            colours.add(bytes(line[x:x + 3]))
        prev = line
    print(len(colours))
    for want in sys.argv[2:]:
        print(want, 'yes' if bytes.fromhex(want.lstrip('#')) in colours else 'no')
    """#

    static func probe(_ png: String, colours: [String]) throws -> (distinct: Int, present: [String: Bool]) {
        let out = try run("/usr/bin/python3", ["-c", script, png] + colours)
        let lines = out.split(separator: "\n").map(String.init)
        guard let first = lines.first, let n = Int(first) else { throw HarnessError("PNG probe said: \(out)") }
        var present: [String: Bool] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ")
            if parts.count == 2 { present[String(parts[0])] = parts[1] == "yes" }
        }
        return (n, present)
    }
}
