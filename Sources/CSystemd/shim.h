#ifndef LIENTHONG_CSYSTEMD_SHIM_H
#define LIENTHONG_CSYSTEMD_SHIM_H
// sd_journal_send is variadic and cannot be called from Swift: use
// sd_journal_sendv with iovecs instead.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>
#endif
