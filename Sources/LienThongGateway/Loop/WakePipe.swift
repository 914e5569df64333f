import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a worker thread tells the loop "results wait": a non-blocking pipe
/// whose read end the loop polls. A full pipe already says so, so a write
/// that would block is dropped.
final class WakePipe: @unchecked Sendable {
    /// Readable while results wait.
    let readFD: Int32
    private let writeFD: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        (readFD, writeFD) = (fds[0], fds[1])
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Any thread.
    func wake() {
        var one: UInt8 = 1
        _ = write(writeFD, &one, 1)
    }

    /// Empties the pipe (loop thread, before taking the results).
    func drain() {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(readFD, &sink, sink.count) > 0 {}
    }
}
