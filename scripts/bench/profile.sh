#!/bin/bash
# `make profile`: where lienthongd's own CPU goes per submission, counted by
# callgrind (instructions, not seconds: the same on a busy or a quiet
# machine, so two builds compare exactly). The daemon (release build) runs
# under valgrind on a tmpfs spool, where fsync is free and only CPU is left,
# and takes PROFILE_N detached-signature reports (default 200) from 20
# senders. Prints instructions per decided submission for each stage's entry
# point and the functions that cost the most, inclusive.
#
#   PROFILE_N=200      submissions
#   BENCH_BIN=PATH     profile this lienthongd instead of .build/release's
#   PROFILE_KEEP=1     keep the work folder (callgrind.out for kcachegrind)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
n=${PROFILE_N:-200}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
if [ -z "${BENCH_BIN:-}" ]; then (cd "$repo" && swift build -c release >&2); fi
bin=${BENCH_BIN:-$repo/.build/release/lienthongd}

work=$(mktemp -d /dev/shm/lienthong-profile.XXXXXX)
daemon=""
cleanup() {
    [ -n "$daemon" ] && kill -KILL "$daemon" 2>/dev/null || true
    if [ "${PROFILE_KEEP:-}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

sh "$repo/scripts/make-test-pki.sh" --demo "$work/trust" >/dev/null
python3 "$here/gen_fixtures.py" "$work/trust" "$work/fix" p7s "$n" 1
python3 "$here/bench.py" units "$work/units.csv" 100 50 >/dev/null
awk -F, '/^B\.(DEP|DIS)/ && n++ < 20 { print $1 }' "$work/units.csv" >"$work/senders"
cat >"$work/l.toml" <<TOML
[gateway]
office = "000.00.00.H41"
spool = "$work/spool"
units = "$work/units.csv"

[intake]
settle = "200ms"
pairing_window = "10m"

[trust]
anchors = "$work/trust/anchors"
crls = "$work/trust/crls"
tsa = "$work/trust/tsa"
TOML

out=$work/callgrind.out
env -u NOTIFY_SOCKET valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --config "$work/l.toml" >"$work/l.log" 2>&1 &
daemon=$!
for _ in $(seq 1 1200); do
    grep -q "lienthongd ready" "$work/l.log" && break
    kill -0 "$daemon" 2>/dev/null || { cat "$work/l.log" >&2; exit 1; }
    sleep 0.1
done
python3 "$here/bench.py" throughput "$work/spool" "$work/fix" p7s "$work/senders" 1800 >"$work/thr.json"
kill -TERM "$daemon"; wait "$daemon" || true; daemon=""
decided=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["decided"])' "$work/thr.json")

callgrind_annotate --inclusive=yes "$out" 2>/dev/null >"$work/inclusive.txt"
python3 - "$work/inclusive.txt" "$decided" <<'PY'
import re, subprocess, sys
path, decided = sys.argv[1], int(sys.argv[2])
rows = []
for line in open(path):
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+\S*:(\S.*)$", line) or re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$", line)
    if m:
        rows.append((int(m.group(1).replace(",", "")), m.group(2).strip()))
def demangle(names):
    try:
        r = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names), capture_output=True, text=True, timeout=60)
        return r.stdout.splitlines()
    except Exception:
        return names
names = demangle([n for _, n in rows])
rows = [(c, names[i] if i < len(names) else n) for i, (c, n) in enumerate(rows)]
# PROGRAM TOTALS, not the largest row: callgrind's inclusive count of a
# recursive cycle (libcrypto's) can exceed the whole program's.
total = next((c for c, n in rows if n == "PROGRAM TOTALS"), max((c for c, _ in rows), default=0))
print(f"{decided} submissions decided; {total / max(decided, 1) / 1e6:.2f} M instructions per submission in the whole process")
stages = ["ClaimStage.claimAll", "AssessStage.assess", "AssessStage.collectValidations", "DecideStage.commit",
          "Placement.placeInArchive", "Placement.placeReceiptsAndCopies", "DeliverStage.run", "Gateway.handle",
          "Gateway.tick", "FileWork.run"]
print("\nstage entry points (inclusive, M instructions per submission):")
for s in stages:
    # The function itself, not a closure it makes (the worker's job is
    # "closure #1 in AssessStage.assess", run on a worker).
    # A call line ("=> file:Name (2x)") names it too.
    best = max((c for c, n in rows if re.sub(r"^=> \S*:", "", n).startswith((s, "specialized " + s))), default=0)
    print(f"  {s:34} {best / max(decided, 1) / 1e6:8.3f}")
print("\ntop 25 functions, inclusive (M instructions per submission):")
for c, n in rows[:25]:
    print(f"  {c / max(decided, 1) / 1e6:8.3f}  {n[:110]}")
PY
