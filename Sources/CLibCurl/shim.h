#ifndef LIENTHONG_CLIBCURL_SHIM_H
#define LIENTHONG_CLIBCURL_SHIM_H
// libcurl for Swift. curl_easy_setopt and curl_easy_getinfo are variadic and
// do not import: typed wrappers below.
#include <curl/curl.h>

typedef size_t (*lt_curl_write_fn)(char *data, size_t size, size_t count, void *context);

static inline CURLcode lt_curl_setopt_long(CURL *c, CURLoption o, long v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode lt_curl_setopt_string(CURL *c, CURLoption o, const char *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode lt_curl_setopt_pointer(CURL *c, CURLoption o, void *v) { return curl_easy_setopt(c, o, v); }
static inline CURLcode lt_curl_setopt_write(CURL *c, lt_curl_write_fn f) { return curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, f); }
static inline CURLcode lt_curl_getinfo_long(CURL *c, CURLINFO i, long *v) { return curl_easy_getinfo(c, i, v); }

#endif
