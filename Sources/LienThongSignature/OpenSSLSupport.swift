import CLibSSL
import Foundation

/// Small helpers around libcrypto that every check needs. OpenSSL keeps its
/// error queue per thread; every entry point that may fail drains it so a
/// failure in one validation never shows up as the reason of another.
enum OpenSSL {
    /// The pending OpenSSL errors as one line (and the queue emptied).
    static func drainErrors() -> String {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if parts.count >= 4 { continue }  // keep draining, report the first few
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            parts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.joined(separator: "; ")
    }

    /// A read-only memory BIO over `bytes`, valid only inside `body`.
    static func withBIO<R>(_ bytes: [UInt8], _ body: (OpaquePointer) -> R?) -> R? {
        bytes.withUnsafeBytes { raw -> R? in
            guard bytes.count <= Int(Int32.max),
                  let bio = BIO_new_mem_buf(raw.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    /// ASN1_TIME (UTCTime or GeneralizedTime) as a Date; nil when malformed.
    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var tm = tm()
        guard ASN1_TIME_to_tm(time, &tm) == 1 else { return nil }
        let seconds = timegm(&tm)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// The bytes of an ASN1_STRING (OCTET STRING, etc.).
    static func bytes(_ string: UnsafePointer<ASN1_STRING>?) -> [UInt8] {
        guard let string, let data = ASN1_STRING_get0_data(string) else { return [] }
        let length = Int(ASN1_STRING_length(string))
        guard length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }

    /// Text of an ASN1_STRING of any string type, converted to UTF-8.
    static func utf8(_ string: UnsafePointer<ASN1_STRING>?) -> String {
        guard let string else { return "" }
        var out: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&out, string)
        guard length >= 0, let out else { return "" }
        defer { lt_openssl_free(out) }
        return String(decoding: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self)
    }

    /// Digest of the concatenation of `ranges` of `data` with `md`.
    static func digest(_ md: OpaquePointer, of data: [UInt8], ranges: [Range<Int>]) -> [UInt8]? {
        guard let ctx = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestInit_ex(ctx, md, nil) == 1 else { return nil }
        let ok = data.withUnsafeBytes { raw -> Bool in
            for r in ranges {
                guard r.lowerBound >= 0, r.upperBound <= data.count else { return false }
                if r.isEmpty { continue }
                if EVP_DigestUpdate(ctx, raw.baseAddress! + r.lowerBound, r.count) != 1 { return false }
            }
            return true
        }
        guard ok else { return nil }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(ctx, &out, &length) == 1 else { return nil }
        return Array(out.prefix(Int(length)))
    }

    static func digest(_ md: OpaquePointer, of data: [UInt8]) -> [UInt8]? {
        digest(md, of: data, ranges: [0..<data.count])
    }

    /// Short name of an algorithm object ("sha256"), for notes.
    static func name(of object: OpaquePointer?) -> String {
        guard let object else { return "?" }
        let nid = OBJ_obj2nid(object)
        if nid != NID_undef, let sn = OBJ_nid2sn(nid) { return String(cString: sn) }
        var buffer = [CChar](repeating: 0, count: 96)
        let n = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        return n > 0 ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    /// DER encoding of an object through an i2d function.
    static func der<T>(_ value: T, _ i2d: (T, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d(value, &out)
        guard length > 0, let out else { return [] }
        defer { lt_openssl_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}

extension Date {
    /// RFC 3339 UTC, for notes.
    var rfc3339: String {
        var t = time_t(timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
