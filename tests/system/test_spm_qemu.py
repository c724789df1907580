# SPDX-License-Identifier: GPL-2.0-or-later
"""spm-memory guests started by plain QEMU, on SeaBIOS and on OVMF.

Every assertion is on what the guest itself reports (spm-probe), compared
with where QEMU says it put each device (query-memory-devices).
"""

import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import spmguest  # noqa: E402
from spmcheck import check_dimms, check_spm, contains  # noqa: E402
from spmguest import memdev_range  # noqa: E402


def numa(*nodes, ram="2G"):
    """Node 0 with both CPUs and RAM, then memory-only nodes 1..N."""
    args = ["-m", "%s,slots=4,maxmem=16G" % ram, "-smp", "2",
            "-object", "memory-backend-ram,id=ram0,size=%s" % ram,
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


SCENARIOS = {
    "single": (numa(1) + spm(0, "1G", 1), [1]),
    "multiple": (numa(2) + spm(0, "512M", 2) + spm(1, "256M", 1) + spm(2, "384M", 2),
                 [2, 1, 2]),
    "mixed": (numa(2) + spm(0, "512M", 1) + dimm(0, "512M", 2), [1]),
    "backends": (numa(2)
                 + spm(0, "512M", 1, "memory-backend-file",
                       ",mem-path=/dev/shm/spm-test-%d,share=on" % os.getpid())
                 + spm(1, "256M", 2, "memory-backend-memfd"),
                 [1, 2]),
}


class SpmQemu(unittest.TestCase):
    def boot(self, name, firmware, machine="q35"):
        args, nodes = SCENARIOS[name]
        res = spmguest.run(args, firmware=firmware, machine=machine, online=True)
        check_spm(self, res.memdevs, res.report, nodes)
        return res

    def check_dimm_on_its_node(self, res):
        check_dimms(self, res.memdevs, res.report)


def add_boot_tests():
    for name in SCENARIOS:
        for fw in spmguest.FIRMWARES:
            def test(self, name=name, fw=fw):
                res = self.boot(name, fw)
                self.check_dimm_on_its_node(res)
            setattr(SpmQemu, "test_%s_q35_%s" % (name, fw), test)
        for fw in spmguest.FIRMWARES:
            def test(self, fw=fw):
                self.boot("single", fw, machine="pc")
            setattr(SpmQemu, "test_single_pc_%s" % fw, test)


add_boot_tests()


class SpmQemuRuntime(unittest.TestCase):
    def hot_add(self, firmware):
        """A pc-dimm added at runtime beside SPM comes online on its node."""
        args = numa(2) + spm(0, "512M", 1)
        with spmguest.Guest(args, firmware=firmware, control=True) as g:
            g.start()
            g.wait_for("@@SPM-GUEST READY@@")
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
        self.assertEqual(rep.iomem("Soft Reserved"), first.iomem("Soft Reserved"))

    def test_hot_add_seabios(self):
        self.hot_add("seabios")

    def test_hot_add_ovmf(self):
        self.hot_add("ovmf")

    def migrate(self, firmware):
        """Data the guest wrote into SPM survives a migration."""
        args = numa(1) + spm(0, "512M", 1)
        workdir = tempfile.mkdtemp(prefix="spm-migrate-")
        stream = os.path.join(workdir, "stream")
        with spmguest.Guest(args, firmware=firmware, control=True,
                            workdir=workdir, name="source") as src:
            src.start()
            src.wait_for("@@SPM-GUEST READY@@")
            src.send("/bin/spm-probe --pattern=write:7")
            src.wait_for(spmguest.END, count=2)
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
            written = src.reports()[1]
        with spmguest.Guest(args, firmware=firmware, control=True, workdir=workdir,
                            name="dest", incoming="file:" + stream) as dst:
            dst.start()
            self.assertEqual(dst.memdevs, memdevs)
            # A check against another seed first: it must see the difference.
            dst.send("/bin/spm-probe --pattern=check:8; /bin/spm-probe --pattern=check:7; "
                     "poweroff -f")
            dst.wait_exit(timeout=300)
            other, checked = dst.reports()[-2:]
        os.unlink(stream)
        self.assertEqual(len(written["pattern"]), 1, written["pattern"])
        self.assertEqual(written["pattern"][0]["result"], "ok")
        self.assertEqual(other["pattern"][0]["result"], "mismatch", other["pattern"])
        self.assertEqual(len(checked["pattern"]), 1, checked["pattern"])
        self.assertEqual(checked["pattern"][0]["result"], "ok",
                         "the pattern did not survive migration: %s" % checked["pattern"])

    def test_migrate_seabios(self):
        self.migrate("seabios")

    def test_migrate_ovmf(self):
        self.migrate("ovmf")


if __name__ == "__main__":
    unittest.main(verbosity=2)
