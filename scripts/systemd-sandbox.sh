#!/usr/bin/env bash
# systemd-sandbox.sh — boot a real systemd (as PID 1 of private namespaces) for
# tests, without touching the machine it runs on.
#
#   systemd-sandbox.sh start DIR [--show PATH]...
#                                       boot; prints the host PID of its systemd.
#                                       Each --show PATH (a folder of the host)
#                                       is bound read-only at the same place
#                                       inside, even under the fresh /tmp or
#                                       /run: a checkout under /tmp stays visible
#   systemd-sandbox.sh exec PID CMD...  run CMD inside (systemctl, journalctl, ...)
#   systemd-sandbox.sh stop PID         kill -9 that systemd and everything under it
#
# DIR is a scratch folder of the caller (created if missing). Files placed in
# DIR/upper before `start` appear in the sandbox's root: that is how a test
# stages binaries, trust anchors or a whole `install.sh --destdir DIR/upper`.
# Everything the sandbox writes lands in DIR/upper too (its journal in
# DIR/upper/var/log/journal); DIR/console.log is systemd's console output.
#
# Why each step (see DESIGN.md, "Booting a real systemd inside a test, safely"):
# booted naively, systemd's boot-time units empty the real /tmp, load kernel
# modules, set the clock, mount things over the host's. Here:
#   - PID, mount, UTS, IPC and network namespaces are private, so killing our
#     systemd kills every process it started, and hostname, SysV IPC and network
#     configuration of the host are out of reach;
#   - `/` is an overlay (lower: the real root, read-only to us; upper: DIR/upper),
#     /run, /tmp and /dev are fresh tmpfs (with only harmless device nodes bound
#     in), /proc/sys and /sys are read-only, so nothing it writes reaches the host;
#   - cgroup v2 gets a private sub-hierarchy (lienthong-sandbox-*) with its own
#     cgroup namespace, so two sandboxes never share system.slice, and `stop`
#     removes it;
#   - units that act on the kernel or the hardware are masked inside.
# It runs as root only (mounts, namespaces). Never stop it with pkill by name:
# other engineers' processes share the names systemd and journald.
set -euo pipefail

readonly PROG=${0##*/}
readonly CGROUP_PREFIX=lienthong-sandbox-
readonly BOOT_TIMEOUT=${SANDBOX_BOOT_TIMEOUT:-60}

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Units that would touch kernel-wide or hardware state even from inside the
# namespaces, or that only make sense on a real boot. Masked in the sandbox's
# /etc (that is, in the overlay's upper folder), never on the host.
readonly MASKED_UNITS=(
    systemd-modules-load.service      # loads kernel modules: global
    modprobe@.service kmod-static-nodes.service
    systemd-sysctl.service            # writes /proc/sys (read-only anyway)
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount
    systemd-timesyncd.service         # would set the machine's clock
    systemd-pstore.service            # moves kernel crash records out of pstore
    systemd-repart.service            # partitions disks
    systemd-random-seed.service
    systemd-firstboot.service         # interactive
    systemd-pcrphase.service systemd-pcrphase-sysinit.service
    systemd-remount-fs.service
    systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service
    systemd-hwdb-update.service
    getty.target console-getty.service
    # Kernel pseudo-filesystems nothing here needs (debugfs, tracefs, ...).
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount
    sys-fs-fuse-connections.mount dev-hugepages.mount
)

# ---------------------------------------------------------------------------
# The part that runs inside the new namespaces, as their PID 1, before it
# becomes systemd. Arguments: DIR.
inner() {
    local dir=$1 root=$1/root
    shift

    # Nothing mounted from here on may propagate back to the host.
    mount --make-rprivate /

    mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/upper,workdir=$dir/work" "$root"

    mount -t proc proc "$root/proc"
    # systemd's own units skip /proc/sys and /sys when they are read-only
    # (ConditionPathIsReadWrite=): that keeps sysctl and udev away from the host.
    mount --bind "$root/proc/sys" "$root/proc/sys"
    mount -o remount,bind,ro "$root/proc/sys"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
    # A private view of cgroup v2: its root is the sub-hierarchy `start` made for us.
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"

    # A fresh /dev with only the nodes services need, like systemd-nspawn does;
    # PrivateDevices= builds its own from these.
    mount -t tmpfs -o nosuid,mode=0755,size=4m tmpfs "$root/dev"
    local node
    for node in null zero full random urandom tty; do
        touch "$root/dev/$node"
        mount --bind "/dev/$node" "$root/dev/$node"
    done
    mkdir -p "$root/dev/pts" "$root/dev/shm" "$root/dev/mqueue"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
    ln -s pts/ptmx "$root/dev/ptmx"
    mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$root/dev/shm"
    ln -s /proc/self/fd "$root/dev/fd"
    ln -s /proc/self/fd/0 "$root/dev/stdin"
    ln -s /proc/self/fd/1 "$root/dev/stdout"
    ln -s /proc/self/fd/2 "$root/dev/stderr"
    # systemd writes its status to /dev/console; point it at our log.
    touch "$root/dev/console"
    mount --bind "$dir/console.log" "$root/dev/console"

    # Fresh /run and /tmp: whatever tmpfiles.d says about /tmp applies to this
    # empty tmpfs, not to the machine's /tmp.
    mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs "$root/run"
    mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$root/tmp"

    # Host folders the caller needs inside (its checkout: scripts, units),
    # read-only so the sandbox can never change them.
    local shown
    for shown in "$@"; do
        mkdir -p "$root$shown"
        mount --bind "$shown" "$root$shown"
        mount -o remount,bind,ro "$root$shown"
    done

    # The sandbox boots into a target that wants nothing but the journal.
    local etc=$root/etc/systemd/system
    mkdir -p "$etc"
    cat >"$etc/sandbox.target" <<'EOF'
[Unit]
Description=lienthong test sandbox (only the journal; tests start the rest)
Requires=systemd-journald.socket systemd-journald.service
After=systemd-journald.socket systemd-journald.service
AllowIsolate=yes
EOF
    local unit
    for unit in "${MASKED_UNITS[@]}"; do
        ln -sfn /dev/null "$etc/$unit"
    done

    # Into the new root; the old one is detached so nothing inside can reach it.
    cd "$root"
    mkdir -p .sandbox-oldroot
    pivot_root . .sandbox-oldroot
    cd /
    umount -l /.sandbox-oldroot
    rmdir /.sandbox-oldroot

    exec env -i container=lienthong-test PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /lib/systemd/systemd --system --unit=sandbox.target
}

# ---------------------------------------------------------------------------

# The mount point of the cgroup v2 hierarchy on the host ("" when there is none).
cgroup2_mount() {
    awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts
}

# The cgroup v2 path of a process, relative to the hierarchy's root.
cgroup2_path_of() {
    sed -n 's/^0:://p' "/proc/$1/cgroup"
}

require_root() {
    [[ $(id -u) == 0 ]] || die "must run as root (it mounts and creates namespaces)"
}

in_sandbox() {
    local pid=$1; shift
    SYSTEMD_PAGER=cat SYSTEMD_COLORS=0 \
        nsenter --target "$pid" --mount --uts --ipc --net --pid --root --wd -- "$@"
}

# Is PID the systemd of a sandbox of ours? Refuses anything else, so a wrong
# PID can never make `stop` kill an unrelated process.
check_sandbox_pid() {
    local pid=$1
    [[ $pid =~ ^[0-9]+$ ]] || die "not a PID: $pid"
    [[ -d /proc/$pid ]] || die "no process $pid (already stopped?)"
    { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qx 'container=lienthong-test' ||
        die "process $pid is not a lienthong sandbox's systemd (no container=lienthong-test in its environment)"
}

cmd_start() {
    require_root
    local dir=${1:?usage: $PROG start DIR [--show PATH]...}
    shift
    local shown=() path
    while (($# > 0)); do
        [[ $1 == --show ]] || die "unknown argument to start: $1 (usage: $PROG start DIR [--show PATH]...)"
        path=${2:?--show needs a folder}
        [[ -d $path ]] || die "--show $path: not a folder on this machine"
        path=$(cd "$path" && pwd -P)
        [[ $path != / ]] || die "--show / would show the whole host: name a folder"
        shown+=("$path")
        shift 2
    done
    command -v unshare >/dev/null || die "unshare (util-linux) is not installed"
    command -v nsenter >/dev/null || die "nsenter (util-linux) is not installed"
    [[ -x /lib/systemd/systemd ]] || die "/lib/systemd/systemd is not installed (apt-get install systemd)"
    grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
        die "the kernel has no overlay filesystem"

    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    [[ $dir != / ]] || die "DIR must not be /"
    if [[ -e $dir/pid && -d /proc/$(cat "$dir/pid") ]]; then
        die "a sandbox already runs on $dir (PID $(cat "$dir/pid")); stop it first"
    fi
    mkdir -p "$dir/upper" "$dir/work" "$dir/root"
    : >"$dir/console.log"
    rm -f "$dir/pid"

    local cgroot cgdir=""
    cgroot=$(cgroup2_mount)
    [[ -n $cgroot ]] || die "no cgroup v2 hierarchy is mounted; systemd 252 needs one"
    cgdir=$cgroot$(cgroup2_path_of $$)
    cgdir=${cgdir%/}/$CGROUP_PREFIX$(basename "$dir")-$$
    mkdir "$cgdir" || die "cannot create the sandbox's cgroup $cgdir"

    # setsid: the sandbox must outlive this script and ignore the caller's
    # terminal signals. The subshell moves itself into the new cgroup before
    # unshare makes that cgroup the root of the sandbox's cgroup namespace.
    # It closes every descriptor it inherited beyond 0-2: a caller that waits
    # for EOF on a pipe or socket it gave us (Foundation's Process does, to
    # notice the exit of `start`) would otherwise wait as long as the sandbox
    # lives, and a multi-threaded caller's unrelated descriptors would leak in.
    (
        local fd
        for fd in /proc/$BASHPID/fd/*; do
            fd=${fd##*/}
            ((fd > 2)) && eval "exec $fd>&-"
        done
        echo "$BASHPID" >"$cgdir/cgroup.procs"
        exec setsid unshare --fork --kill-child --pid --mount --uts --ipc --net --cgroup \
            --propagation private -- "$0" __inner "$dir" "${shown[@]}"
    ) </dev/null >>"$dir/console.log" 2>&1 &
    local unshare_pid=$!

    # systemd is the only child of unshare; wait for it to show up.
    local pid="" i
    for ((i = 0; i < 100; i++)); do
        pid=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null | awk '{print $1}') || true
        [[ -n $pid ]] && break
        [[ -d /proc/$unshare_pid ]] || break
        sleep 0.05
    done
    if [[ -z $pid ]]; then
        rmdir "$cgdir" 2>/dev/null || true
        die "the sandbox did not start; its output:"$'\n'"$(tail -n 40 "$dir/console.log")"
    fi
    echo "$pid" >"$dir/pid"

    # Ready when the sandbox target (the journal) is active.
    local state=""
    for ((i = 0; i < BOOT_TIMEOUT * 5; i++)); do
        if [[ ! -d /proc/$pid ]]; then
            break
        fi
        state=$(in_sandbox "$pid" systemctl is-active sandbox.target 2>/dev/null) || true
        [[ $state == active ]] && { echo "$pid"; return 0; }
        sleep 0.2
    done
    local log
    log=$(tail -n 60 "$dir/console.log")
    [[ -d /proc/$pid ]] && cmd_stop "$pid" >/dev/null 2>&1 || true
    die "systemd in $dir did not reach sandbox.target within ${BOOT_TIMEOUT}s (state: ${state:-none}); its console:"$'\n'"$log"
}

cmd_exec() {
    require_root
    local pid=${1:?usage: $PROG exec PID CMD...}; shift
    (($# > 0)) || die "usage: $PROG exec PID CMD..."
    check_sandbox_pid "$pid"
    in_sandbox "$pid" "$@"
}

cmd_stop() {
    require_root
    local pid=${1:?usage: $PROG stop PID}
    check_sandbox_pid "$pid"

    # Find our cgroup before the process is gone: the component named
    # lienthong-sandbox-* in its path.
    local cgroot cgpath cgdir=""
    cgroot=$(cgroup2_mount)
    cgpath=$(cgroup2_path_of "$pid" 2>/dev/null) || true
    if [[ -n $cgroot && $cgpath == *"/$CGROUP_PREFIX"* ]]; then
        local rest=${cgpath#*"/$CGROUP_PREFIX"}
        cgdir=$cgroot${cgpath%%"/$CGROUP_PREFIX"*}/$CGROUP_PREFIX${rest%%/*}
    fi

    # SIGKILL to PID 1 of a PID namespace kills every process in it.
    kill -9 "$pid"
    local i
    for ((i = 0; i < 200; i++)); do
        [[ -d /proc/$pid ]] || break
        sleep 0.05
    done
    [[ ! -d /proc/$pid ]] || die "process $pid survived SIGKILL for 10s"

    if [[ -n $cgdir && -d $cgdir ]]; then
        # Empty cgroups go away with rmdir, deepest first; processes may need a
        # moment to be reaped after the kill.
        for ((i = 0; i < 100; i++)); do
            find "$cgdir" -depth -type d -exec rmdir {} + 2>/dev/null || true
            [[ -d $cgdir ]] || break
            sleep 0.1
        done
        [[ ! -d $cgdir ]] || printf '%s: warning: could not remove cgroup %s\n' "$PROG" "$cgdir" >&2
    fi
}

case ${1:-} in
    start) shift; cmd_start "$@" ;;
    exec) shift; cmd_exec "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    __inner) shift; inner "$@" ;;
    *) usage ;;
esac
