#!/bin/bash
# The pipeline an operator would write instead of lienthongd, for the
# benchmark's comparison (scripts/bench/run.sh). NOT part of the product.
#
#   baseline.sh SPOOL CAFILE
#
# It watches every units/<id>/outbox with inotifywait, and for each document
# whose detached signature <name>.p7s has arrived beside it (either order):
# verifies the CMS with `openssl cms -verify` against the trust bundle (chain
# and CRLs), moves both files to archive/<verdict>/<unit>/<key>/, writes a
# JSON receipt through a temporary name into units/<id>/receipts/, and
# `sync`s the files and folders it touched, so a crash loses nothing it
# acknowledged: the same durability promise lienthongd makes.
#
# What it does not do, and lienthongd does: signing-time validity, revocation
# judged against the signing time, duplicate detection, pairing of scans,
# settling of slow copies, arrival numbers, a ledger, PDF signatures,
# hostile-file handling, recovery after a crash. It is the fastest honest
# version of "verify and file each drop" in shell; it only handles the
# detached-signature (.docx + .docx.p7s) workload.
set -u
spool=$1
ca=$2
outboxes=()
for d in "$spool"/units/*/outbox; do outboxes+=("$d"); done
printf '%s\n' "${outboxes[@]}" |
inotifywait -m -q -e close_write,moved_to --format '%w%f' --fromfile - |
while IFS= read -r path; do
    name=${path##*/}
    case "$name" in .*|*.tmp|*.part) continue ;; esac
    if [[ $name == *.p7s ]]; then doc=${path%.p7s}; sig=$path; else doc=$path; sig=$path.p7s; fi
    [[ -f $doc && -f $sig ]] || continue          # wait for the twin
    outbox=${path%/*}
    unitdir=${outbox%/outbox}
    unit=${unitdir##*/}
    docname=${doc##*/}
    key=${docname%%.*}
    if openssl cms -verify -binary -inform DER -in "$sig" -content "$doc" \
        -CAfile "$ca" -crl_check_all -purpose any -out /dev/null 2>/dev/null; then
        verdict=accepted
    else
        verdict=rejected
    fi
    dest=$spool/archive/$verdict/$unit/$key
    mkdir -p "$dest"
    mv "$doc" "$sig" "$dest/"
    sha=$(sha256sum "$dest/$docname")
    receipts=$unitdir/receipts
    tmp=$receipts/.$key.tmp
    printf '{"unit":"%s","key":"%s","verdict":"%s","sha256":"%s","decided_at":"%s"}\n' \
        "$unit" "$key" "$verdict" "${sha%% *}" "$(date -u +%FT%TZ)" >"$tmp"
    sync "$dest/$docname" "$dest/$docname.p7s" "$tmp" "$dest" "$outbox"
    mv "$tmp" "$receipts/$key.$verdict.json"
    sync "$receipts"
done
