#!/usr/bin/env bash
# Installs what lienthong needs on Debian 12 and is not there yet: the C
# libraries it links (OpenSSL, libsystemd, SQLite, zlib), the tools its fixture
# scripts and tests use, and pyHanko for signing sample PDFs.
set -euo pipefail

packages=(libssl-dev libsystemd-dev libsqlite3-dev zlib1g-dev libcurl4-openssl-dev openssl faketime python3 python3-pip
          systemd util-linux qpdf poppler-utils inotify-tools
          chromium  # renders lienthongctl's HTML report in the tests
          gcc libc6-dev passwd  # the integrity tests build an fsync fault shim and make users
          e2fsprogs  # mkfs.ext4: JournalCheck's test and make bench's journaled loop image
          dpkg-dev fakeroot lintian binutils)  # make deb, and its test
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "deps: installing ${missing[*]}" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! python3 -c 'import pyhanko' 2>/dev/null; then
    echo "deps: installing pyHanko (pip)" >&2
    python3 -m pip install -q pyhanko 2>/dev/null || python3 -m pip install -q --break-system-packages pyhanko
fi
