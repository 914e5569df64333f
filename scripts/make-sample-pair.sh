#!/bin/sh
# Make a sample submission signed by the DEMO-ONLY signer.
#
#   scripts/make-sample-pair.sh OUTDIR [KEY]        KEY.pdf (signed) + KEY_scan.pdf (unsigned scan)
#   scripts/make-sample-pair.sh --p7s OUTDIR [KEY]  KEY.docx + KEY.docx.p7s (detached CMS, DER)
#
# KEY defaults to 4116-UBND-CN. The trust folder is $LIENTHONG_DEMO_TRUST or
# config/demo-trust; it is created with scripts/make-test-pki.sh --demo when missing.
# Needs python3 with asn1crypto and cryptography (see make-test-pki.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
python=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1  # keep the source tree clean
mode=""
if [ "${1:-}" = "--p7s" ]; then mode="--p7s"; shift; fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: make-sample-pair.sh [--p7s] OUTDIR [KEY]" >&2
    exit 2
fi
out=$1
key=${2:-4116-UBND-CN}
trust=${LIENTHONG_DEMO_TRUST:-$repo/config/demo-trust}
if [ ! -f "$trust/private/demo-signer.key.pem" ]; then
    "$here/make-test-pki.sh" --demo "$trust" >/dev/null
fi
exec "$python" "$here/fixtures/make_sample.py" $mode "$trust" "$out" "$key"
