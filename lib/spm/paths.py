# SPDX-License-Identifier: GPL-2.0-or-later
"""Where the build puts what the tests run: lib/lib.sh's layout, read from
lib/lib.sh itself, the one statement of it."""

import os
import subprocess

LIB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB_SH = os.path.join(LIB, "lib.sh")


def _lib_sh(*names):
    """The values of the shell variables NAMES once lib/lib.sh is sourced
    (it honours SPM_BUILD and SPM_STATE)."""
    script = '. "$1"; shift; for v; do printf "%s\\0" "${!v}"; done'
    res = subprocess.run(["bash", "-c", script, "lib.sh", LIB_SH] + list(names),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if res.returncode != 0:
        raise RuntimeError("%s failed: %s" % (LIB_SH, res.stderr.decode().strip()))
    return res.stdout.decode().split("\0")[:-1]


(TOP, BUILD, PREFIX, DEBS, STATE, PEER_STATE, QEMU_USER, _SUN_PATH_MAX,
 _STATE_SOCKET_TAIL, GUEST_KERNEL, _GUEST_KERNELS, GUEST_DIR) = _lib_sh(
     "TOP", "BUILD", "PREFIX", "DEBS", "STATE", "PEER_STATE", "QEMU_USER", "SUN_PATH_MAX",
     "STATE_SOCKET_TAIL", "KERNEL", "GUEST_KERNELS", "GUEST_DIR")
# the guest kernels (KERNEL=6.12|7.2 in the environment chooses one) and
# the one chosen
GUEST_KERNELS = tuple(_GUEST_KERNELS.split())
# The most characters a UNIX socket path can have, and the most libvirt
# puts after its state directory in one.
SUN_PATH_MAX = int(_SUN_PATH_MAX)
STATE_SOCKET_TAIL = int(_STATE_SOCKET_TAIL)
# the private libvirt's daemon sockets, host A's and host B's (tools/libvirt-pair)
LIBVIRT_RUN = os.path.join(STATE, "run", "libvirt")
PEER_RUN = os.path.join(PEER_STATE, "run", "libvirt")
LIBVIRT_LOGS = os.path.join(STATE, "log", "libvirt")
# SPM_QEMU runs another build of QEMU (a work tree's, say) with the same data.
QEMU = os.environ.get("SPM_QEMU", os.path.join(PREFIX, "bin", "qemu-system-x86_64"))
QEMU_DATA = os.path.join(PREFIX, "share", "qemu")
# our SeaBIOS, QEMU's default BIOS (a <loader type='rom'> for another QEMU)
SEABIOS = os.path.join(QEMU_DATA, "bios-256k.bin")


def guest_files(kernel):
    """(vmlinuz, initramfs) of the test guest of KERNEL, one of
    GUEST_KERNELS (tools/build-initramfs makes them with that KERNEL)."""
    if kernel not in GUEST_KERNELS:
        raise ValueError("no guest kernel %s (one of %s)" % (kernel, ", ".join(GUEST_KERNELS)))
    d = os.path.join(os.path.dirname(GUEST_DIR), kernel)
    return os.path.join(d, "vmlinuz"), os.path.join(d, "initramfs.cpio.gz")


# the test guest of GUEST_KERNEL, the one chosen
KERNEL, INITRD = guest_files(GUEST_KERNEL)
OVMF_DIR = os.path.join(DEBS, "ovmf-generic", "usr", "share", "OVMF")
FIRMWARES = ("seabios", "ovmf")
# the stock QEMU of tools/stock-qemu (Debian sid's, with upstream's sp-mem)
STOCK_TOOL = os.path.join(TOP, "tools", "stock-qemu")
STOCK_QEMU = os.path.join(BUILD, "stock-qemu", "qemu-system-x86_64")

GiB = 1 << 30
MiB = 1 << 20

# The guest's kernel command line (guest/init reads the spm.* options).
KARGS = "console=ttyS0 quiet panic=-1 log_buf_len=4M"


def kernel_args(online=False, control=False, append=""):
    """KARGS with spm.online=1 (ONLINE: kmem onlines the dax devices),
    spm.control=1 (CONTROL: the guest runs commands from its second serial
    port after its first report) and APPEND."""
    return " ".join([KARGS] + (["spm.online=1"] if online else [])
                    + (["spm.control=1"] if control else []) + ([append] if append else []))


def check_socket_path(path, what="a socket"):
    """PATH, if it fits into a UNIX socket path; otherwise ValueError naming
    it, its length and the limit (a long TMPDIR, say)."""
    if len(path) > SUN_PATH_MAX:
        raise ValueError("%s at %s: the path has %d characters, more than the %d of a "
                         "UNIX socket path (choose a shorter TMPDIR)"
                         % (what, path, len(path), SUN_PATH_MAX))
    return path
