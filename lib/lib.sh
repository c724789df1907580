# The shell library of the project's tools and tests (lib/lib.sh); source it,
# do not run it.  lib/spm, the Python library, reads its layout from here.
# shellcheck shell=bash

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SPM_BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
DOWNLOADS=$BUILD/downloads
SRC=$BUILD/src
OBJ=$BUILD/obj
PREFIX=$BUILD/prefix
DEBS=$BUILD/debs
APT_DIR=$BUILD/apt

# QEMU's unprivileged user and group, a system account as Debian's
# libvirt-qemu: every QEMU the project starts runs as it (tools/qemu-user
# makes it).
QEMU_USER=spm-qemu

# The private libvirt's state: its localstatedir, compiled into it
# (tools/build-libvirt), with run/ (daemon sockets and pid files, the QEMU
# driver's status XML and guest channel sockets), lib/ (each domain's
# monitor socket, nvram, save images, the pool "default"), log/ and cache/.
# A UNIX socket path has at most SUN_PATH_MAX characters, and libvirt makes
# sockets up to STATE_SOCKET_TAIL characters below this directory, so it
# can't be below the checkout, whose path may be of any length: it is a
# short path outside the tree, one per build directory (named by a hash of
# its physical path, so that two checkouts on one machine keep apart).
# Host B of tools/libvirt-pair has PEER_STATE, bound over STATE in its own
# mount namespace.  SPM_STATE chooses another directory (before building
# libvirt); check_socket_room refuses one that is too long.
SUN_PATH_MAX=107
# The longest: /run/libvirt/qemu/channel/ (26 characters), ID-NAME (a
# domain ID of up to 6 digits, libvirt's short name of a domain, at most 20
# characters), /CHANNEL (a channel name of up to 24; virt-install's
# org.qemu.guest_agent.0 has 22).  A monitor socket,
# /lib/libvirt/qemu/domain-ID-NAME/monitor.sock, is shorter.
STATE_SOCKET_TAIL=$((26 + 6 + 1 + 20 + 1 + 24))

# state_dir_for DIR: the state directory of the build directory DIR.
state_dir_for() {
    printf '/var/lib/spm-%s\n' "$(realpath -m "$1" | tr -d '\n' | sha256sum | cut -c1-8)"
}
STATE=${SPM_STATE:-$(state_dir_for "$BUILD")}
PEER_STATE=$STATE-b
# ccache keeps its own default directory, shared by every checkout here;
# paths below the checkout are hashed relative to it, so that another clone
# (CI's, say, or tests/system/test_long_checkout.py's) finds the same
# objects.  The builds use -g, for which ccache would also hash the
# working directory (a build directory below the checkout) and miss every
# object of another clone; the debug information's directory is all that
# differs then.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

# The test guest's kernel: KERNEL=6.12 (the default, Debian trixie's) or
# KERNEL=7.2 (Debian sid's newest), each pinned in pins as
# linux-image-VERSION... or as linux-binary-VERSION... with its
# linux-modules-VERSION....  tools/build-initramfs makes the guest of the
# one chosen in GUEST_DIR; every tool and test boots that one.
GUEST_KERNELS="6.12 7.2"
KERNEL=${KERNEL:-6.12}
case " $GUEST_KERNELS " in
*" $KERNEL "*) ;;
*) echo "error: KERNEL=$KERNEL: no such guest kernel (one of: $GUEST_KERNELS)" >&2; exit 1 ;;
esac
export KERNEL
GUEST_DIR=$BUILD/guest/$KERNEL

die() {
    echo "error: $*" >&2
    exit 1
}

note() {
    echo "==> $*" >&2
}

# pins_rows [COLUMN=VALUE...]: the one reader of pins.  Prints its rows,
# without comments, as "kind suite package version file sha256", only
# those whose COLUMN (one of those names) is VALUE for every filter given.
pins_rows() {
    awk -v filters="$*" '
        BEGIN {
            split("kind suite package version file sha256", name, " ")
            for (i = 1; i <= 6; i++) col[name[i]] = i
            nf = split(filters, f, " ")
            for (i = 1; i <= nf; i++) {
                eq = index(f[i], "=")
                key[i] = substr(f[i], 1, eq - 1); want[i] = substr(f[i], eq + 1)
                if (!(key[i] in col)) { print "pins_rows: no column " key[i] > "/dev/stderr"; exit 2 }
            }
        }
        /^#/ || NF < 6 { next }
        {
            for (i = 1; i <= nf; i++) if ($(col[key[i]]) != want[i]) next
            print $1, $2, $3, $4, $5, $6
        }' "$TOP/pins"
}

# pin_field NAME FIELD: print FIELD (kind|suite|version|file|sha256) of the
# first pins row for package NAME.
pin_field() {
    local kind suite package version file sha256
    read -r kind suite package version file sha256 < <(pins_rows package="$1") || return 0
    case $2 in
    kind|suite|version|file|sha256) echo "${!2}" ;;
    *) die "pin_field: no field $2" ;;
    esac
}

# kernel_packages: the pins packages of the chosen guest kernel (KERNEL):
# "IMAGE MODULES", the same package twice where one holds both.
kernel_packages() {
    local image modules
    read -r image modules < <(pins_rows | awk -v v="$KERNEL" '
        index($3, "linux-image-" v ".") == 1 || index($3, "linux-binary-" v ".") == 1 {
            if (image == "") image = $3 }
        index($3, "linux-modules-" v ".") == 1 { if (modules == "") modules = $3 }
        END { if (image != "") print image, (modules != "" ? modules : image) }') ||
        die "pins has no linux-image- or linux-binary- package of kernel $KERNEL"
    echo "$image $modules"
}

# pin_files NAME: every file pinned for package NAME.
pin_files() {
    pins_rows package="$1" | cut -d' ' -f5
}

# debian_mirror: print the URI of the first Debian archive (not -security)
# that the machine's apt configuration lists, in deb822 or one-line format.
# tools/apt-setup and tools/stock-qemu reach Debian's packages through it.
debian_mirror() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        uri=$(awk '
            /^[[:space:]]*$/ { if (u != "" && s !~ /security/) { print u; exit } u = ""; s = "" }
            /^URIs:/ { u = $2 }
            /^Suites:/ { s = $0 }
            END { if (u != "" && s !~ /security/) print u }' "$f" | head -n 1)
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        uri=$(awk '$1 == "deb" && $0 !~ /security/ {
                   for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    return 1
}

# Run apt's own client against the project's private configuration.
papt() {
    APT_CONFIG=$APT_DIR/apt.conf "$@"
}

# Number of parallel jobs for builds.
jobs() {
    nproc
}

# queue_id COMPONENT: what the patch queue COMPONENT/ is: its series and the
# sum of every patch the series names.  tools/tree and tools/export record
# it for a work tree that matches the queue (record_queue_state), and
# tools/tree compares it to tell whether the queue changed since.
queue_id() {
    local comp=$1 queue=$TOP/$1 p
    cat "$queue/series"
    while read -r p; do
        case $p in ''|'#'*) continue ;; esac
        [ -f "$queue/$p" ] || die "$comp/series names $p, which does not exist"
        sha256sum "$queue/$p"
    done < "$queue/series"
}

# record_queue_state COMPONENT: build/src/COMPONENT matches its queue now;
# its HEAD tells later whether commits were made on top.
record_queue_state() {
    local tree=$SRC/$1
    queue_id "$1" > "$tree/.git/spm-queue"
    git -C "$tree" rev-parse HEAD > "$tree/.git/spm-head"
}

# without_kvm CMD...: run CMD with /dev/kvm hidden behind /dev/null (in a
# private mount namespace).  KVM does not work for guests here, and QEMU's
# qtests would prefer it and see other ACPI tables.
without_kvm() {
    if [ -e /dev/kvm ]; then
        unshare -m --propagation private -- \
            sh -c 'mount --bind /dev/null /dev/kvm && exec "$@"' sh "$@"
    else
        "$@"
    fi
}

# no_inherited_fds CMD...: exec CMD (call it in a subshell) with every
# descriptor above 2 closed.  A daemon started from a caller that holds a
# flock(1) lock (build/.libvirt-daemon.lock, say) would otherwise hold that
# lock for its whole life.
no_inherited_fds() {
    local fd
    for fd in "/proc/$BASHPID/fd/"*; do
        fd=${fd##*/}
        [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec "$@"
}

# check_socket_room DIR WHAT: fail, naming DIR, its length and the limit,
# if the sockets libvirt makes below state directory DIR (up to
# STATE_SOCKET_TAIL characters) would not fit into a UNIX socket path.
# WHAT says whose state it is.
check_socket_room() {
    local dir=$1 tail=$STATE_SOCKET_TAIL what=$2
    [ $((${#dir} + tail)) -le $SUN_PATH_MAX ] && return 0
    die "$what: sockets below $dir (${#dir} characters) would be up to $((${#dir} + tail)) characters long, more than the $SUN_PATH_MAX of a UNIX socket path; its path may have at most $((SUN_PATH_MAX - tail)) characters (SPM_STATE chooses another)"
}

# build_id: this build directory's identity, made once.  A state directory
# records the build it belongs to.
build_id() {
    local tmp
    if [ ! -s "$BUILD/.id" ]; then
        # made whole in a file of its own and linked into place: two first
        # callers at once both read the one that won
        mkdir -p "$BUILD"
        tmp=$(mktemp "$BUILD/.id.XXXXXX")
        cat /proc/sys/kernel/random/uuid >"$tmp"
        ln "$tmp" "$BUILD/.id" 2>/dev/null || true
        rm -f "$tmp"
    fi
    cat "$BUILD/.id"
}

# pid_exe PIDFILE: "PID EXE" of the running process whose pid PIDFILE
# holds (EXE the physical path of its binary, as the kernel gives it), or
# nothing.
pid_exe() {
    local pid exe
    pid=$(cat "$1" 2>/dev/null) || return 0
    case $pid in ''|*[!0-9]*) return 0 ;; esac
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 0
    echo "$pid ${exe% (deleted)}"
}

# daemon_pid PIDFILE NAME: the pid in PIDFILE if that process runs this
# build's daemon NAME (build/prefix/sbin/NAME; pids get reused), else
# nothing.
daemon_pid() {
    local pid exe
    read -r pid exe < <(pid_exe "$1") || return 0
    [ "$exe" = "$(realpath -m "$PREFIX/sbin/$2")" ] && echo "$pid"
    return 0
}

# live_pids DIR: the pids in DIR/run/libvirt/*.pid whose process still runs
# a libvirt daemon (of any build).
live_pids() {
    local f pid exe
    for f in "$1"/run/libvirt/*.pid; do
        read -r pid exe < <(pid_exe "$f") || continue
        case ${exe##*/} in virt*d) echo "$pid" ;; esac
    done
}

# prepare_state DIR: make the state directory DIR (STATE or PEER_STATE) for
# this build, after checking its room for sockets.  One that another build
# left at the same path (a checkout removed and cloned again at its path;
# its .build names that build) is emptied first: its domains and volumes
# belong to no definition here.  Never emptied: a directory whose daemons
# still run, and one that no build of ours made (no .build) and that holds
# something; both are refused.
prepare_state() {
    local dir=$1 id owner pids
    check_socket_room "$dir" "the private libvirt's state"
    id=$(build_id)
    if [ -d "$dir" ]; then
        owner=$(cat "$dir/.build" 2>/dev/null) || owner=
        if [ -z "$owner" ] && [ -n "$(ls -A "$dir")" ]; then
            die "$dir holds files but no .build: it is no state directory of this project's, so it is left alone (SPM_STATE chooses another)"
        fi
        if [ -n "$owner" ] && [ "$owner" != "$id" ]; then
            pids=$(live_pids "$dir")
            [ -z "$pids" ] ||
                die "$dir belongs to another build, whose daemons still run (pids $(echo $pids)); stop them first"
            note "emptying $dir: an earlier build at $BUILD left it"
            rm -rf "$dir"
        fi
    fi
    mkdir -p "$dir/run/libvirt" "$dir/lib/libvirt" "$dir/log/libvirt" "$dir/cache/libvirt"
    chmod 755 "$dir"
    [ -s "$dir/.build" ] || echo "$id" >"$dir/.build"
}

# remove_state DIR: remove the state directory DIR if this build made it
# (its .build is ours); say so of one that another build made.
remove_state() {
    local dir=$1
    [ -e "$dir" ] || return 0
    if [ "$(cat "$dir/.build" 2>/dev/null)" = "$(build_id)" ]; then
        rm -rf "$dir"
        note "removed $dir"
    else
        note "left $dir: this build did not make it"
    fi
}
