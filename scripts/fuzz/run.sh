#!/usr/bin/env bash
# Runs every fuzz target of .build-fuzz/bin/ (scripts/fuzz/build.sh) for
# FUZZ_SECONDS each, one after the other, with libFuzzer's memory and time
# limits: an input that takes more than FUZZ_RSS_MB of memory or FUZZ_TIMEOUT
# seconds is a finding like a crash. Prints one table; exits 1 on any finding.
#
#   FUZZ_SECONDS=120 FUZZ_TARGETS="pdf-validate cms" scripts/fuzz/run.sh
#   FUZZ_RUNS=1000000 also stops a target after that many executions.
#   FUZZ_MAX_LEN=4096 bounds the input size of the text targets (default 64 KiB).
#
# Findings are written to .build-fuzz/findings/<target>/ (crash-*, oom-*,
# timeout-*, leak-*): copy each into Fuzz/Regressions/<target>/, which
# `swift test` replays (FuzzReplayTests), and commit it with its fix.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=.build-fuzz
seconds=${FUZZ_SECONDS:-120}
# The replay tests hold the kept inputs to the same defaults (FuzzLimits in
# Fuzz/Properties/PropertyCheck.swift): change both together.
rss=${FUZZ_RSS_MB:-1024}
timeout=${FUZZ_TIMEOUT:-10}
targets=${FUZZ_TARGETS:-"pdf-validate pdf-objects cms pem names manifest units-csv config-toml control-request"}
export LIENTHONG_FUZZ_PKI=$PWD/$out/pki

# Seeds: the committed corpus, the kept inputs, the large hostile inputs
# (written by scripts/fuzz/hostile_inputs.py, not committed) and the test
# fixtures the tests validate (made by build.sh with scripts/make-test-pki.sh).
seeds() {
    local target=$1
    echo "Fuzz/corpus/$target"
    echo "Fuzz/Regressions/$target"
    echo "$out/seeds/hostile/$target"
    case $target in
        pdf-validate|pdf-objects) echo "$out/seeds/pdf" ;;
        cms|pem) echo "$out/seeds/cms" ;;
    esac
}
mkdir -p "$out/seeds/pdf" "$out/seeds/cms"
cp "$out"/pki/docs/*.pdf Tests/LienThongSignatureTests/Regressions/*.pdf "$out/seeds/pdf/"
cp "$out"/pki/docs/*.p7s Tests/LienThongSignatureTests/Regressions/*.p7s "$out/seeds/cms/"
rm -rf "$out/seeds/hostile"
if ! python3 scripts/fuzz/hostile_inputs.py "$out/seeds/hostile"; then
    echo "fuzz: scripts/fuzz/hostile_inputs.py failed" >&2
    exit 1
fi

# The longest input a target is given. Without a bound libFuzzer takes the
# size of the largest seed, and a 1 MiB hostile input (units-csv/field-1mib.csv)
# slows every mutation with it (units-csv: 46 instead of ~1,500 exec/s). So
# the text targets get 64 KiB (longer seeds are cut to it; `swift test` replays
# them whole), and the PDF and CMS targets libFuzzer's guess from their fixtures.
max_len() {
    case $1 in
        pdf-validate|pdf-objects|cms) echo 0 ;;
        *) echo "${FUZZ_MAX_LEN:-65536}" ;;
    esac
}

rows=()
failed=0
for target in $targets; do
    work=$out/corpus/$target findings=$out/findings/$target log=$out/logs/$target.log
    mkdir -p "$work" "$findings" "$out/logs"
    rm -f "$findings"/*
    existing=()
    for d in $(seeds "$target"); do [ -d "$d" ] && existing+=("$d"); done
    echo "fuzz: $target for ${seconds}s" >&2
    "$out/bin/$target" -max_total_time="$seconds" -max_len="$(max_len "$target")" -rss_limit_mb="$rss" -malloc_limit_mb="$rss" -timeout="$timeout" \
        ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -print_final_stats=1 -artifact_prefix="$findings/" "$work" "${existing[@]}" >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    found=$(find "$findings" -type f | wc -l)
    if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
        failed=1
        [ "$found" -gt 0 ] || found="exit $status"
        grep -m3 'ERROR: libFuzzer\|ERROR: AddressSanitizer\|fuzz property broken\|Fatal error' "$log" | sed "s|^|  $target: |" >&2
    fi
    rows+=("$(printf '| %-16s | %10s | %8s | %6s | %-8s |' "$target" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$found")")
done

printf '| %-16s | %10s | %8s | %6s | %-8s |\n' target runs exec/s cov findings
printf '|%s|%s|%s|%s|%s|\n' ------------------ ------------ ---------- -------- ----------
printf '%s\n' "${rows[@]}"
[ "$failed" -eq 0 ] || echo "fuzz: findings in $out/findings/ (logs in $out/logs/)" >&2
exit "$failed"
