#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the small text files of the configuration (the TOML file, units.csv) and
/// turns them into Swift strings, with messages an operator can act on when the
/// file is missing, is a folder, or was saved in the wrong encoding.
enum TextFile {
    /// Why a file could not be turned into text. `line` is set for encoding errors.
    struct Failure: Error {
        var line: Int?
        var message: String
    }

    /// Config files are a few kilobytes; anything this large is the wrong file (or
    /// /dev/zero), and reading it whole would only waste memory at every reload.
    static let maximumBytes = 16 << 20

    /// The file's text: UTF-8 without a byte-order mark, line ends normalised to "\n".
    static func text(at path: String) -> Result<String, Failure> {
        bytes(at: path).flatMap(decode)
    }

    static func bytes(at path: String) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(message: "cannot open: \(errnoText())")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Failure(message: "cannot read: \(errnoText())")) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return .failure(Failure(message: "is a folder, not a file"))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(message: "cannot read: \(errnoText())"))
            }
            if n == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maximumBytes {
                return .failure(Failure(message: "is larger than \(maximumBytes >> 20) MiB; is this the right file?"))
            }
        }
    }

    /// Decodes UTF-8, strips a byte-order mark (spreadsheets write one) and turns
    /// CRLF into LF (Windows editors write those). Anything else that is not UTF-8
    /// is refused with the line it was found on: guessing a legacy code page would
    /// turn Vietnamese names into mojibake that nobody notices until a receipt.
    static func decode(_ raw: [UInt8]) -> Result<String, Failure> {
        var bytes = raw[...]
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return .failure(Failure(line: 1, message: "is saved as UTF-16; save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\")"))
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }

        var text = ""
        text.reserveCapacity(bytes.count)
        var line = 1
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var pendingCR = false
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let c):
                if pendingCR && c != "\n" { text.unicodeScalars.append("\r") }
                pendingCR = c == "\r"
                if pendingCR { continue }
                if c == "\n" { line += 1 }
                text.unicodeScalars.append(c)
            case .emptyInput:
                break loop
            case .error:
                return .failure(Failure(line: line, message: "is not valid UTF-8 (first bad byte on this line); save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\")"))
            }
        }
        if pendingCR { text.unicodeScalars.append("\r") }
        return .success(text)
    }
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
