# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's daxctl (trixie's, in the test guest) on SPM devices that plain
QEMU placed, on SeaBIOS and OVMF.

In the guest: `daxctl list -D` shows each SPM device with the size QEMU
gave it and its configured node as target_node; `daxctl
reconfigure-device --mode=system-ram all` onlines every one on its node
(the guest's node memory grows by exactly the SPM on it, the range is
online memory of that node); `--mode=devdax --force` offlines it again and
gives it back to device_dax (the node shrinks back, and each device
maps again: a pattern written over all of it).  The guest's kernel
adds hot-plugged memory offline (memhp_default_state=offline), as daxctl
expects of a system where it manages the memory: under Debian's default
policy the kernel would online it itself, and daxctl refuses to online it
movable (the guest's daxctl says so; checked too).
"""

import unittest

from spm.check import check_spm
from spm.daxctl import check_list, json_output, run_in_guest, spm_bytes_by_node
from spm.guest import Guest
from spm.paths import FIRMWARES
from spm.report import READY
from spmtest.case import TestCase, add_tests
from test_spm_qemu import numa, spm

ORDER = 55

OFFLINE_POLICY = "memhp_default_state=offline"

# Three devices on two memory-only nodes; node 1 has two.
ARGS = numa(2) + spm(0, "512M", 1) + spm(1, "256M", 2) + spm(2, "256M", 1)
NODES = [1, 2, 1]


class SpmDaxctl(TestCase):
    def guest(self, firmware, append=OFFLINE_POLICY):
        g = Guest(ARGS, firmware=firmware, control=True, append=append,
                  workdir=self.workdir)
        self.addCleanup(g.kill)
        g.start()
        g.wait_for(READY)
        return g

    def probe(self, g, args=""):
        """Have the guest run spm-probe (with ARGS) again; its new report."""
        count = g.count_reports()
        g.send("/bin/spm-probe " + args)
        return g.wait_reports(count + 1, timeout=120)[-1]

    def daxctl(self, g, name, args):
        return json_output(*run_in_guest(g, name, "daxctl " + args), what="daxctl " + args)

    def reconfigure(self, g, name, args):
        """daxctl reconfigure-device ARGS succeeds for every SPM device."""
        status, out = run_in_guest(g, name, "daxctl reconfigure-device " + args)
        self.assertEqual(status, 0, out)
        self.assertIn("reconfigured %d devices" % len(NODES), out)

    def check_memtotal(self, memdevs, before, after, grown):
        """Each SPM node's MemTotal in report AFTER is that of BEFORE plus
        its SPM (GROWN) or the same (not GROWN); other nodes unchanged."""
        spm_by_node = spm_bytes_by_node(memdevs)
        was, now = before.memtotal_kb("boot"), after.memtotal_kb("boot")
        for node in set(was) | set(now) | set(spm_by_node):
            want = was.get(node, 0) * 1024 + (spm_by_node.get(node, 0) if grown else 0)
            self.assertEqual(now.get(node, 0) * 1024, want, "node %d MemTotal" % node)

    def check_cycle(self, firmware):
        g = self.guest(firmware)
        boot = g.reports()[0]
        check_spm(self, g.memdevs, boot, NODES, online=False)
        for x in boot["dax"]:
            self.assertEqual(x["driver"], "none", "%s is bound at boot" % x["name"])

        listed = self.daxctl(g, "list-boot", "list -D")
        check_list(self, g.memdevs, boot, listed, "devdax")

        # daxctl loads kmem for the first device, which binds the others
        # at once ("already in system-ram mode"); it onlines them all, and
        # prints the JSON of the last one only.
        self.reconfigure(g, "system-ram", "--mode=system-ram all")
        listed = self.daxctl(g, "list-ram", "list -D")
        check_list(self, g.memdevs, boot, listed, "system-ram")
        for d in listed:
            self.assertTrue(d.get("movable"), "%s: not onlined movable: %s" % (d["chardev"], d))
            self.assertEqual(d.get("online_memblocks"), d.get("total_memblocks"),
                             "%s: not every block online: %s" % (d["chardev"], d))
        ram = self.probe(g)
        self.assertEqual(ram["error"], [], "the probe reported errors")
        self.check_memtotal(g.memdevs, boot, ram, grown=True)
        for x in boot["dax"]:
            self.assertTrue(any(s <= x["start"] and x["start"] + x["size"] <= e
                                for s, e in ram.node_ranges(x["target_node"])),
                            "%s is not online memory of node %d" % (x["name"], x["target_node"]))
        self.assertEqual({x["driver"] for x in ram["dax"]}, {"kmem"})

        self.reconfigure(g, "devdax", "--mode=devdax --force all")
        back = self.probe(g)
        self.check_memtotal(g.memdevs, boot, back, grown=False)
        self.assertEqual({x["driver"] for x in back["dax"]}, {"device_dax"})
        for x in boot["dax"]:
            self.assertFalse(any(s < x["start"] + x["size"] and x["start"] < e
                                 for s, e in back.node_ranges(x["target_node"])),
                             "%s is still online memory" % x["name"])
        check_list(self, g.memdevs, boot, self.daxctl(g, "list-devdax", "list -D"), "devdax")
        # Back in device-dax, every device maps again, all of it.
        written = self.probe(g, "--pattern=write:5")["pattern"]
        self.assertEqual(sorted((p["name"], p["bytes"], p["result"]) for p in written),
                         sorted((x["name"], x["size"], "ok") for x in boot["dax"]))

        g.send("poweroff -f")
        g.wait_exit(60)

    def test_kernel_policy_online(self):
        """Under Debian's default policy (the kernel onlines hot-added
        memory itself) daxctl refuses to online SPM movable, and says why;
        nothing is onlined."""
        g = self.guest("seabios", append="")
        boot = g.reports()[0]
        status, out = run_in_guest(g, "refused", "daxctl reconfigure-device --mode=system-ram all")
        self.assertNotEqual(status, 0, out)
        self.assertIn("kernel policy will auto-online memory", out)
        check_list(self, g.memdevs, boot, self.daxctl(g, "list", "list -D"), "devdax")
        self.check_memtotal(g.memdevs, boot, self.probe(g), grown=False)


add_tests(SpmDaxctl, "check_cycle", [(fw, (fw,)) for fw in FIRMWARES])

if __name__ == "__main__":
    unittest.main()
