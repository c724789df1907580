# SPDX-License-Identifier: GPL-2.0-or-later
"""Where the build puts what the tests run (tools/lib.sh's layout)."""

import os

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BUILD = os.environ.get("SPM_BUILD", os.path.join(TOP, "build"))
PREFIX = os.path.join(BUILD, "prefix")
# SPM_QEMU runs another build of QEMU (a work tree's, say) with the same data.
QEMU = os.environ.get("SPM_QEMU", os.path.join(PREFIX, "bin", "qemu-system-x86_64"))
QEMU_DATA = os.path.join(PREFIX, "share", "qemu")
KERNEL = os.path.join(BUILD, "guest", "vmlinuz")
INITRD = os.path.join(BUILD, "guest", "initramfs.cpio.gz")
OVMF_DIR = os.path.join(BUILD, "debs", "ovmf-generic", "usr", "share", "OVMF")
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
