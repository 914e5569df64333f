import CZlib
import Foundation

/// Hostile PDFs written by the tests themselves. Each starts with a signed-looking
/// revision (a signature dictionary whose /ByteRange leaves out exactly its
/// /Contents), then appends an update holding the payload: bytes after the last
/// signature make the validator index every object of the file, which is where
/// object streams are inflated and parsed.
struct BombPDF {
    private var update: [UInt8] = []
    private var nextNumber = 10

    /// zlib (RFC 1950) at the best ratio: 24 MiB of one byte deflates to about 24 KiB.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var bound = compressBound(uLong(input.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let status = compress2(&out, &bound, input, uLong(input.count), 9)
        precondition(status == Z_OK, "compress2 failed: \(status)")
        return Array(out.prefix(Int(bound)))
    }

    /// An object stream (ISO 32000-1 §7.5.7) holding one object, `object`,
    /// behind `filters` FlateDecode stages.
    mutating func objectStream(holding object: [UInt8], filters: Int = 1) {
        let header = Array("\(nextNumber + 100_000) 0 ".utf8)
        var data = Self.deflate(header + object)
        for _ in 1..<max(1, filters) { data = Self.deflate(data) }
        let filter = filters <= 1 ? "/FlateDecode" : "[" + Array(repeating: "/FlateDecode", count: filters).joined(separator: " ") + "]"
        add("<< /Type /ObjStm /N 1 /First \(header.count) /Filter \(filter) /Length \(data.count) >>", stream: data)
    }

    /// A plain indirect object.
    mutating func object(_ body: String) { add(body, stream: nil) }

    /// Raw bytes appended to the update as they are.
    mutating func raw(_ bytes: [UInt8]) { update += bytes }

    private mutating func add(_ dictionary: String, stream: [UInt8]?) {
        update += Array("\(nextNumber) 0 obj\n\(dictionary)".utf8)
        if let stream { update += Array("\nstream\n".utf8) + stream + Array("\nendstream".utf8) }
        update += Array("\nendobj\n".utf8)
        nextNumber += 1
    }

    /// The whole file: the signed-looking revision, then the update.
    func build() -> [UInt8] {
        var head = Array("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n3 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 ".utf8)
        let placeholder = Array("0000000000 0000000000 0000000000]".utf8)
        let numbersAt = head.count
        head += placeholder + Array(" /Contents ".utf8)
        let gapStart = head.count
        head += Array(("<" + String(repeating: "00", count: 64) + ">").utf8)
        let gapEnd = head.count
        head += Array(" >>\nendobj\ntrailer\n<< /Size 4 /Root 1 0 R >>\n%%EOF\n".utf8)
        let numbers = String(format: "%010d %010d %010d]", gapStart, gapEnd, head.count - gapEnd)
        head.replaceSubrange(numbersAt..<(numbersAt + placeholder.count), with: Array(numbers.utf8))
        let tail = Array("trailer\n<< /Size \(nextNumber) /Root 1 0 R >>\n%%EOF\n".utf8)
        return head + update + tail
    }
}

/// The process's peak resident memory (VmHWM), from /proc/self/status, in bytes.
/// Reset with `resetPeakMemory()` so a test measures its own peak.
enum PeakMemory {
    static func current() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib << 10
    }

    static func resident() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib << 10
    }

    /// Writing 5 to /proc/self/clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).
    static func reset() {
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return }
        _ = write(fd, "5", 1)
        close(fd)
    }
}
