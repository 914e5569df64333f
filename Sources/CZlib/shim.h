#ifndef LIENTHONG_CZLIB_SHIM_H
#define LIENTHONG_CZLIB_SHIM_H
// The system zlib for Swift. inflateInit and deflateInit are macros (they pass
// the header's version and struct size), so they are wrapped as functions.
#include <zlib.h>

static inline int lt_inflate_init(z_streamp stream) { return inflateInit(stream); }
static inline int lt_inflate_init2(z_streamp stream, int window_bits) { return inflateInit2(stream, window_bits); }
static inline int lt_deflate_init(z_streamp stream, int level) { return deflateInit(stream, level); }

#endif
