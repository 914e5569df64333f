import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What changes when anyone writes to a file: inode, size, modification and
/// change time (nanoseconds). Renaming our claim does not change it again
/// once claimed; a sender writing through a handle it kept open does (SMB
/// clients may hold a file open past the close the settle test saw).
struct FileStamp: Equatable {
    var inode: UInt64
    var size: Int64
    var mtime: Int64
    var ctime: Int64

    /// nil for an entry that is gone.
    static func of(_ path: String) -> FileStamp? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return FileStamp(st)
    }
}

extension FileStamp {
    /// From what lstat said (a listing's, `SpoolTree.Entry.status`).
    init(_ st: stat) {
        self.init(inode: UInt64(st.st_ino), size: Int64(st.st_size),
                  mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                  ctime: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
    }
}
