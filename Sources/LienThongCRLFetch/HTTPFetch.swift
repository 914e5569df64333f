import CLibCurl
import Foundation

/// Downloads one CRL over HTTP or HTTPS with libcurl.
///
/// libcurl rather than curl's command line: no process to spawn and parse,
/// the size bound is enforced while the bytes arrive (not after a file is
/// written), errors come as codes with messages, and it honours
/// `http_proxy`/`https_proxy`/`no_proxy` from the environment by itself,
/// exactly as operators expect of curl.
public enum HTTPFetch {
    /// No real CRL comes near this (the largest VGCA CRL is a few MB): a bigger
    /// answer is refused while it arrives, not stored.
    public static let maxBytes = 32 * 1024 * 1024

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Collects the body; stops the transfer once it passes `maxBytes`.
    private final class Sink {
        var bytes: [UInt8] = []
        var overflow = false
    }

    private static let global: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// The body of a 200 answer to GET `url`, at most `maxBytes`, within `timeout` seconds.
    public static func get(_ url: String, timeout: Int = 60) throws -> [UInt8] {
        _ = global
        guard let curl = curl_easy_init() else { throw Failure(description: "\(url): libcurl could not start a transfer (out of memory?)") }
        defer { curl_easy_cleanup(curl) }
        let sink = Sink()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = withExtendedLifetime(sink) {
            errorBuffer.withUnsafeMutableBufferPointer { buffer in
                configure(curl, url: url, timeout: timeout, sink: sink, errors: buffer.baseAddress!)
                return curl_easy_perform(curl)
            }
        }
        if sink.overflow { throw Failure(description: "\(url): the answer is larger than \(maxBytes) bytes; not a CRL we accept") }
        guard code == CURLE_OK else {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw Failure(description: "\(url): \(text) (check the URL, the network and http_proxy/https_proxy)")
        }
        var status = 0
        _ = lt_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        guard status == 200 else { throw Failure(description: "\(url): the server answered HTTP \(status)") }
        return sink.bytes
    }

    private static func configure(_ curl: UnsafeMutableRawPointer, url: String, timeout: Int, sink: Sink,
                                  errors: UnsafeMutablePointer<CChar>) {
        _ = lt_curl_setopt_string(curl, CURLOPT_URL, url)
        // Only http and https, also after a redirect (never file:// or others).
        _ = lt_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = lt_curl_setopt_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = lt_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 1)
        _ = lt_curl_setopt_long(curl, CURLOPT_MAXREDIRS, 3)
        _ = lt_curl_setopt_long(curl, CURLOPT_TIMEOUT, timeout)
        _ = lt_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, min(timeout, 20))
        _ = lt_curl_setopt_long(curl, CURLOPT_MAXFILESIZE, maxBytes)
        _ = lt_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        _ = lt_curl_setopt_string(curl, CURLOPT_USERAGENT, "lienthongctl-fetch-crls")
        _ = lt_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, errors)
        _ = lt_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        _ = lt_curl_setopt_write(curl) { data, size, count, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
            let n = size * count
            guard sink.bytes.count + n <= HTTPFetch.maxBytes else {
                sink.overflow = true
                return 0  // aborts the transfer
            }
            data.withMemoryRebound(to: UInt8.self, capacity: n) { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
            return n
        }
    }
}
