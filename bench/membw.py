# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest memcpy bandwidth of onlined SPM against boot RAM.

usage: bench/run membw [--reps N] [--mib MIB] [--rounds R] [--qemu ours|stock ...]

The guest has 2 GiB of RAM on node 0 and a 1 GiB SPM device on node 1,
which kmem onlines as System RAM at boot (spm.online=1).  spm-membw
(bench/guest/membw.c, appended to the guest's initramfs by bench/run)
then copies MIB MiB R times bound to node 0, and to node 1, REPS pairs,
alternating which comes first; the ratio is the median of the per-pair
ratios node 1 / node 0.
"""

import re
import tempfile

import benchlib
from spm.report import READY


def measure(qemu, reps, mib, rounds):
    """Per-node lists of MiB/s in one guest run by QEMU."""
    # RAM first, then SPM first, and so on: neither gains from its place.
    runs = " ".join("spm-membw %d %d %d;" % (node, mib, rounds)
                    for r in range(reps) for node in ((0, 1) if r % 2 == 0 else (1, 0)))
    args = benchlib.memory_args(qemu, (1,)) + ["-initrd", benchlib.BENCH_INITRD]
    with tempfile.TemporaryDirectory(prefix="spm-bench-") as wd, \
            benchlib.guest(qemu, args, online=True, control=True, workdir=wd) as g:
        g.start()
        g.wait_for(READY)
        g.send(runs)
        g.wait_for("mib_per_s=", count=2 * reps, timeout=600)
        text = g.console_text()
        online = g.reports()[0]["online"]
        g.send("poweroff -f")
        g.wait_exit(60)
    if not online or any(e["result"] != "ok" for e in online):
        raise SystemExit("membw: the guest did not online its SPM: %s" % online)
    out = {0: [], 1: []}
    for node, value in re.findall(r"spm-membw node=(\d) .*mib_per_s=(\d+)", text):
        out[int(node)].append(int(value))
    return out


def main():
    ap = benchlib.arguments(__doc__, reps=5)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=8)
    args = ap.parse_args()
    print("membw: guest memcpy of %d MiB x %d, %d pairs (median MiB/s; ratio SPM / RAM)"
          % (args.mib, args.rounds, args.reps))
    print("%-6s %12s %12s %7s" % ("qemu", "RAM node 0", "SPM node 1", "ratio"))
    for q in benchlib.qemus(args.qemu):
        bw = measure(q, args.reps, args.mib, args.rounds)
        print("%-6s %12d %12d %7.3f" % (q, benchlib.median(bw[0]), benchlib.median(bw[1]),
                                        benchlib.ratio(bw[1], bw[0])), flush=True)
    print()


if __name__ == "__main__":
    main()
