#!/usr/bin/env bash
# install.sh — build lienthong and install it as a systemd service.
#
#   scripts/install.sh [--prefix /usr/local] [--destdir DIR]
#                      [--binaries DIR] [--scratch-path DIR] [--no-config]
#
#   --prefix P        binaries go to P/bin (default /usr/local). With
#                     --prefix /usr the unit goes to /usr/lib/systemd/system
#                     (a package's place), else to /etc/systemd/system.
#   --destdir DIR     install into a staging root (packaging, tests) instead of
#                     this machine: nothing is run against the live system.
#   --binaries DIR    take lienthongd and lienthongctl from DIR, skip the build.
#   --scratch-path D  SwiftPM build folder for the release build (default .build).
#   --no-config       do not install the example configuration.
#
# Without --destdir, as root, it also creates the lienthong user
# (systemd-sysusers), the spool (systemd-tmpfiles, on our file only), updates
# the journal catalog and reloads systemd. It never enables or starts the
# service: that is the operator's step once /etc/lienthong is filled in.
set -euo pipefail

readonly PROG=${0##*/}
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$PROG" "$*" >&2; }

src=$(cd "$(dirname "$0")/.." && pwd -P)
prefix=/usr/local
destdir=""
binaries=""
scratch=""
install_config=1

while (($# > 0)); do
    case $1 in
        --prefix) prefix=${2:?--prefix needs a path}; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --destdir) destdir=${2:?--destdir needs a path}; shift 2 ;;
        --destdir=*) destdir=${1#*=}; shift ;;
        --binaries) binaries=${2:?--binaries needs a folder}; shift 2 ;;
        --binaries=*) binaries=${1#*=}; shift ;;
        --scratch-path) scratch=${2:?--scratch-path needs a folder}; shift 2 ;;
        --scratch-path=*) scratch=${1#*=}; shift ;;
        --no-config) install_config=0; shift ;;
        -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done

[[ $prefix == /* ]] || die "--prefix must be an absolute path, not '$prefix'"
prefix=${prefix%/}
[[ -n $prefix ]] || die "--prefix / is not supported; use --prefix /usr"
if [[ -n $destdir ]]; then
    mkdir -p "$destdir"
    destdir=$(cd "$destdir" && pwd -P)
    [[ $destdir != / ]] || die "--destdir / means this machine: leave --destdir out instead"
else
    [[ $(id -u) == 0 ]] || die "installing on this machine needs root (or give --destdir DIR to stage)"
fi

readonly bindir=$prefix/bin
if [[ $prefix == /usr ]]; then
    readonly unitdir=/usr/lib/systemd/system
else
    readonly unitdir=/etc/systemd/system
fi
readonly confdir=/etc/lienthong
readonly spool=/var/spool/lienthong

# --- 1. binaries -----------------------------------------------------------
if [[ -z $binaries ]]; then
    command -v swift >/dev/null || die "swift is not on PATH (install the toolchain, or pass --binaries DIR)"
    note "building release binaries (swift build -c release)"
    # The Swift runtime linked in: the target machine needs no toolchain.
    build=(swift build --package-path "$src" -c release --static-swift-stdlib)
    [[ -n $scratch ]] && build+=(--scratch-path "$scratch")
    "${build[@]}" --product lienthongd
    "${build[@]}" --product lienthongctl
    binaries=$("${build[@]}" --show-bin-path)
fi
for bin in lienthongd lienthongctl; do
    [[ -x $binaries/$bin ]] || die "$binaries/$bin is missing or not executable"
done

install -d -m 0755 "$destdir$bindir"
install -m 0755 "$binaries/lienthongd" "$binaries/lienthongctl" "$destdir$bindir/"

# --- 2. systemd files --------------------------------------------------------
# The unit names /usr/local/bin/lienthongd; follow the chosen prefix.
install -d -m 0755 "$destdir$unitdir" "$destdir/usr/lib/tmpfiles.d" \
    "$destdir/usr/lib/sysusers.d" "$destdir/usr/lib/systemd/catalog"
sed "s|/usr/local/bin/lienthongd|$bindir/lienthongd|g" "$src/systemd/lienthongd.service" \
    >"$destdir$unitdir/lienthongd.service.tmp"
chmod 0644 "$destdir$unitdir/lienthongd.service.tmp"
mv -f "$destdir$unitdir/lienthongd.service.tmp" "$destdir$unitdir/lienthongd.service"
install -m 0644 "$src/systemd/lienthong.tmpfiles" "$destdir/usr/lib/tmpfiles.d/lienthong.conf"
install -m 0644 "$src/systemd/lienthong.sysusers" "$destdir/usr/lib/sysusers.d/lienthong.conf"
install -m 0644 "$src/systemd/lienthong.catalog" "$destdir/usr/lib/systemd/catalog/lienthong.catalog"

# --- 3. configuration (never overwritten) -----------------------------------
# Configuration and trust anchors are public data (certificates, unit list),
# so root-owned and world-readable is enough: the daemon only reads them.
install -d -m 0755 "$destdir$confdir" "$destdir$confdir/trust" \
    "$destdir$confdir/trust/anchors" "$destdir$confdir/trust/crls" "$destdir$confdir/trust/tsa"
if ((install_config)); then
    if [[ -e $destdir$confdir/lienthong.toml ]]; then
        note "$confdir/lienthong.toml exists: left as it is"
    else
        example=$src/config/lienthong.toml
        [[ -f $example ]] || die "the example configuration $example is missing from the source tree (or pass --no-config)"
        # The example works on the repository's Spool/ and demo trust; the
        # installed one uses the spool of the unit file and /etc/lienthong/trust.
        # The demo PKI is for tests only and is never installed.
        sed -E \
            -e "s|^([[:space:]]*spool[[:space:]]*=[[:space:]]*).*|\\1\"$spool\"|" \
            -e "s|^([[:space:]]*anchors[[:space:]]*=[[:space:]]*).*|\\1\"$confdir/trust/anchors\"|" \
            -e "s|^([[:space:]]*crls[[:space:]]*=[[:space:]]*).*|\\1\"$confdir/trust/crls\"|" \
            -e "s|^([[:space:]]*tsa[[:space:]]*=[[:space:]]*).*|\\1\"$confdir/trust/tsa\"|" \
            "$example" >"$destdir$confdir/lienthong.toml.tmp"
        grep -qE "^[[:space:]]*spool[[:space:]]*=[[:space:]]*\"$spool\"" "$destdir$confdir/lienthong.toml.tmp" ||
            die "$example has no 'spool = ...' line to point at $spool; fix the example"
        chmod 0644 "$destdir$confdir/lienthong.toml.tmp"
        mv -f "$destdir$confdir/lienthong.toml.tmp" "$destdir$confdir/lienthong.toml"
    fi
    if [[ -e $destdir$confdir/units.csv ]]; then
        note "$confdir/units.csv exists: left as it is"
    else
        [[ -f $src/config/units.csv ]] || die "the example registry $src/config/units.csv is missing from the source tree (or pass --no-config)"
        install -m 0644 "$src/config/units.csv" "$destdir$confdir/units.csv"
    fi
fi

# --- 4. activate on this machine ---------------------------------------------
if [[ -n $destdir ]]; then
    note "staged in $destdir; on the target, systemd-sysusers and systemd-tmpfiles create the user and the spool at boot (or run them by hand), and 'journalctl --update-catalog' indexes the catalog"
    exit 0
fi

# Only our own configuration files: a bare systemd-tmpfiles would apply every
# tmpfiles.d rule of the machine (and empty /tmp).
systemd-sysusers /usr/lib/sysusers.d/lienthong.conf
systemd-tmpfiles --create /usr/lib/tmpfiles.d/lienthong.conf
journalctl --update-catalog
if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
fi
cat >&2 <<EOF
$PROG: installed. Before starting:
  - put the real trust anchors (Ban Cơ yếu Chính phủ root and intermediates)
    in $confdir/trust/anchors, CRLs in $confdir/trust/crls, TSA roots in
    $confdir/trust/tsa; fill in $confdir/units.csv and $confdir/lienthong.toml;
  - check it: $bindir/lienthongctl --help
  - then: systemctl enable --now lienthongd
EOF
