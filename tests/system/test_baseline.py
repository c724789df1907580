# SPDX-License-Identifier: GPL-2.0-or-later
"""Baseline: a q35 guest with two NUMA nodes and a pc-dimm on node 1.

Before any SPM code, the rig must show that a DIMM's range is System RAM
of the node that the SRAT gives its proximity domain, on SeaBIOS and on
OVMF.  Everything asserted comes from the guest's own report, except the
DIMM's placement, which QEMU reports through QMP.
"""

import unittest

from spm.check import check_kernel, contains
from spm.guest import run
from spm.paths import FIRMWARES, GiB, MiB
from spm.report import memdev_range
from spmtest.case import TestCase, add_tests

ORDER = 20

QEMU_ARGS = [
    "-m", "2G,slots=4,maxmem=8G", "-smp", "2",
    "-object", "memory-backend-ram,id=m0,size=1G",
    "-numa", "node,nodeid=0,cpus=0,memdev=m0",
    "-object", "memory-backend-ram,id=m1,size=1G",
    "-numa", "node,nodeid=1,cpus=1,memdev=m1",
    "-object", "memory-backend-ram,id=d0,size=512M",
    "-device", "pc-dimm,id=dimm0,memdev=d0,node=1",
]


class Baseline(TestCase):
    def check(self, firmware):
        res = run(QEMU_ARGS, firmware=firmware, machine="q35", workdir=self.workdir)
        rep = res.report
        dimms = [d["data"] for d in res.memdevs if d["type"] == "dimm"]
        self.assertEqual(len(dimms), 1, res.memdevs)
        addr, end = memdev_range(res.memdevs[0])
        size = end - addr
        self.assertEqual(size, 512 * MiB)
        self.assertEqual(dimms[0]["node"], 1)

        self.assertEqual(rep["error"], [], "probe reported errors")
        check_kernel(self, rep)
        self.assertTrue(contains(rep.iomem("System RAM"), addr, end),
                        "DIMM [%#x, %#x) is not System RAM: %s"
                        % (addr, end, rep.iomem("System RAM")))
        self.assertFalse(rep.soft_reserved(), "unexpected Soft Reserved range")

        covering = rep.srat_covering(addr, end)
        self.assertTrue(covering, "no SRAT entry covers the DIMM")
        pxms = {e["pxm"] for e in covering}
        self.assertEqual(len(pxms), 1, "SRAT gives the DIMM several domains: %s" % covering)
        self.assertTrue(all(e["enabled"] for e in covering))
        node = rep.node_of_pxm(pxms.pop())
        self.assertEqual(node, 1, "SRAT domain maps to Linux node %s" % node)
        self.assertTrue(contains(rep.node_ranges(node), addr, end),
                        "DIMM range is not memory of node %d: %s"
                        % (node, rep.node_ranges(node)))
        self.assertEqual(sorted(rep.memtotal_kb("boot")), [0, 1])
        # Node 1's memory blocks are exactly its 1 GiB and the DIMM.
        self.assertEqual(sum(e - s for s, e in rep.node_ranges(1)), 1 * GiB + size)


add_tests(Baseline, "check", ((fw, (fw,)) for fw in FIRMWARES))


if __name__ == "__main__":
    unittest.main(verbosity=2)
