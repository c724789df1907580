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

# pin_field NAME FIELD: print FIELD (version|file|suite|kind) of the first
# pins line for package NAME.
pin_field() {
    local name=$1 field=$2
    awk -v n="$name" -v f="$field" '
        /^#/ || NF < 6 { next }
        $3 == n {
            if (f == "kind") print $1; else if (f == "suite") print $2;
            else if (f == "version") print $4; else if (f == "file") print $5;
            exit
        }' "$TOP/pins"
}

# pin_files NAME: every file pinned for package NAME.
pin_files() {
    awk -v n="$1" '!/^#/ && NF >= 6 && $3 == n { print $5 }' "$TOP/pins"
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
