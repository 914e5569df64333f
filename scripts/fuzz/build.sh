#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/Targets/ into .build-fuzz/bin/.
#
# The library modules are built by SwiftPM in their own build folder with
# coverage and AddressSanitizer (-sanitize=fuzzer on a module only
# instruments it; swiftc has no fuzzer-no-link) and -enable-testing, so the
# targets can reach the internal parsers with @testable import. Each target is
# then its own Target.swift, the property it checks (Fuzz/Properties/<target>.swift,
# which the FuzzReplayTests test target compiles too) and Fuzz/Support, linked
# with -sanitize=fuzzer,address against the modules' object files (ld.gold
# warns about .note sections: harmless).
set -euo pipefail
cd "$(dirname "$0")/../.."
SWIFT=${SWIFT:-swift}
SWIFTC=${SWIFTC:-$(dirname "$(command -v "$SWIFT")")/swiftc}
out=.build-fuzz
flags=(-c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xcc -fsanitize=fuzzer-no-link,address)

mkdir -p "$out/bin" "$out/logs"
for module in LienThongSignature LienThongConfig LienThongControl; do
    if ! "$SWIFT" build --build-path "$out" "${flags[@]}" --target "$module" >"$out/logs/build-$module.log" 2>&1; then
        cat "$out/logs/build-$module.log" >&2
        echo "fuzz build: $module did not build" >&2
        exit 1
    fi
done

# Which modules each target links (Core under all of them).
declare -A uses=(
    [pdf-validate]="LienThongCore LienThongSignature" [pdf-objects]="LienThongCore LienThongSignature"
    [cms]="LienThongCore LienThongSignature" [pem]="LienThongCore LienThongSignature"
    [names]="LienThongCore" [manifest]="LienThongCore"
    [units-csv]="LienThongCore LienThongConfig" [config-toml]="LienThongCore LienThongConfig"
    [control-request]="LienThongControl"
)
for target in "${!uses[@]}"; do
    objects=()
    for module in ${uses[$target]}; do objects+=("$out"/release/"$module".build/*.o); done
    support=(Fuzz/Properties/"$target".swift Fuzz/Properties/PropertyCheck.swift Fuzz/Support/Check.swift)
    [[ ${uses[$target]} == *Signature* ]] && support+=(Fuzz/Properties/SignatureTrust.swift Fuzz/Support/TestTrust.swift)
    rm -f "$out/bin/$target"
    if ! "$SWIFTC" -O -parse-as-library -sanitize=fuzzer,address -module-name "Fuzz_${target//-/_}" \
        -I "$out/release/Modules" -I Sources/CLibSSL -I Sources/CZlib \
        "Fuzz/Targets/$target/Target.swift" "${support[@]}" "${objects[@]}" \
        -lcrypto -lz -o "$out/bin/$target" >"$out/logs/link-$target.log" 2>&1; then
        grep -v 'ld.gold: warning' "$out/logs/link-$target.log" >&2
        echo "fuzz build: $target did not build" >&2
        exit 1
    fi
done

# The test trust the signature targets validate against (as the tests do).
if [ ! -f "$out/pki/docs/letter.docx" ]; then
    sh scripts/make-test-pki.sh "$out/pki" >/dev/null
fi
echo "fuzz build: ${#uses[@]} targets in $out/bin"
