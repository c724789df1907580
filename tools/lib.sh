# Shared helpers for the project's tools; source it, do not run it.
# shellcheck shell=bash

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${SPM_BUILD:-$TOP/build}
DOWNLOADS=$BUILD/downloads
SRC=$BUILD/src
OBJ=$BUILD/obj
PREFIX=$BUILD/prefix
DEBS=$BUILD/debs
APT_DIR=$BUILD/apt
# ccache keeps its own default directory, shared by every checkout here;
# paths below the checkout are hashed relative to it, so that another clone
# (CI's, say) finds the same objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$TOP}

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

# unpack_deb PACKAGE: unpack the pinned .deb of PACKAGE into
# build/debs/PACKAGE (once per pinned file) and print that directory.
unpack_deb() {
    local pkg=$1 file dest
    file=$(pin_files "$pkg" | grep '\.deb$' | head -n 1)
    [ -n "$file" ] || die "pins has no .deb for $pkg"
    dest=$DEBS/$pkg
    if [ "$(cat "$dest/.unpacked" 2>/dev/null)" != "$file" ]; then
        [ -f "$DOWNLOADS/$file" ] || "$TOP/tools/fetch"
        rm -rf "$dest"
        mkdir -p "$dest"
        dpkg-deb -x "$DOWNLOADS/$file" "$dest" || die "dpkg-deb could not unpack $file"
        echo "$file" > "$dest/.unpacked"
    fi
    echo "$dest"
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
