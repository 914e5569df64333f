#!/bin/sh
# Build the TEST-ONLY PKI and signed documents used by LienThongSignatureTests.
#
#   scripts/make-test-pki.sh OUTDIR          test PKI + signed documents (about 5 s)
#   scripts/make-test-pki.sh --demo OUTDIR   demo trust folder (anchors/ crls/ tsa/ private/)
#
# Needs python3 with the asn1crypto and cryptography packages
# (`pip install asn1crypto cryptography`, or Debian python3-asn1crypto python3-cryptography;
# `pip install pyhanko` brings both), and pyHanko itself for the test PKI (it
# signs some documents and adds their /DSS, as real PAdES tools do). Idempotent: OUTDIR is rebuilt and swapped in.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1  # keep the source tree clean
if ! "$python" -c 'import asn1crypto, cryptography' 2>/dev/null; then
    echo "make-test-pki.sh: $python lacks asn1crypto/cryptography (pip install asn1crypto cryptography)" >&2
    exit 3
fi
case " $* " in
*" --demo "*) ;;
*)  # The test documents with a /DSS are made by pyHanko, as real tools make them.
    if ! "$python" -c 'import pyhanko' 2>/dev/null; then
        echo "make-test-pki.sh: $python lacks pyHanko, which makes the /DSS test documents (pip install pyhanko, or scripts/deps.sh)" >&2
        exit 3
    fi ;;
esac
exec "$python" "$here/fixtures/make_pki.py" "$@"
