# SPDX-License-Identifier: GPL-2.0-or-later
"""64 GiB of untouched SPM on both guest kernels (6.12 and 7.2): the boot
until the dax device exists, and the time and the guest memory that
onlining all of it with kmem takes, against the same guest without SPM.

usage: bench/run kernels [--reps N] [--firmware seabios|ovmf ...] [--spm GIB]

Guests: our QEMU, 2 vCPUs, 2 GiB of RAM on node 0, the SPM on node 1
(reserve=off), each kernel's test guest (build/guest/KERNEL).  Variants,
in turn each round:
  none   no SPM
  spm    the SPM, onlined with Debian's daxctl in its two steps (below;
         the kernel's policy set to leave hot-added memory offline,
         memhp_default_state=offline, so that daxctl onlines it, movable)
  spm+mom  the same with the memory map of the onlined memory on that
         memory itself: memory_hotplug.memmap_on_memory=1 on the kernel
         command line and 1 written to the device's memmap_on_memory
         before daxctl binds it to kmem
Figures (medians of the rounds):
  to dax   seconds from QEMU's start until the console shows the guest's
           report up to its dax devices (its first "node phase=boot"
           line: by then dax_hmem made every dax device)
  add s    seconds the guest's `daxctl reconfigure-device --mode=system-ram
           --no-online all` took (kmem adds the memory: memory blocks, and
           their memory map allocated), by the guest's /proc/uptime
  online s seconds `daxctl online-memory all` then took (every block
           onlined movable: its struct pages initialised, its pages given
           to the page allocator)
  add MiB  MiB of node 0's free memory that adding took: the memory map
           of all the added memory, unless it sits on that memory
  onl. MiB the same for onlining
  node1 MiB   node 1's MemTotal once onlined (the SPM less what holds its
           own memory map)
"""

import os
import re
import tempfile
import time

import benchlib
from spm import paths
from spm.daxctl import run_in_guest
from spm.report import READY

VARIANTS = ("none", "spm", "spm+mom")
OFFLINE_POLICY = "memhp_default_state=offline"
MOM = "memory_hotplug.memmap_on_memory=1"
# the line of the report that follows the dax lines
AFTER_DAX = "node phase=boot"


def node_meminfo(g, name, node):
    """{field: KiB} of the guest's /sys/devices/system/node/nodeNODE/meminfo."""
    status, out = run_in_guest(g, name, "cat /sys/devices/system/node/node%d/meminfo" % node)
    if status != 0:
        return {}
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"Node \d+ (\w+):\s+(\d+) kB", out)}


def measure(kernel, variant, firmware, spm_gib):
    """(seconds to dax, seconds to add, node 0 MiB the adding used, seconds
    to online, node 0 MiB the onlining used, node 1 MiB) of one guest;
    only the first without SPM."""
    vmlinuz, initrd = paths.guest_files(kernel)
    args = benchlib.memory_args("ours", (spm_gib,) if variant != "none" else (),
                                maxmem_gib=2 + spm_gib + 2)
    args += ["-kernel", vmlinuz, "-initrd", initrd]
    append = OFFLINE_POLICY + (" " + MOM if variant == "spm+mom" else "")
    with tempfile.TemporaryDirectory(prefix="spm-bench-") as wd, \
            benchlib.guest("ours", args, firmware=firmware, control=True, append=append,
                           workdir=wd) as g:
        t0 = time.monotonic()
        g.start()
        g.wait_until(lambda: AFTER_DAX in g.console_text(), AFTER_DAX, timeout=600,
                     interval=0.02)
        to_dax = time.monotonic() - t0
        g.wait_for(READY, timeout=600)
        if variant == "none":
            g.send("poweroff -f")
            g.wait_exit(60)
            return (to_dax,)
        # daxctl's first run in a guest takes seconds of TCG translating
        # its code and libraries; a first run (list) keeps that out of the
        # figures
        run_in_guest(g, "warm", "sh -c 'daxctl list -D >/dev/null'")
        before = node_meminfo(g, "before", 0)
        if variant == "spm+mom":
            run_in_guest(g, "mom", "sh -c 'echo 1 > /sys/bus/dax/devices/dax0.0/memmap_on_memory'")
        # The two steps of daxctl's system-ram mode, each timed by the
        # guest's clock: kmem adds the memory (its memory blocks, their
        # memory map allocated), then the blocks are onlined (the struct
        # pages initialised, the pages freed to the allocator).
        add = timed(g, "add", "daxctl reconfigure-device --mode=system-ram --no-online all")
        added = node_meminfo(g, "added", 0)
        online = timed(g, "online", "daxctl online-memory all")
        onlined, node1 = node_meminfo(g, "onlined", 0), node_meminfo(g, "node1", 1)
        g.send("poweroff -f")
        g.wait_exit(60)
    return (to_dax, add, (before["MemFree"] - added["MemFree"]) / 1024,
            online, (added["MemFree"] - onlined["MemFree"]) / 1024, node1["MemTotal"] / 1024)


def timed(g, name, command):
    """Seconds the guest's COMMAND took by its own clock (/proc/uptime);
    RuntimeError if it failed."""
    status, out = run_in_guest(
        g, name, "sh -c 'read a b < /proc/uptime; %s >/dev/null 2>&1; r=$?; "
        "read c d < /proc/uptime; echo \"uptime $a $c rc $r\"'" % command, timeout=1200)
    m = re.search(r"uptime ([\d.]+) ([\d.]+) rc (\d+)", out)
    if status != 0 or not m or m.group(3) != "0":
        raise RuntimeError("%s failed in the guest: %s" % (command, out))
    return float(m.group(2)) - float(m.group(1))


def main():
    ap = benchlib.arguments(__doc__, reps=3, firmware=True)
    ap.add_argument("--spm", type=int, default=64, help="GiB of SPM (default 64)")
    args = ap.parse_args()
    for k in paths.GUEST_KERNELS:
        for f in paths.guest_files(k):
            if not os.path.exists(f):
                raise SystemExit("bench kernels: %s is missing (bench/run builds it)" % f)
    for fw in args.firmware:
        variants = [(k, v) for k in paths.GUEST_KERNELS for v in VARIANTS]
        res = benchlib.interleaved(variants, args.reps,
                                   lambda v: measure(v[0], v[1], fw, args.spm))
        print("kernels, %s, %d GiB of SPM, %d rounds (median; ratio to 'none' on the "
              "same kernel)" % (fw, args.spm, args.reps))
        print("%-7s %-8s %8s %7s %7s %8s %8s %8s %9s" % (
            "kernel", "spm", "to dax s", "ratio", "add s", "add MiB", "online s",
            "onl. MiB", "node1 MiB"))
        for k, v in variants:
            runs = res[k, v]
            row = "%-7s %-8s %8.2f %7.3f" % (
                k, v, benchlib.median([r[0] for r in runs]),
                benchlib.ratio([r[0] for r in runs], [r[0] for r in res[k, "none"]]))
            if v == "none":
                row += " %7s %8s %8s %8s %9s" % ("-", "-", "-", "-", "-")
            else:
                row += " %7.2f %8.0f %8.2f %8.0f %9.0f" % tuple(
                    benchlib.median([r[i] for r in runs]) for i in (1, 2, 3, 4, 5))
            print(row, flush=True)
        print()


if __name__ == "__main__":
    main()
