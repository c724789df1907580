# SPDX-License-Identifier: GPL-2.0-or-later
"""What the benchmarks share: the QEMUs they compare, the guest's memory
configurations, interleaved repetitions and their medians.

The guests are the spm package's (spm.guest.Guest); bench/run runs the
benchmarks through tools/python, which puts the package on the path.  A
benchmark prints figures and ratios, it asserts nothing.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time

from spm import paths
from spm.guest import Guest, process_status
from spm.report import READY

BENCH_BUILD = os.path.join(paths.BUILD, "bench")
# the test guest's initramfs with spm-membw appended (bench/run makes it)
BENCH_INITRD = os.path.join(BENCH_BUILD, "initramfs.cpio.gz")

# Each QEMU with the name of its SPM device.
QEMUS = {"ours": (paths.QEMU, "spm-memory"), "stock": (paths.STOCK_QEMU, "sp-mem")}

# Room in device memory for the largest configuration; every guest of a
# comparison has the same -m, so that only the SPM differs.
MAXMEM_GIB = 2 + 64 + 8


def arguments(doc, reps, firmware=False):
    """An argument parser, described by the first line of DOC, with the
    options every benchmark has: --reps (REPS by default), --qemu and,
    with FIRMWARE, --firmware."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--reps", type=int, default=reps)
    ap.add_argument("--qemu", nargs="+", choices=list(QEMUS), default=list(QEMUS))
    if firmware:
        ap.add_argument("--firmware", nargs="+", choices=paths.FIRMWARES,
                        default=list(paths.FIRMWARES))
    return ap


def qemus(wanted):
    """The QEMUs of WANTED ('ours', 'stock') that can run here; a missing
    stock QEMU is reported and left out, not an error."""
    out = []
    for name in wanted:
        binary = QEMUS[name][0]
        if subprocess.run([binary, "-version"], capture_output=True).returncode == 0:
            out.append(name)
        else:
            print("# %s: %s does not run (tools/stock-qemu makes it); left out" % (name, binary))
    return out


def memory_args(qemu, spm_gib=(), maxmem_gib=MAXMEM_GIB):
    """QEMU arguments: node 0 with both CPUs and 2 GiB, node 1 with one SPM
    device of each size in SPM_GIB, untouched (reserve=off: the host need
    not have the memory), as QEMU's device (spm-memory or sp-mem)."""
    device = QEMUS[qemu][1]
    args = ["-m", "2G,slots=8,maxmem=%dG" % maxmem_gib, "-smp", "2",
            "-object", "memory-backend-ram,id=m0,size=2G",
            "-numa", "node,nodeid=0,cpus=0-1,memdev=m0", "-numa", "node,nodeid=1"]
    for i, gib in enumerate(spm_gib):
        args += ["-object", "memory-backend-ram,id=spm%dmem,size=%dG,reserve=off" % (i, gib),
                 "-device", "%s,id=spm%d,memdev=spm%dmem,node=1" % (device, i, i)]
    return args


def guest(qemu, qemu_args, **kwargs):
    """A spm.guest.Guest run by QEMU (a QEMUS name), not started yet."""
    g = Guest(qemu_args, **kwargs)
    g.cmdline[0] = QEMUS[qemu][0]
    return g


def peak_rss_kib(pid):
    """VmHWM of process PID, in KiB."""
    return process_status(pid, "VmHWM")


def cpu_seconds(pid):
    """The CPU time (user and system) process PID has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def boot_to_ready(qemu, qemu_args, firmware="seabios", timeout=600, **kwargs):
    """Boot a control-mode guest until /init is ready for commands.  Returns
    (seconds from QEMU's start to the guest's READY, the CPU seconds QEMU
    used until then, its peak RSS in KiB then) and powers the guest off.
    The CPU time is the steadier figure on a loaded machine: waiting for a
    core does not count."""
    with tempfile.TemporaryDirectory(prefix="spm-bench-") as wd, \
            guest(qemu, qemu_args, firmware=firmware, control=True, workdir=wd, **kwargs) as g:
        t0 = time.monotonic()
        g.start()
        g.wait_for(READY, timeout=timeout)
        seconds = time.monotonic() - t0
        cpu, rss = cpu_seconds(g.proc.pid), peak_rss_kib(g.proc.pid)
        g.send("poweroff -f")
        g.wait_exit(60)
    return seconds, cpu, rss


def interleaved(variants, reps, measure):
    """Call MEASURE(variant) for every variant in turn, REPS rounds (A B C A
    B C ...), so that the machine's load falls on all of them alike.
    Returns {variant: [result per round]}."""
    out = {v: [] for v in variants}
    for r in range(reps):
        for v in variants:
            out[v].append(measure(v))
    return out


def median(values):
    return statistics.median(values)


def ratio(values, base):
    """The median of the per-round ratios VALUES[i] / BASE[i]: each round's
    pair ran back to back, under the same load."""
    return statistics.median(v / b for v, b in zip(values, base))
