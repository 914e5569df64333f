#ifndef LIENTHONG_CLINUX_H
#define LIENTHONG_CLINUX_H
// Linux calls that Glibc's Swift module does not export (they need
// _GNU_SOURCE or are macros). Implemented in clinux.c.
#include <stdint.h>
#include <signal.h>
#include <sys/signalfd.h>

/// renameat2(RENAME_NOREPLACE) on paths: fails with EEXIST instead of
/// replacing the target. Returns 0 or -1 with errno set.
int lt_rename_noreplace(const char *from, const char *to);
/// The same relative to folder descriptors (renameat2 with RENAME_NOREPLACE).
int lt_renameat_noreplace(int fromdir, const char *from, int todir, const char *to);
/// sync_file_range(SYNC_FILE_RANGE_WRITE) over the whole file: starts
/// writing its data without waiting, so that many files fsynced afterwards
/// share one journal commit. Returns 0 or -1 with errno set.
int lt_start_writeback(int fd);
/// statfs(2)'s f_type of the file system holding `path` (its magic number),
/// or -1 with errno set. <sys/vfs.h> is not in Glibc's Swift module.
long lt_filesystem_type(const char *path);
/// The same for the file system holding the open file `fd` (fstatfs).
long lt_filesystem_type_fd(int fd);
/// syncfs(2): writes out everything of the file system holding `fd` and
/// reports a writeback error there since `fd` was opened (Linux >= 5.8).
/// Returns 0 or -1 with errno set.
int lt_syncfs(int fd);
#endif
