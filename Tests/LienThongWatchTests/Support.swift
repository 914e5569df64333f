import Foundation
import Testing
@testable import LienThongWatch
#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the Watch tests: a private folder per test (mkdtemp),
/// removed afterwards, and a way to wait for inotify events without sleeping
/// longer than needed.
enum Scratch {
    static func withDir<T>(_ tag: String, _ body: (String) throws -> T) throws -> T {
        var template = Array("/tmp/lienthong-watchtest-\(tag)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw Failure("mkdtemp: \(String(cString: strerror(errno)))") }
        let dir = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try body(dir)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Creates and writes a file in place, as an SMB or local client does
    /// (FileManager's createFile writes a temp file and renames it, which
    /// would add events of its own).
    static func write(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw Failure("cannot write \(path)")
        }
    }

    static func mkdir(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    static func append(_ path: String, _ text: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }
}

extension Inotify {
    /// Reads events until `done` holds for everything gathered so far, or
    /// `timeout` passes. Returns all events gathered.
    func collect(timeout: Double = 3, until done: ([WatchEvent]) -> Bool) -> [WatchEvent] {
        var all: [WatchEvent] = []
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 50)
            all += read()
            if done(all) { return all }
        } while Date() < deadline
        return all
    }

    /// Reads whatever arrives within `window` (for asserting that nothing comes).
    func drain(for window: Double = 0.3) -> [WatchEvent] {
        collect(timeout: window) { _ in false }
    }
}

extension [WatchEvent] {
    func has(_ kind: WatchEvent.Kind, in directory: String, name: String) -> Bool {
        contains { $0.kind == kind && $0.directory == directory && $0.name == name }
    }
}
