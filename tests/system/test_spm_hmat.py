# SPDX-License-Identifier: GPL-2.0-or-later
"""SPM nodes with HMAT performance, started by plain QEMU, on SeaBIOS and OVMF.

One guest has DRAM and both CPUs on node 0, an HBM-like SPM node 1 (lower
latency, higher bandwidth than DRAM) and a slow SPM node 2, each
memory-only with initiator 0, with `-machine hmat=on`, `hmat-lb` latency
and bandwidth for every initiator/target pair and SLIT distances.  Every
assertion is on what the guest itself reports (spm-probe): the HMAT as the
firmware passed it, the access classes Linux built from it, the SLIT
distances and the memory tier each node lands in once kmem onlines the SPM.
"""

import unittest

from spm.check import check_spm
from spm.guest import run
from spm.hmat import check_performance, node_list
from spm.paths import FIRMWARES, MiB
from spmtest.case import TestCase, add_tests

ORDER = 40

# Access latency in ns and access bandwidth in MiB/s from initiator 0 to
# each node (QEMU's bandwidth suffixes are binary: 10G is 10240 MiB/s, and
# its HMAT and Linux give bandwidths in units of MiB/s, "MB/s").
PERF = {
    (0, 0): (10, 10240),    # DRAM
    (0, 1): (5, 40960),     # HBM-like SPM: half the latency, 4 x the bandwidth
    (0, 2): (40, 2560),     # slow SPM: 4 x the latency, a quarter of the bandwidth
}
# SLIT distances, symmetric; QEMU mirrors what is given one way.
DIST = {(0, 1): 17, (0, 2): 28, (1, 2): 30}
SPM_SIZES = {1: "1G", 2: "512M"}
# A 64 MiB direct-mapped, write-back memory-side cache in front of the
# slow node, with 64-byte lines.
CACHES = {2: (64 * MiB, "direct", "write-back", 64)}


def qemu_args():
    args = ["-m", "2G,slots=4,maxmem=16G", "-smp", "2",
            "-object", "memory-backend-ram,id=ram0,size=2G",
            "-numa", "node,nodeid=0,cpus=0-1,memdev=ram0"]
    for node in SPM_SIZES:
        args += ["-numa", "node,nodeid=%d,initiator=0" % node]
    for node, size in SPM_SIZES.items():
        args += ["-object", "memory-backend-ram,id=spm%dmem,size=%s" % (node, size),
                 "-device", "spm-memory,id=spm%d,memdev=spm%dmem,node=%d" % (node, node, node)]
    for (a, b), val in DIST.items():
        args += ["-numa", "dist,src=%d,dst=%d,val=%d" % (a, b, val)]
    for (init, target), (lat, bw) in PERF.items():
        args += ["-numa", "hmat-lb,initiator=%d,target=%d,hierarchy=memory,"
                 "data-type=access-latency,latency=%d" % (init, target, lat),
                 "-numa", "hmat-lb,initiator=%d,target=%d,hierarchy=memory,"
                 "data-type=access-bandwidth,bandwidth=%dM" % (init, target, bw)]
    # After the node's hmat-lb, as QEMU wants.
    for node, (size, assoc, policy, line) in CACHES.items():
        args += ["-numa", "hmat-cache,node-id=%d,size=%d,level=1,associativity=%s,"
                 "policy=%s,line=%d" % (node, size, assoc, policy, line)]
    return args


class SpmHmat(TestCase):
    def boot(self, firmware):
        res = run(qemu_args(), firmware=firmware, machine="q35,hmat=on", online=True,
                  workdir=self.workdir)
        rep = res.report
        # Soft Reserved, SRAT, dax and kmem as for any SPM guest, no probe
        # errors, and Linux's node ids are the configured ones.
        check_spm(self, res.memdevs, rep, [1, 2])
        self.assertEqual([(m["memory_pd"], m["initiator_valid"], m["initiator_pd"])
                          for m in rep["hmat_mpda"] if m["memory_pd"] == 0],
                         [(0, 1, 0)], "node 0's memory proximity domain attributes")
        tiers = check_performance(self, rep, PERF, DIST, CACHES)
        # What the numbers mean (memory_tier0, 4 and 72 with Linux 6.12):
        # HBM above DRAM, slow SPM below it.
        self.assertLess(tiers[1], tiers[0])
        self.assertGreater(tiers[2], tiers[0])



add_tests(SpmHmat, "boot", (("hbm_and_slow_" + fw, (fw,)) for fw in FIRMWARES))


# The attached initiator of a memory-only node (-numa node,initiator=N):
# nodes 0 and 2 have a CPU each and DRAM; node 1 holds only SPM, node 3
# only DRAM, both attached to initiator 0, though initiator 2 reaches them
# faster.  The HMAT's Memory Proximity Domain Attributes carry the
# attached initiator, and Linux then links only that one (access0
# initiators "0"); without them it links the fastest ("2").
INITIATOR_PERF = {(0, 0): (10, 10240), (0, 1): (20, 5120), (0, 2): (20, 5120),
                  (0, 3): (20, 5120), (2, 0): (20, 5120), (2, 1): (5, 40960),
                  (2, 2): (10, 10240), (2, 3): (5, 40960)}


def initiator_args():
    args = ["-m", "3G,slots=4,maxmem=16G", "-smp", "2",
            "-object", "memory-backend-ram,id=ram0,size=1G",
            "-object", "memory-backend-ram,id=ram2,size=1G",
            "-object", "memory-backend-ram,id=ram3,size=1G",
            "-numa", "node,nodeid=0,cpus=0,memdev=ram0",
            "-numa", "node,nodeid=1,initiator=0",
            "-numa", "node,nodeid=2,cpus=1,memdev=ram2",
            "-numa", "node,nodeid=3,initiator=0,memdev=ram3",
            "-object", "memory-backend-ram,id=spm1mem,size=512M",
            "-device", "spm-memory,id=spm1,memdev=spm1mem,node=1"]
    for (init, target), (lat, bw) in INITIATOR_PERF.items():
        args += ["-numa", "hmat-lb,initiator=%d,target=%d,hierarchy=memory,"
                 "data-type=access-latency,latency=%d" % (init, target, lat),
                 "-numa", "hmat-lb,initiator=%d,target=%d,hierarchy=memory,"
                 "data-type=access-bandwidth,bandwidth=%dM" % (init, target, bw)]
    return args


_initiator_report = []


def initiator_report(workdir):
    """The report of the attached-initiator guest (booted once, in the
    WORKDIR of the first test that asks)."""
    if not _initiator_report:
        res = run(initiator_args(), machine="q35,hmat=on", online=True, workdir=workdir)
        _initiator_report.append(res)
    return _initiator_report[0]


class SpmHmatInitiator(TestCase):
    def attached(self, pxm):
        """Proximity domain PXM is attached to initiator 0 in the HMAT and
        in Linux's access0 class.  Linux numbers its nodes in SRAT order
        (here PXM 0, 2, 1, 3 become nodes 0, 1, 2, 3): map both ways."""
        res = initiator_report(self.workdir)
        rep = res.report
        self.assertEqual(rep["error"], [], "the probe reported errors")
        mpda = [(m["initiator_valid"], m["initiator_pd"]) for m in rep["hmat_mpda"]
                if m["memory_pd"] == pxm]
        self.assertEqual(mpda, [(1, 0)],
                         "PXM %d's memory proximity domain attributes" % pxm)
        pxm_of = {e["node"]: e["pxm"] for e in rep["pxm"]}
        node = rep.node_of_pxm(pxm)
        access0 = [[pxm_of.get(n) for n in node_list(str(a["initiators"]))]
                   for a in rep["access"]
                   if a["phase"] == "after" and a["node"] == node and a["class"] == 0]
        self.assertEqual(access0, [[0]], "PXM %d (node %s): the proximity domains of "
                         "its access0 initiators" % (pxm, node))

    def test_dram_node_attached_initiator(self):
        """A memory-only DRAM node: QEMU describes its initiator."""
        self.attached(3)

    # QEMU's HMAT once left out the Memory Proximity Domain Attributes of
    # nodes without boot memory, SPM-only ones too: the guest never learned
    # their initiator= and Linux linked the fastest initiator instead
    # (access0 initiators "2").  The QEMU queue's hw/acpi/hmat patch fixes it.
    def test_spm_node_attached_initiator(self):
        """An SPM-only node: its initiator must reach the guest the same way."""
        self.attached(1)


if __name__ == "__main__":
    unittest.main()
