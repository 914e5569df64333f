import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the Spool tests. Every test makes its own folder with
/// mkdtemp and removes it when done, so tests can run in parallel.
enum Scratch {
    /// Runs `body` with a fresh, empty folder under /tmp and removes it afterwards.
    static func withDir<T>(_ tag: String, _ body: (String) throws -> T) throws -> T {
        let dir = try make(tag)
        defer { remove(dir) }
        return try body(dir)
    }

    static func withDir<T>(_ tag: String, _ body: (String) async throws -> T) async throws -> T {
        let dir = try make(tag)
        defer { remove(dir) }
        return try await body(dir)
    }

    static func make(_ tag: String) throws -> String {
        var template = Array("/tmp/lienthong-spooltest-\(tag)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw Failure("mkdtemp: \(String(cString: strerror(errno)))") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func remove(_ dir: String) {
        // Make everything writable again first, in case a test took permissions away.
        _ = try? run("/bin/chmod", ["-R", "u+rwx", dir])
        try? FileManager.default.removeItem(atPath: dir)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    // MARK: files

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let parent = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw Failure("cannot create \(path)")
        }
    }

    static func write(_ path: String, _ text: String) throws { try write(path, Array(text.utf8)) }

    static func bytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read \(path)") }
        return [UInt8](data)
    }

    static func text(_ path: String) throws -> String { String(decoding: try bytes(path), as: UTF8.self) }

    static func random(_ count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func inode(_ path: String) -> ino_t? {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_ino : nil
    }

    /// Names in a folder, sorted, hidden ones included.
    static func list(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// Every path under `root` (relative, sorted), folders included.
    static func tree(_ root: String) -> [String] {
        var out: [String] = []
        func walk(_ rel: String) {
            let dir = rel.isEmpty ? root : root + "/" + rel
            for name in list(dir) {
                let child = rel.isEmpty ? name : rel + "/" + name
                out.append(child)
                var st = stat()
                if lstat(root + "/" + child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { walk(child) }
            }
        }
        walk("")
        return out.sorted()
    }

    /// Temporary names DurableFS uses (`.<name>.<pid>.tmp` / `.part`) anywhere under `root`.
    static func leftovers(_ root: String) -> [String] {
        tree(root).filter {
            let name = ($0 as NSString).lastPathComponent
            return name.hasPrefix(".") && (name.hasSuffix(".tmp") || name.hasSuffix(".part"))
        }
    }

    // MARK: processes

    /// Runs a program and returns its standard output; throws on a non-zero exit.
    @discardableResult
    static func run(_ program: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failure("\(program) \(args) exited \(p.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// The reference digest from coreutils' `sha256sum`.
    static func sha256sum(_ path: String) throws -> String {
        let out = try run("/usr/bin/sha256sum", ["--", path])
        return String(out.prefix { $0 != " " })
    }
}
