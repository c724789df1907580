# SPDX-License-Identifier: GPL-2.0-or-later
"""spm-memory guests started by plain QEMU, on SeaBIOS and on OVMF.

Every assertion is on what the guest itself reports (spm-probe), compared
with where QEMU says it put each device (query-memory-devices).
"""

import os
import re
import shutil
import subprocess
import time
import unittest

from spm.check import check_dimms, check_spm, contains, spm_devices
from spm.guest import Guest, qemu_user, run
from spm.paths import FIRMWARES, QEMU, QEMU_DATA, GiB
from spm.report import END, READY, memdev_range
from spmtest.case import TestCase, add_tests

ORDER = 30


def numa(*nodes, ram="2G", mem="slots=4,maxmem=16G", backend=""):
    """Node 0 with both CPUs and RAM, then memory-only nodes 1..N."""
    args = ["-m", "%s,%s" % (ram, mem) if mem else ram, "-smp", "2",
            "-object", "memory-backend-ram,id=ram0,size=%s%s" % (ram, backend),
            "-numa", "node,nodeid=0,cpus=0-1,memdev=ram0"]
    for n in range(1, nodes[0] + 1):
        args += ["-numa", "node,nodeid=%d" % n]
    return args


def spm(i, size, node, backend="memory-backend-ram", extra=""):
    return ["-object", "%s,id=spm%dmem,size=%s%s" % (backend, i, size, extra),
            "-device", "spm-memory,id=spm%d,memdev=spm%dmem,node=%d" % (i, i, node)]


def dimm(i, size, node):
    return ["-object", "memory-backend-ram,id=dimm%dmem,size=%s" % (i, size),
            "-device", "pc-dimm,id=dimm%d,memdev=dimm%dmem,node=%d" % (i, i, node)]


def scenarios(shm_file):
    """{name: (QEMU arguments, the node of each SPM device)}; SHM_FILE is
    the file of the file backend."""
    return {
        "single": (numa(1) + spm(0, "1G", 1), [1]),
        "multiple": (numa(2) + spm(0, "512M", 2) + spm(1, "256M", 1) + spm(2, "384M", 2),
                     [2, 1, 2]),
        "mixed": (numa(2) + spm(0, "512M", 1) + dimm(0, "512M", 2), [1]),
        # Two 1 GiB devices, each on a 1 GiB boundary and apart, fill 3 GiB
        # of device memory exactly.
        "fit": (numa(2, mem="maxmem=5G") + spm(0, "1G", 1) + spm(1, "1G", 2), [1, 2]),
        "backends": (numa(2)
                     + spm(0, "512M", 1, "memory-backend-file",
                           ",mem-path=%s,share=on" % shm_file)
                     + spm(1, "256M", 2, "memory-backend-memfd"),
                     [1, 2]),
    }


SCENARIOS = list(scenarios(None))


class SpmQemu(TestCase):
    def boot(self, name, firmware, machine="q35"):
        args, nodes = scenarios(self.shm_file("backend"))[name]
        res = run(args, firmware=firmware, machine=machine, online=True,
                  workdir=self.workdir)
        check_spm(self, res.memdevs, res.report, nodes)
        check_dimms(self, res.memdevs, res.report)


add_tests(SpmQemu, "boot", [("%s_q35_%s" % (name, fw), (name, fw))
                            for name in SCENARIOS for fw in FIRMWARES]
          + [("single_pc_%s" % fw, ("single", fw, "pc")) for fw in FIRMWARES])


# A guest with 66 GiB of RAM: Linux uses memory blocks of 2 GiB, and kmem
# onlines whole, aligned blocks only.  Backends reserve no host memory.
NORESERVE = ",reserve=off"
LARGE = (numa(3, ram="66G", mem="maxmem=80G", backend=NORESERVE)
         + spm(0, "2G", 1, extra=NORESERVE) + spm(1, "4G", 2, extra=NORESERVE)
         + spm(2, "2G", 3, extra=NORESERVE))


class SpmQemuLarge(TestCase):
    def large(self, firmware):
        """All of 2, 4 and 2 GiB of SPM on nodes 1, 2, 3 of a 66 GiB guest
        becomes System RAM of its node."""
        with Guest(LARGE, firmware=firmware, online=True, control=True,
                   workdir=self.workdir) as g:
            g.start()
            g.wait_for(READY)
            g.send("echo block_size_bytes=$(cat /sys/devices/system/memory/block_size_bytes);"
                   " poweroff -f")
            g.wait_exit(timeout=300)
            rep = g.reports()[0]
            block = re.findall(r"^block_size_bytes=([0-9a-f]+)\s*$", g.console_text(), re.M)
        self.assertEqual(block, ["80000000"], "the guest's memory block is not 2 GiB")
        for d in spm_devices(g.memdevs):
            self.assertEqual(d["data"]["memaddr"] % (2 * GiB), 0,
                             "%s is not on a 2 GiB boundary" % d["data"]["id"])
        check_spm(self, g.memdevs, rep, [1, 2, 3])



add_tests(SpmQemuLarge, "large", (("large_" + fw, (fw,)) for fw in FIRMWARES))


# Configurations QEMU must refuse with exit status 1 and a message naming
# the problem: never a crash, never a guest that runs without its SPM.
BACKEND = ["-object", "memory-backend-ram,id=m0,size=1G"]
DEVICE = ["-device", "spm-memory,id=spm0,memdev=m0"]
REFUSALS = {
    "machine-none": (["-machine", "none"] + BACKEND + DEVICE,
                     "machine type 'none' does not support 'spm-memory'"),
    "machine-microvm": (["-machine", "microvm", "-m", "256M,maxmem=4G"] + BACKEND + DEVICE,
                        "machine type 'microvm' does not support 'spm-memory'"),
    "machine-isapc": (["-machine", "isapc", "-m", "256M"] + BACKEND + DEVICE,
                      "'spm-memory' needs ACPI, which machine type 'isapc' does not have"),
    "acpi-off": (["-machine", "q35,acpi=off"] + numa(1) + BACKEND + DEVICE,
                 "'spm-memory' needs ACPI, which is disabled"),
    "no-numa": (["-machine", "pc-q35-5.0", "-m", "2G,maxmem=4G"] + BACKEND + DEVICE,
                "'spm-memory' needs NUMA nodes: define them with -numa"),
    "no-device-memory": (["-machine", "q35"] + numa(1, mem="") + BACKEND + DEVICE,
                         "consider specifying the maxmem option"),
    # 2 GiB of device memory hold two 1 GiB DIMMs, not two 1 GiB SPM ranges
    # that must not touch.
    "exact-fit": (["-machine", "q35"] + numa(2, mem="maxmem=4G") + spm(0, "1G", 1)
                  + spm(1, "1G", 2),
                  "-device spm-memory,id=spm1,memdev=spm1mem,node=2: device memory is"
                  " too small for 1 GiB of SPM on a 1 GiB boundary, apart from other"
                  " SPM ranges: it lacks 0x40000000 bytes (1 GiB); raise maxmem by at"
                  " least that much"),
}


def check_refused(tc, cmd, message):
    """QEMU command CMD exits with status 1 and MESSAGE on stderr."""
    try:
        res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, timeout=60)
    except subprocess.TimeoutExpired:
        tc.fail("QEMU accepted the configuration and kept running: %s" % cmd)
    tc.assertEqual(res.returncode, 1, "QEMU exited with %d: %s" % (res.returncode, res.stderr))
    tc.assertIn(message, res.stderr)


class SpmQemuRefusals(TestCase):
    def refuse(self, name):
        args, message = REFUSALS[name]
        check_refused(self, [QEMU, "-L", QEMU_DATA, "-accel", "tcg",
                             "-nodefaults", "-display", "none", "-S"] + args, message)


add_tests(SpmQemuRefusals, "refuse", ((name, (name,)) for name in REFUSALS))


class SpmQemuRuntime(TestCase):
    def hot_add(self, firmware):
        """A pc-dimm added at runtime beside SPM comes online on its node."""
        args = numa(2) + spm(0, "512M", 1)
        with Guest(args, firmware=firmware, control=True, workdir=self.workdir) as g:
            g.start()
            g.wait_for(READY)
            g.qmp.command("object-add", **{"qom-type": "memory-backend-ram",
                                           "id": "hot0mem", "size": 512 << 20})
            g.qmp.command("device_add", driver="pc-dimm", id="hot0",
                          memdev="hot0mem", node=2)
            memdevs = g.qmp.command("query-memory-devices")
            # Wait (in the guest) until ACPI hotplug gave node 2 memory.
            g.send("i=0; while [ $i -lt 300 ] && ! ls /sys/devices/system/node/node2 "
                   "| grep -q '^memory[0-9]'; do sleep 0.1; i=$((i+1)); done; "
                   "/bin/spm-probe; poweroff -f")
            g.wait_exit(timeout=300)
            first, rep = g.reports()
        check_spm(self, memdevs, first, [1], online=False)
        hot = [d for d in memdevs if d["data"].get("id") == "hot0"]
        self.assertEqual(len(hot), 1)
        s, e = memdev_range(hot[0])
        self.assertFalse(contains(first.iomem("System RAM"), s, e))
        self.assertTrue(contains(rep.iomem("System RAM"), s, e),
                        "hot-added DIMM is not System RAM")
        self.assertTrue(contains(rep.node_ranges(2), s, e),
                        "hot-added DIMM is not online memory of node 2: %s"
                        % rep["noderange"])
        # The SPM is still where it was, untouched.
        self.assertEqual(rep.soft_reserved(), first.soft_reserved())

    def migrate(self, firmware):
        """Data the guest wrote into SPM survives a migration.  A destination
        whose device has another node or address refuses the stream; a live
        migration to one fails at its start, before the guest's memory is
        sent, and the source guest runs on with its data."""
        args = numa(2) + spm(0, "512M", 1)
        workdir = self.workdir
        stream = os.path.join(workdir, "stream")
        with Guest(args, firmware=firmware, control=True,
                   workdir=workdir, name="source") as src:
            src.start()
            src.wait_for(READY)
            src.send("/bin/spm-probe --pattern=write:7")
            src.wait_for(END, count=2)
            addr = memdev_range(spm_devices(src.memdevs)[0])[0]
            wrong = wrong_destinations(addr)
            for what, (changed, message) in wrong.items():
                self.refused_live(src, firmware, what, changed, message)
            # The guest ran on, and its data with it.
            src.send("/bin/spm-probe --pattern=check:7")
            src.wait_for(END, count=3)
            src.qmp.command("migrate", uri="file:" + stream)
            deadline = time.monotonic() + 300
            while True:
                status = src.qmp.command("query-migrate").get("status")
                if status == "completed":
                    break
                self.assertNotIn(status, ("failed", "cancelled"), "migration " + status)
                self.assertLess(time.monotonic(), deadline, "migration did not complete")
                time.sleep(0.5)
            memdevs = src.memdevs
            written, after_refusals = src.reports()[1:3]
        with Guest(args, firmware=firmware, control=True, workdir=workdir,
                   name="dest", incoming="file:" + stream) as dst:
            dst.start()
            self.assertEqual(dst.memdevs, memdevs)
            # A check against another seed first: it must see the difference.
            dst.send("/bin/spm-probe --pattern=check:8; /bin/spm-probe --pattern=check:7; "
                     "poweroff -f")
            dst.wait_exit(timeout=300)
            other, checked = dst.reports()[-2:]
        for what, (changed, message) in wrong.items():
            g = Guest(changed, firmware=firmware, control=True, workdir=workdir,
                      name="wrong", incoming="file:" + stream)
            check_refused(self, g.cmdline, message)
        self.assertEqual(len(written["pattern"]), 1, written["pattern"])
        self.assertEqual(written["pattern"][0]["result"], "ok")
        self.assertEqual(after_refusals["pattern"][0]["result"], "ok",
                         "the pattern did not survive the refused migrations: %s"
                         % after_refusals["pattern"])
        self.assertEqual(other["pattern"][0]["result"], "mismatch", other["pattern"])
        self.assertEqual(len(checked["pattern"]), 1, checked["pattern"])
        self.assertEqual(checked["pattern"][0]["result"], "ok",
                         "the pattern did not survive migration: %s" % checked["pattern"])

    def refused_live(self, src, firmware, what, args, message):
        """Migrate SRC live to a destination started with ARGS, at a
        bandwidth at which its memory takes many seconds: the destination
        must refuse the stream with MESSAGE at its start, the migration
        fail on the source, the source guest keep running, and query-migrate
        must not have counted a tenth of its RAM as transferred."""
        sock = os.path.join(self.workdir, "live.mig")
        limit = src.qmp.command("query-migrate-parameters")["max-bandwidth"]
        with Guest(args, firmware=firmware, control=True, workdir=self.workdir,
                   name="wrong-live", incoming="unix:" + sock) as dst:
            dst.start()
            # QEMU makes the socket before it drops to its user: give it to
            # that user, as whom the source connects.
            shutil.chown(sock, qemu_user(), qemu_user())
            src.qmp.command("migrate-set-parameters", **{"max-bandwidth": LIVE_BANDWIDTH})
            start = time.monotonic()
            src.qmp.command("migrate", uri="unix:" + sock)
            seen = 0
            while True:
                info = src.qmp.command("query-migrate")
                status = info.get("status")
                if status not in ("setup", "active"):
                    break
                # query-migrate has no "ram" once the migration failed
                seen = max(seen, info.get("ram", {}).get("transferred", 0))
                self.assertLess(time.monotonic(), start + 300, "migration did not end")
                time.sleep(0.01)
            took = time.monotonic() - start
            running = src.qmp.command("query-status")
            try:
                dst.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.fail("the destination with another %s kept running" % what)
            with open(dst.stderr) as f:
                err = f.read()
        src.qmp.command("migrate-set-parameters", **{"max-bandwidth": limit})
        print("refused live migration, another %s: %s after %.2f s, %d bytes"
              " transferred before, source %s; guest RAM %d bytes"
              % (what, status, took, seen, running["status"], LIVE_RAM))
        self.assertEqual(status, "failed", info)
        self.assertEqual(running["status"], "running", running)
        self.assertTrue(running["running"], running)
        self.assertLess(seen, LIVE_RAM // 10)
        self.assertEqual(dst.proc.returncode, 1, err)
        self.assertIn(message, err)


# A live migration to a destination that must refuse it: the guest's RAM
# (numa()'s 2G) would take 32 s at this bandwidth.
LIVE_RAM = 2 * GiB
LIVE_BANDWIDTH = 64 * 2**20


def wrong_destinations(addr):
    """{what differs: (QEMU arguments, the destination's message)} for the
    destinations of migrate() that must refuse a stream from numa(2) +
    spm(0, "512M", 1) at ADDR."""
    backend = ["-object", "memory-backend-ram,id=spm0mem,size=512M"]
    return {
        "node": (numa(2) + backend + ["-device", "spm-memory,id=spm0,memdev=spm0mem,node=2"],
                 "spm-memory with RAM block 'spm0mem': 'node' is 1 on the source,"
                 " but 2 on the destination"),
        "addr": (numa(2) + backend
                 + ["-device", "spm-memory,id=spm0,memdev=spm0mem,node=1,addr=%#x"
                    % (addr + GiB)],
                 "spm-memory with RAM block 'spm0mem': 'addr' is %#x on the source,"
                 " but %#x on the destination" % (addr, addr + GiB)),
    }


add_tests(SpmQemuRuntime, "hot_add", (("hot_add_" + fw, (fw,)) for fw in FIRMWARES))
add_tests(SpmQemuRuntime, "migrate", (("migrate_" + fw, (fw,)) for fw in FIRMWARES))


if __name__ == "__main__":
    unittest.main(verbosity=2)
