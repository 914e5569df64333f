import CZlib
import Glibc

/// FlateDecode (a zlib stream, RFC 1950) by the system zlib, with a hard cap on
/// the output: the buffer never grows past `limit`, and inflating stops as soon
/// as one byte more would come out.
enum ZlibInflate {
    enum Outcome: Equatable {
        case data([UInt8])
        /// Not a zlib stream, corrupt, or cut short: the reason, for the report.
        case corrupt(String)
        /// More than `limit` bytes would come out.
        case overLimit
        /// `keepGoing` said stop (the file's deadline passed).
        case stopped
    }

    /// The first output buffer; it doubles up to the limit as needed.
    static let firstChunk = 64 << 10

    static func zlib(_ input: [UInt8], limit: Int, keepGoing: () -> Bool = { true }) -> Outcome {
        guard input.count >= 2 else { return .corrupt("shorter than a zlib header") }
        let cmf = Int(input[0]), flg = Int(input[1])
        guard cmf & 0x0F == 8, (cmf << 8 | flg) % 31 == 0, flg & 0x20 == 0 else {
            return .corrupt("no zlib header (FlateDecode data must start with one)")
        }
        // The header is checked here and the body inflated raw, so the Adler-32
        // trailer is not checked: PDF writers often get it wrong, and the
        // decoded objects are parsed and compared anyway.
        var stream = z_stream()
        guard lt_inflate_init2(&stream, -15) == Z_OK else { return .corrupt("zlib could not start (out of memory)") }
        defer { inflateEnd(&stream) }

        // A malloc'd buffer grown by realloc (in place where it can be): the
        // output is copied into an array once, at the end.
        var capacity = min(max(0, limit), max(firstChunk, input.count * 4))
        guard var buffer = malloc(max(1, capacity))?.assumingMemoryBound(to: UInt8.self) else {
            return .corrupt("out of memory")
        }
        defer { free(buffer) }
        var produced = 0
        func result() -> Outcome { .data(Array(UnsafeBufferPointer(start: buffer, count: produced))) }
        return input.withUnsafeBufferPointer { source -> Outcome in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + 2)
            stream.avail_in = uInt(source.count - 2)
            while true {
                guard keepGoing() else { return .stopped }
                if produced == capacity {
                    if capacity >= limit {
                        // Full at the limit: one byte more means over it.
                        var probe: UInt8 = 0
                        var status = Z_OK
                        while status == Z_OK {
                            status = withUnsafeMutablePointer(to: &probe) { p -> Int32 in
                                stream.next_out = p
                                stream.avail_out = 1
                                return inflate(&stream, Z_NO_FLUSH)
                            }
                            if stream.avail_out == 0 { return .overLimit }
                        }
                        return status == Z_STREAM_END ? result() : failure(status, stream)
                    }
                    let grown = capacity + min(capacity, limit - capacity)
                    guard let moved = realloc(buffer, grown) else { return .corrupt("out of memory") }
                    buffer = moved.assumingMemoryBound(to: UInt8.self)
                    capacity = grown
                }
                stream.next_out = buffer + produced
                stream.avail_out = uInt(capacity - produced)
                let status = inflate(&stream, Z_NO_FLUSH)
                produced = capacity - Int(stream.avail_out)
                switch status {
                case Z_STREAM_END: return result()
                case Z_OK: continue
                default: return failure(status, stream)
                }
            }
        }
    }

    private static func failure(_ status: Int32, _ stream: z_stream) -> Outcome {
        if status == Z_BUF_ERROR && stream.avail_in == 0 { return .corrupt("the compressed data is cut short") }
        let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        return .corrupt("the compressed data is corrupt (\(detail))")
    }
}
