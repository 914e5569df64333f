#!/usr/bin/env bash
# control.sh SRC STAGE WORK VERSION ARCH — writes STAGE/DEBIAN: control (with
# Depends computed from the libraries the binaries link), conffiles (every
# file under /etc), maintainer scripts and md5sums.
set -euo pipefail
src=$1 stage=$2 work=$3 version=$4 arch=$5

# dpkg-shlibdeps reads ./debian/control; a minimal one in a scratch folder.
mkdir -p "$work/shlibs/debian"
printf 'Source: lienthong\n\nPackage: lienthong\nArchitecture: any\n' >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$stage/usr/bin/lienthongd" -e"$stage/usr/bin/lienthongctl" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')
[[ -n $depends ]] || { echo "control.sh: dpkg-shlibdeps found no libraries for the binaries" >&2; exit 1; }

install -d -m 0755 "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: lienthong
Version: $version
Architecture: $arch
Maintainer: $(cat "$src/packaging/debian/maintainer")
Installed-Size: $size
Depends: $depends, systemd (>= 247)
Section: admin
Priority: optional
Description: document gateway for provincial offices (liên thông văn bản)
 lienthongd watches the Samba drop folders of the units that send documents
 to a provincial People's Committee office, pairs every paper scan with its
 digitally signed electronic version, verifies the signatures with OpenSSL
 as valid at the time of signing, decides by the provincial rule, files the
 evidence in a durable spool with an SQLite ledger and writes receipts for
 the clerks. lienthongctl is the operator's tool.
 .
 The service is installed but neither enabled nor started: fill in
 /etc/lienthong first, then systemctl enable --now lienthongd.
CONTROL

(cd "$stage" && find etc -type f | sort | sed 's|^|/|') >"$stage/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$src/packaging/debian/$script" "$stage/DEBIAN/$script"
done
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs -d '\n' md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"
