#!/usr/bin/env bash
# make-deb.sh — build lienthong_<version>_<arch>.deb (make deb).
#
#   scripts/make-deb.sh [--binaries DIR] [--output DIR] [--version V]
#
# Release binaries with the Swift runtime linked in (--static-swift-stdlib),
# staged by scripts/install.sh --prefix /usr (unit and timers, tmpfiles.d,
# sysusers.d, journal catalog, completions, /etc/lienthong as conffiles), the
# man pages lienthongd(8), lienthong.toml(5) and lienthongctl(1), Depends from
# the shared libraries the binaries link (dpkg-shlibdeps), and maintainer
# scripts from packaging/debian/. Then lintian, which must report no error.
set -euo pipefail

readonly PROG=${0##*/}
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

src=$(cd "$(dirname "$0")/.." && pwd -P)
binaries=""
output=$src
version=""
while (($# > 0)); do
    case $1 in
        --binaries) binaries=${2:?}; shift 2 ;;
        --output) output=${2:?}; shift 2 ;;
        --version) version=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
for tool in dpkg-deb dpkg-shlibdeps fakeroot gzip; do
    command -v "$tool" >/dev/null || die "$tool is missing: run scripts/deps.sh (dpkg-dev, fakeroot)"
done

# Version: packaging/VERSION, plus the commit when built from a git checkout
# that is not exactly at a tag, so two different builds never share a version.
if [[ -z $version ]]; then
    version=$(tr -d '[:space:]' <"$src/packaging/VERSION")
    if git -C "$src" rev-parse --git-dir >/dev/null 2>&1 && ! git -C "$src" describe --exact-match --tags >/dev/null 2>&1; then
        version="$version~git$(git -C "$src" log -1 --format=%cd --date=format:%Y%m%d).$(git -C "$src" rev-parse --short=8 HEAD)"
    fi
fi
arch=$(dpkg --print-architecture)

if [[ -z $binaries ]]; then
    note "building release binaries with the static Swift runtime"
    (cd "$src" && swift build -c release --static-swift-stdlib --product lienthongd &&
        swift build -c release --static-swift-stdlib --product lienthongctl)
    binaries=$(cd "$src" && swift build -c release --static-swift-stdlib --show-bin-path)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lienthong-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/root
"$src/scripts/install.sh" --prefix /usr --destdir "$stage" --binaries "$binaries" 2> >(grep -v '^install.sh: staged in' >&2)
bash "$src/packaging/debian/stage-extras.sh" "$src" "$stage" "$binaries" "$version"
bash "$src/packaging/debian/control.sh" "$src" "$stage" "$work" "$version" "$arch"

mkdir -p "$output"
deb=$output/lienthong_${version}_${arch}.deb
fakeroot dpkg-deb -Zxz --root-owner-group --build "$stage" "$deb" >/dev/null
note "built $deb"
if command -v lintian >/dev/null; then
    # Errors fail the build; warnings are printed for whoever reads them.
    lintian --fail-on error "$deb" ||
        die "lintian reports errors in $deb (above)"
else
    note "lintian is not installed: the package is not checked (scripts/deps.sh installs it)"
fi
echo "$deb"
