# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot time and QEMU's peak RSS with untouched SPM, against the same guest
without SPM, on our QEMU (spm-memory) and the stock one (sp-mem).

usage: bench/run boot [--reps N] [--firmware seabios|ovmf ...] [--qemu ours|stock ...]

Boot time: from QEMU's start to the guest's /init being ready (after
spm-probe's report); CPU: the CPU time QEMU used until then (steadier than
the wall clock on a loaded machine); peak RSS: QEMU's VmHWM then.  Every configuration of
every QEMU boots once per round, in turn; the ratios are medians of the
per-round ratios to that round's guest without SPM on the same QEMU.
"""


import benchlib

# name: sizes in GiB of the SPM devices on node 1
CONFIGS = {"none": (), "8G": (8,), "64G": (64,), "8x1G": (1,) * 8}


def main():
    args = benchlib.arguments(__doc__, reps=3, firmware=True).parse_args()
    qemus = benchlib.qemus(args.qemu)
    for fw in args.firmware:
        variants = [(q, c) for q in qemus for c in CONFIGS]

        def measure(v):
            return benchlib.boot_to_ready(v[0], benchlib.memory_args(v[0], CONFIGS[v[1]]),
                                          firmware=fw)

        res = benchlib.interleaved(variants, args.reps, measure)
        print("boot, %s, %d rounds (median; ratios to 'none' on the same QEMU)"
              % (fw, args.reps))
        print("%-6s %-5s %8s %7s %8s %7s %9s %7s" % ("qemu", "spm", "boot s", "ratio",
                                                   "CPU s", "ratio", "RSS MiB", "ratio"))
        for q, c in variants:
            row = "%-6s %-5s" % (q, c)
            for i, scale in ((0, 1), (1, 1), (2, 1024)):
                values = [r[i] for r in res[q, c]]
                row += " %8.2f %7.3f" % (benchlib.median(values) / scale,
                                         benchlib.ratio(values, [r[i] for r in res[q, "none"]]))
            print(row, flush=True)
        print()


if __name__ == "__main__":
    main()
