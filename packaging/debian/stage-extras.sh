#!/usr/bin/env bash
# stage-extras.sh SRC STAGE BINARIES VERSION — what a Debian package has
# beyond scripts/install.sh: stripped binaries, compressed man pages (all
# three), every unit and timer of systemd/, copyright and changelog.
set -euo pipefail
src=$1 stage=$2 binaries=$3 version=$4

# Debug symbols are not shipped (the Swift runtime is linked in: large).
strip --strip-unneeded "$stage/usr/bin/lienthongd" "$stage/usr/bin/lienthongctl"

# Units and timers added to systemd/ after install.sh learnt its list.
for unit in "$src"/systemd/*.service "$src"/systemd/*.timer; do
    target=$stage/usr/lib/systemd/system/${unit##*/}
    [[ -e $target ]] && continue
    sed -e "s|/usr/local/bin/|/usr/bin/|g" "$unit" >"$target"
    chmod 0644 "$target"
done

man=$stage/usr/share/man
install -d -m 0755 "$man/man1" "$man/man5" "$man/man8"
install -m 0644 "$src/man/lienthongd.8" "$man/man8/lienthongd.8"
install -m 0644 "$src/man/lienthong.toml.5" "$man/man5/lienthong.toml.5"
if [[ ! -f $man/man1/lienthongctl.1 ]]; then
    # ArgumentParser's generate-manual renders lienthongctl(1) from the
    # tool's own --help texts, so the page always matches the options.
    (cd "$src" && swift build -c release --product generate-manual >/dev/null)
    generator=$(cd "$src" && swift build -c release --show-bin-path)/generate-manual
    "$generator" "$binaries/lienthongctl" --output-directory "$man/man1" --section 1 >/dev/null
    chmod 0644 "$man/man1/lienthongctl.1"
fi
# The generator leaves empty lines, which groff warns about: make them
# explicit paragraph spacing.
sed -i 's/^$/.sp/' "$man/man1/lienthongctl.1"
# bash-completion sources the file; a #! line there only misleads.
sed -i '1{/^#!/d}' "$stage/usr/share/bash-completion/completions/lienthongctl"
# Reproducible: no name or time stamp in the gzip header.
find "$man" -type f -name '*.[158]' -exec gzip -9n {} +

doc=$stage/usr/share/doc/lienthong
install -d -m 0755 "$doc"
install -m 0644 "$src/packaging/debian/copyright" "$doc/copyright"
{
    printf 'lienthong (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Built from %s.\n\n' "$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null || echo 'a source tree without git')"
    printf ' -- %s  %s\n' "$(cat "$src/packaging/debian/maintainer")" "$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"
