#ifndef LIENTHONG_CLIBSSL_SHIM_H
#define LIENTHONG_CLIBSSL_SHIM_H
// OpenSSL 3.0 headers for Swift. Function-like macros do not import into
// Swift, so the ones we need are wrapped below as static inline functions.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <openssl/asn1.h>

static inline void lt_openssl_free(void *p) { OPENSSL_free(p); }
static inline long lt_bio_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }

static inline int lt_sk_X509_num(const STACK_OF(X509) *s) { return sk_X509_num(s); }
static inline X509 *lt_sk_X509_value(const STACK_OF(X509) *s, int i) { return sk_X509_value(s, i); }
static inline STACK_OF(X509) *lt_sk_X509_new_null(void) { return sk_X509_new_null(); }
static inline int lt_sk_X509_push(STACK_OF(X509) *s, X509 *x) { return sk_X509_push(s, x); }
static inline void lt_sk_X509_free(STACK_OF(X509) *s) { sk_X509_free(s); }
static inline void lt_sk_X509_pop_free(STACK_OF(X509) *s) { sk_X509_pop_free(s, X509_free); }

static inline int lt_sk_X509_CRL_num(const STACK_OF(X509_CRL) *s) { return sk_X509_CRL_num(s); }
static inline X509_CRL *lt_sk_X509_CRL_value(const STACK_OF(X509_CRL) *s, int i) { return sk_X509_CRL_value(s, i); }
static inline int lt_sk_X509_REVOKED_num(const STACK_OF(X509_REVOKED) *s) { return sk_X509_REVOKED_num(s); }
static inline X509_REVOKED *lt_sk_X509_REVOKED_value(const STACK_OF(X509_REVOKED) *s, int i) { return sk_X509_REVOKED_value(s, i); }

static inline int lt_sk_CMS_SignerInfo_num(const STACK_OF(CMS_SignerInfo) *s) { return sk_CMS_SignerInfo_num(s); }
static inline CMS_SignerInfo *lt_sk_CMS_SignerInfo_value(const STACK_OF(CMS_SignerInfo) *s, int i) { return sk_CMS_SignerInfo_value(s, i); }

// Added for LienThongSignature.
static inline const EVP_MD *lt_EVP_get_digestbyobj(const ASN1_OBJECT *o) { return EVP_get_digestbyobj(o); }

// CRL distribution points (lienthongctl fetch-crls).
static inline int lt_sk_DIST_POINT_num(const STACK_OF(DIST_POINT) *s) { return sk_DIST_POINT_num(s); }
static inline DIST_POINT *lt_sk_DIST_POINT_value(const STACK_OF(DIST_POINT) *s, int i) { return sk_DIST_POINT_value(s, i); }
static inline void lt_CRL_DIST_POINTS_free(STACK_OF(DIST_POINT) *s) { CRL_DIST_POINTS_free(s); }
static inline int lt_sk_GENERAL_NAME_num(const STACK_OF(GENERAL_NAME) *s) { return sk_GENERAL_NAME_num(s); }
static inline GENERAL_NAME *lt_sk_GENERAL_NAME_value(const STACK_OF(GENERAL_NAME) *s, int i) { return sk_GENERAL_NAME_value(s, i); }

#endif
