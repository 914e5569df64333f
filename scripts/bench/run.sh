#!/bin/bash
# `make bench`: how fast and how lean lienthongd is, against the pipeline an
# operator would write instead (scripts/bench/baseline.sh), in the same run on
# the same machine. Prints one table; it never fails because a machine is slow.
#
#   BENCH_SCALE=1      sizes (0.1 for a quick look, 2 for twice the work)
#   BENCH_DIR=/var/tmp where the spools go: a normal disk, not tmpfs, so that
#                      every fsync costs what it costs. It must be a journaling
#                      file system, as a spool's must be (README): on an ext4
#                      without a journal (some VM images' root) the bench makes
#                      a journaled ext4 in a loop image under it (root only)
#   BENCH_NO_BUILD=1   use the existing .build/release/lienthongd
#   BENCH_KEEP=1       keep the work folder (spools, logs, results)
#   BENCH_BIN=PATH     measure this lienthongd (another build, e.g. one from
#                      before a change, to put that change's cost in figures)
#   BENCH_ONLY=throughput  only the three throughput rows on disk (a quick
#                      side-by-side of two builds: run it once with each);
#                      BENCH_ONLY=latency,tmpfs... any of throughput, latency
#                      and tmpfs (no baseline, no recovery, no fan-out)
#
# What runs, in order (sizes at BENCH_SCALE=1):
#   1. a registry of 1,000 units (500 communes) and the demo (test-only) PKI;
#      distinct signed fixtures (each its own sha256: the same bytes twice
#      from a unit are a `duplicate`)
#   2. lienthongd (release build, settle 200ms): start to READY, idle RSS and
#      CPU over 10 s; throughput for 1,000 detached-signature reports, 1,000
#      signed PDF reports and 500 signed letter + scan pairs; latency drop ->
#      receipt at 100 submissions/s for 20 s; fan-out of one giấy mời to the
#      500 communes; RSS and idle CPU after all that
#      and the detached-signature reports again on a tmpfs spool, where fsync
#      is free: the share of durability in the time; then 3,000 more there,
#      a burst long enough that the settle (0.2 s before the first claim)
#      no longer weighs on the rate
#   3. baseline.sh on its own spool: the same detached-signature throughput
#      and latency workloads
#   4. recovery: 10,000 scans left gathering in queue/ (made by the daemon on
#      tmpfs, then copied to disk) plus 90,000 files waiting in outboxes;
#      time from start to READY, then 20 s of work on that backlog and the
#      time SIGTERM takes to stop it
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
scale=${BENCH_SCALE:-1}
n() { awk -v s="$scale" -v b="$1" 'BEGIN { v = int(b * s); if (v < 1) v = 1; print v }'; }
n_p7s=$(n 1000); n_report=$(n 1000); n_pair=$(n 500); n_sustained=$(n 3000)
lat_rate=100; lat_seconds=$(n 20)
n_queue=$(n 10000); n_litter=$(n 90000)
units=1000; communes=500
settle=200ms

say() { printf '\n== %s (%s)\n' "$*" "$(date -u +%T)" >&2; }

only=${BENCH_ONLY:-}
if [ -z "${BENCH_BIN:-}" ] && [ "${BENCH_NO_BUILD:-}" != 1 ]; then
    say "release build"
    (cd "$repo" && swift build -c release >&2)
fi
bin=${BENCH_BIN:-$repo/.build/release/lienthongd}
[ -x "$bin" ] || { echo "no $bin: run swift build -c release" >&2; exit 1; }

base_dir=${BENCH_DIR:-/var/tmp}
# A spool's durability rests on the file system's journal (an atomic rename
# survives a crash); ext4 without one also makes every new inode scan past
# the recently deleted ones, which is not what a server with a journal pays.
fs_note="spools on $(findmnt -n -o FSTYPE -T "$base_dir") ($base_dir)"
loop_mnt=""
no_journal() {
    [ "$(findmnt -n -o FSTYPE -T "$1")" = ext4 ] || return 1
    local dev; dev=$(basename "$(findmnt -n -o SOURCE -T "$1")")
    ! ls /proc/fs/jbd2/"$dev"-* >/dev/null 2>&1
}
if no_journal "$base_dir"; then
    if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null; then
        loop_img=$base_dir/lienthong-bench-fs.img
        loop_mnt=$(mktemp -d "$base_dir/lienthong-bench-mnt.XXXXXX")
        rm -f "$loop_img"; truncate -s 8G "$loop_img"
        mkfs.ext4 -q -F "$loop_img" && mount -o loop "$loop_img" "$loop_mnt"
        fs_note="spools on a journaled ext4 in a loop image ($base_dir's ext4 has no journal)"
        base_dir=$loop_mnt
    else
        fs_note="$fs_note WITHOUT A JOURNAL: not a supported spool, figures not comparable"
    fi
fi
work=$(mktemp -d "$base_dir/lienthong-bench.XXXXXX")
shm=""
daemon=""
base_pid=""
cleanup() {
    [ -n "$daemon" ] && kill -KILL "$daemon" 2>/dev/null || true
    [ -n "$base_pid" ] && kill -TERM -- "-$base_pid" 2>/dev/null || true
    [ -n "$shm" ] && rm -rf "$shm"
    if [ "${BENCH_KEEP:-}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
    if [ -n "$loop_mnt" ] && [ "${BENCH_KEEP:-}" != 1 ]; then
        umount "$loop_mnt" && rmdir "$loop_mnt" && rm -f "$loop_img"
    fi
}
trap cleanup EXIT
res=$work/results
mkdir -p "$res"
py() { python3 "$here/bench.py" "$@"; }

say "fixtures in $work"
sh "$repo/scripts/make-test-pki.sh" --demo "$work/trust" >/dev/null
fix=$work/fixtures
gen() { python3 "$here/gen_fixtures.py" "$work/trust" "$fix/$1" "$2" "$3" "$4"; }
gen p7s-thr p7s "$n_p7s" 1
gen report report "$n_report" 1
gen pair pair "$n_pair" 1
# Whether a row runs: all of them without BENCH_ONLY, else those it lists.
wanted() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
if wanted tmpfs; then gen p7s-sus p7s "$n_sustained" 300001; fi
if wanted latency; then
    gen p7s-lat p7s "$((lat_rate * lat_seconds))" 100001
    gen p7s-lat200 p7s "$((2 * lat_rate * lat_seconds))" 200001
fi
if [ -z "$only" ]; then
    gen invite invite 1 25
    gen scans scan "$n_queue" 1
fi
py units "$work/units.csv" "$units" "$communes" >"$res/units.json"
# The fixtures (some 100 MB with the scans) written out now: left dirty, the
# kernel writes them back during the first rows, and the daemon's syncs (a
# syncfs most of all, FileSystemSync) wait for data that is not its own.
sync
# Senders: the departments and districts; fan-out recipients: the communes.
# (awk reads all its input: `head` would end the pipe early and pipefail stop the run.)
awk -F, '/^B\.(DEP|DIS)/ && n++ < 100 { print $1 }' "$work/units.csv" >"$work/senders"
awk -F, '/^B\.COM/ { print $1 }' "$work/units.csv" >"$work/communes"
awk -F, '/^B\./ { print $1 }' "$work/units.csv" >"$work/all-units"
ca=$work/ca-bundle.pem
cat "$work/trust/anchors/"*.pem >"$ca"
for c in "$work/trust/crls/"*; do openssl crl -inform DER -in "$c" 2>/dev/null || openssl crl -in "$c"; done >>"$ca"

config() { # config FILE SPOOL WINDOW
    cat >"$1" <<TOML
[gateway]
office = "000.00.00.H41"
spool = "$2"
units = "$work/units.csv"

[intake]
settle = "$settle"
pairing_window = "$3"
max_file_size = "10MiB"

[trust]
anchors = "$work/trust/anchors"
crls = "$work/trust/crls"
tsa = "$work/trust/tsa"
TOML
}

# SQLite's temporary files (SQLITE_TMPDIR, else /var/tmp) on the spools' file
# system, where a server's /var/tmp usually is: its syncfs then writes them
# out too, as in service (the bench's own /var/tmp is another file system).
mkdir -p "$work/tmp"
start_daemon() { # start_daemon CONFIG LOG: sets $daemon, waits for ready, sets $ready
    env -u NOTIFY_SOCKET SQLITE_TMPDIR="$work/tmp" "$bin" --config "$1" >"$2" 2>&1 &
    daemon=$!
    local t0=$(date +%s.%N)
    for _ in $(seq 1 1200); do
        grep -q "lienthongd ready" "$2" && break
        kill -0 "$daemon" 2>/dev/null || { cat "$2" >&2; exit 1; }
        sleep 0.05
    done
    ready=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}
stop_daemon() { kill -TERM "$daemon"; wait "$daemon" || true; daemon=""; }

# ---------------------------------------------------------------- lienthongd
say "lienthongd: start with $units units"
config "$work/l.toml" "$work/spool-l" 10m
start_daemon "$work/l.toml" "$work/l.log"
echo "{\"ready_seconds\": $ready, \"status\": $(grep -m1 -o 'ready: .*' "$work/l.log" | sed 's/ MESSAGE_ID=.*//' | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().strip()))')}" >"$res/l-start.json"
sleep 5
say "lienthongd: idle 10 s"
py proc "$daemon" 10 >"$res/l-idle.json"
# The device under the spools, read around the throughput rows: its writes,
# bytes and cache flushes per decided submission are what durability costs,
# and vary far less with a busy machine than seconds do.
disk_stat=/sys/class/block/$(basename "$(findmnt -n -o SOURCE -T "$work")")/stat
if wanted throughput; then
    [ -r "$disk_stat" ] && cp "$disk_stat" "$res/disk-before"
    say "lienthongd: throughput, $n_p7s detached-signature reports"
    py throughput "$work/spool-l" "$fix/p7s-thr" p7s "$work/senders" 600 >"$res/l-thr-p7s.json"
    say "lienthongd: throughput, $n_report signed PDF reports"
    py throughput "$work/spool-l" "$fix/report" report "$work/senders" 600 >"$res/l-thr-report.json"
    say "lienthongd: throughput, $n_pair letter + scan pairs"
    py throughput "$work/spool-l" "$fix/pair" pair "$work/senders" 600 >"$res/l-thr-pair.json"
    [ -r "$disk_stat" ] && cp "$disk_stat" "$res/disk-after"
fi
# Where the daemon's time went, stage by stage (StageClock, logged at SIGTERM).
stages() { grep -o 'time per decided submission.*' "$1" | sed 's/ MESSAGE_ID=.*//; s/ LIENTHONG_.*//' | tr ',' '\n' | sed 's/^ */  /' || true; }
if wanted latency; then
    say "lienthongd: latency at $lat_rate/s for $lat_seconds s"
    py latency "$work/spool-l" "$fix/p7s-lat" p7s "$work/senders" "$lat_rate" "$lat_seconds" >"$res/l-lat.json"
    say "lienthongd: latency at $((2 * lat_rate))/s for $lat_seconds s"
    py latency "$work/spool-l" "$fix/p7s-lat200" p7s "$work/senders" "$((2 * lat_rate))" "$lat_seconds" >"$res/l-lat200.json"
fi
if [ -z "$only" ]; then
    say "lienthongd: fan-out to $communes communes"
    py fanout "$work/spool-l" "$fix/invite" "$work/communes" 30 >"$res/l-fanout.json"
    sleep 3
    say "lienthongd: idle 10 s after load"
    py proc "$daemon" 10 >"$res/l-after.json"
fi
stop_daemon

# The same reports on a spool in tmpfs, where fsync costs nothing: how much
# of lienthongd's time is durability, i.e. what batching fsyncs can win.
if wanted tmpfs; then
    say "lienthongd: throughput on tmpfs (no fsync cost), $n_p7s detached-signature reports"
    shm=$(mktemp -d /dev/shm/lienthong-bench.XXXXXX)
    config "$work/t.toml" "$shm/spool" 10m
    start_daemon "$work/t.toml" "$work/t.log"
    py throughput "$shm/spool" "$fix/p7s-thr" p7s "$work/senders" 600 >"$res/t-thr-p7s.json"
    say "lienthongd: throughput on tmpfs, $n_sustained detached-signature reports"
    py throughput "$shm/spool" "$fix/p7s-sus" p7s "$work/senders" 600 >"$res/t-thr-sus.json"
    stop_daemon
    rm -rf "$shm"; shm=""
fi
if [ -n "$only" ]; then
    say "only the rows of BENCH_ONLY=$only, $bin"
    py table "$res" "$settle" "$(nproc)" "$(uptime | sed 's/.*load average: //')" "$fs_note"
    echo; echo "lienthongd on disk:"; stages "$work/l.log"
    if wanted tmpfs; then echo "lienthongd on tmpfs:"; stages "$work/t.log"; fi
    exit 0
fi

# ------------------------------------------------------------------ baseline
say "baseline: inotifywait + openssl cms -verify + mv + sync"
bs=$work/spool-b
while read -r u; do mkdir -p "$bs/units/$u/outbox" "$bs/units/$u/receipts"; done <"$work/all-units"
setsid bash "$here/baseline.sh" "$bs" "$ca" >"$work/b.log" 2>&1 &
base_pid=$!
sleep 3  # inotifywait sets up 1,000 watches
say "baseline: throughput, $n_p7s detached-signature reports"
py throughput "$bs" "$fix/p7s-thr" p7s "$work/senders" 1800 >"$res/b-thr-p7s.json"
say "baseline: latency at $lat_rate/s for $lat_seconds s"
py latency "$bs" "$fix/p7s-lat" p7s "$work/senders" "$lat_rate" "$lat_seconds" >"$res/b-lat.json"
kill -TERM -- "-$base_pid" 2>/dev/null || true
base_pid=""

# ------------------------------------------------------------------ recovery
say "recovery: $n_queue scans gathering in queue/ (made on tmpfs)"
shm=$(mktemp -d /dev/shm/lienthong-bench.XXXXXX)
config "$work/r-shm.toml" "$shm/spool" 24h
start_daemon "$work/r-shm.toml" "$work/r-shm.log"
py scans "$shm/spool" "$fix/scans" "$work/all-units" >"$res/r-scans.json"
stop_daemon
cp -a "$shm/spool" "$work/spool-r"
rm -rf "$shm"; shm=""
say "recovery: $n_litter files waiting in outboxes"
py litter "$work/spool-r" "$work/all-units" "$n_litter" >"$res/r-litter.json"
config "$work/r.toml" "$work/spool-r" 24h
# With BENCH_KEEP=1, a pristine copy to compare another build on (bench.py ready).
[ "${BENCH_KEEP:-}" = 1 ] && cp -a "$work/spool-r" "$work/spool-r.pristine"
sync
say "recovery: start to READY"
py ready "$bin" "$work/r.toml" 120 "$work/spool-r" 20 >"$res/r-ready.json"

# --------------------------------------------------------------------- table
py table "$res" "$settle" "$(nproc)" "$(uptime | sed 's/.*load average: //')" "$fs_note"
echo; echo "lienthongd on disk (throughput, latency, fan-out):"; stages "$work/l.log"
echo "lienthongd on tmpfs:"; stages "$work/t.log"
