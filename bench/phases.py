# SPDX-License-Identifier: GPL-2.0-or-later
"""Where the boot time that SPM adds goes: the boot of bench/boot split
into phases by host-side timestamps of console lines.

usage: bench/run phases [--reps N] [--spm GIB] [--firmware ...] [--qemu ...]

The guest boots with its kernel messages on the serial console (loglevel=8,
earlyprintk) and, on SeaBIOS, SeaBIOS's debug output on the debugcon port;
a thread notes when each line appears.  The phases end at
  qemu      QEMU answers QMP and the guest is let run
  seabios   SeaBIOS boots the kernel ("Booting from ROM"; SeaBIOS only)
  kernel    the kernel's first line ("Linux version"): the firmware and
            the kernel's load and decompression before it
  setup     "Built 1 zonelists": setup_arch() and the rest of early boot
  memmap    "SLUB:": mm_core_init()'s mem_init(), where memblock_free_all()
            initialises the struct pages of the memblock-reserved ranges
  init      "Run /init": the rest of the kernel
  probe     the guest's /init and spm-probe until it powers off
Each is printed as seconds since the previous one, the median of REPS
boots, for the guest with no SPM and with SPM GIB GiB, and their difference.
"""

import os
import tempfile
import threading
import time

import benchlib

# (phase, file, marker): the phase ends when MARKER appears in FILE
PHASES = (("seabios", "debugcon", "Booting from ROM"),
          ("kernel", "console", "Linux version"),
          ("setup", "console", "Built 1 zonelists"),
          ("memmap", "console", "SLUB:"),
          ("init", "console", "Run /init"),
          ("probe", "console", "@@SPM-GUEST DONE@@"))


class Stamper(threading.Thread):
    """Notes the time (since T0) at which each marker first appears in its
    growing file."""

    def __init__(self, files, t0):
        super().__init__(daemon=True)
        self.files, self.t0 = files, t0
        self.seen = {}
        self.done = threading.Event()

    def run(self):
        pos = {f: 0 for f in self.files.values()}
        text = {f: "" for f in self.files.values()}
        while True:
            # the last pass reads what was written until done was set
            last = self.done.is_set()
            now = time.monotonic() - self.t0
            for path in pos:
                try:
                    with open(path, errors="replace") as f:
                        f.seek(pos[path])
                        new = f.read()
                except OSError:
                    continue
                pos[path] += len(new.encode())
                text[path] += new
            for phase, which, marker in PHASES:
                if phase not in self.seen and which in self.files \
                        and marker in text[self.files[which]]:
                    self.seen[phase] = now
            if last:
                return
            time.sleep(0.005)


def boot(qemu, spm_gib, firmware):
    """{phase: seconds since QEMU's start at its end}."""
    args = benchlib.memory_args(qemu, (spm_gib,) if spm_gib else ())
    with tempfile.TemporaryDirectory(prefix="spm-bench-") as wd:
        files = {"console": os.path.join(wd, "guest.console")}
        if firmware == "seabios":
            files["debugcon"] = os.path.join(wd, "debugcon")
            args += ["-chardev", "file,id=dbg,path=" + files["debugcon"],
                     "-device", "isa-debugcon,iobase=0x402,chardev=dbg"]
        with benchlib.guest(qemu, args, firmware=firmware, workdir=wd,
                            append="loglevel=8 earlyprintk=serial,ttyS0,115200") as g:
            t0 = time.monotonic()
            stamper = Stamper(files, t0)
            stamper.start()
            g.start()
            seen = {"qemu": time.monotonic() - t0}
            g.wait_exit(600)
            stamper.done.set()
            stamper.join()
    seen.update(stamper.seen)
    return seen


def main():
    ap = benchlib.arguments(__doc__, reps=2, firmware=True)
    ap.add_argument("--spm", type=int, default=64)
    args = ap.parse_args()
    qemus = benchlib.qemus(args.qemu)
    for fw in args.firmware:
        names = ["qemu"] + [p for p, which, _ in PHASES if fw == "seabios" or which != "debugcon"]
        variants = [(q, s) for q in qemus for s in (0, args.spm)]
        res = benchlib.interleaved(variants, args.reps, lambda v: boot(v[0], v[1], fw))
        print("phases, %s, %d rounds (median s of each phase; +: %d GiB SPM minus none)"
              % (fw, args.reps, args.spm))
        print("%-6s %-5s" % ("qemu", "spm") + "".join("%9s" % n for n in names) + "%9s" % "total")
        for q in qemus:
            med = {}
            for s in (0, args.spm):
                # each phase from its own start, per boot, then the median
                med[s] = [benchlib.median(b[n] - (b[names[i - 1]] if i else 0) for b in res[q, s])
                          for i, n in enumerate(names)]
                med[s].append(benchlib.median(b[names[-1]] for b in res[q, s]))
                print("%-6s %-5s" % (q, "%dG" % s) + "".join("%9.2f" % x for x in med[s]))
            print("%-6s %-5s" % (q, "+") + "".join("%+9.2f" % (a - b) for a, b in
                                                   zip(med[args.spm], med[0])), flush=True)
        print()


if __name__ == "__main__":
    main()
