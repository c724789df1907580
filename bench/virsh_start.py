# SPDX-License-Identifier: GPL-2.0-or-later
"""virsh start of an SPM domain against the same domain with a DIMM.

usage: bench/run virsh-start [--reps N] [--mib MIB] [--qemu ours|stock ...]

Each domain (q35, SeaBIOS, node 1 memory-only with one <memory> device of
MIB MiB, model spm or dimm) is defined once and started once untimed
(libvirt probes a new emulator's capabilities then).  Then every domain is
started with 'virsh start' and destroyed, in turn, REPS rounds; the ratio
is the median of the per-round ratios spm / dimm on the same QEMU.
bench/run holds the private daemon's lock meanwhile.
"""

import os
import shutil
import time
import xml.etree.ElementTree as ET

import benchlib
from spm import domainxml, libvirt
from spm.paths import QEMU_DATA
from spmtest.daemon import DAEMON

PREFIX = "bench-start-"


def domain(name, qemu, model, mib):
    """Define domain NAME; returns its scratch directory."""
    wd = libvirt.scratch_dir(prefix=PREFIX)
    device = (domainxml.spm_xml if model == "spm" else domainxml.dimm_xml)(mib, 1)
    root = ET.fromstring(domainxml.domain_xml(name, wd, device))
    root.find("devices/emulator").text = benchlib.QEMUS[qemu][0]
    if qemu == "stock":
        # the stock QEMU under libvirt looks for its firmware in sid's root,
        # which has none: our SeaBIOS, as tests/system's stock domains
        os_elem = root.find("os")
        loader = ET.Element("loader", type="rom")
        loader.text = os.path.join(QEMU_DATA, "bios-256k.bin")
        os_elem.insert(list(os_elem).index(os_elem.find("type")) + 1, loader)
    path = "%s/%s.xml" % (wd, name)
    ET.ElementTree(root).write(path)
    libvirt.virsh("define", path)
    return wd


def start(name):
    t0 = time.monotonic()
    libvirt.virsh("start", name)
    seconds = time.monotonic() - t0
    libvirt.virsh("destroy", name)
    return seconds


def main():
    ap = benchlib.arguments(__doc__, reps=5)
    ap.add_argument("--mib", type=int, default=1024)
    args = ap.parse_args()
    variants = [(q, m) for q in benchlib.qemus(args.qemu) for m in ("spm", "dimm")]
    names = {v: PREFIX + "-".join(v) for v in variants}
    daemon = DAEMON
    daemon.up()
    dirs = []
    try:
        for v in variants:
            dirs.append(domain(names[v], v[0], v[1], args.mib))
            start(names[v])
        res = benchlib.interleaved(variants, args.reps, lambda v: start(names[v]))
    finally:
        daemon.down(PREFIX)
        for wd in dirs:
            shutil.rmtree(wd, ignore_errors=True)
    print("virsh start: %d MiB on node 1, %d rounds (median s; ratio spm / dimm)"
          % (args.mib, args.reps))
    print("%-6s %8s %8s %7s" % ("qemu", "spm", "dimm", "ratio"))
    for q in dict.fromkeys(q for q, _ in variants):
        spm, dimm = res[q, "spm"], res[q, "dimm"]
        print("%-6s %8.3f %8.3f %7.3f" % (q, benchlib.median(spm), benchlib.median(dimm),
                                          benchlib.ratio(spm, dimm)))
    print()


if __name__ == "__main__":
    main()
