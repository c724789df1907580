# SPDX-License-Identifier: GPL-2.0-or-later
"""A real distribution guest with SPM: Debian trixie with systemd
(tools/build-debian-image), created with Debian's own virt-install
(`--import`, `--memdev spm,...`) on the private libvirt, booted under TCG
(spm.debian).

The guest reaches multi-user with systemd as init, and what a user
configures there onlines the SPM: its kernel adds hot-plugged memory
offline (memhp_default_state=offline), a udev rule starts
spm-online@DEV.service for every dax device, which runs `daxctl
reconfigure-device --mode=system-ram DEV`.  Its report unit prints on the
second serial port, once the boot is done, systemd's state, each unit's
result, daxctl's list and spm-probe's report; the test checks them against
what QEMU placed.

The slow suite (a debootstrap the first time, a minute or more of boot
under TCG): it runs last.
"""

import sys
import unittest

from spm import debian, libvirt
from spm.check import check_spm, spm_devices
from spm.daxctl import check_list, spm_bytes_by_node
from spm.paths import MiB
from spmtest.case import LibvirtTestCase
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 1000
BUILDS = LIBVIRT_BUILDS + ("debian-image",)

PREFIX = "spmdeb-"

class SpmDebian(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def test_import_boot_online(self):
        """virt-install --import boots the Debian image with three SPM
        devices on two memory-only nodes; systemd reaches a running system,
        and the udev rule and unit online every SPM device on its node
        with daxctl."""
        dom = libvirt.Domain(PREFIX + "trixie", workdir=self.workdir)
        self.addCleanup(dom.remove)
        memdevs, rep, seconds = debian.create_and_wait(dom)
        print("\nDebian guest: virt-install to its report in %.0f s" % seconds, file=sys.stderr)

        self.assertEqual(rep.fields.get("system-running"), ["running"], "systemd's state")
        self.assertEqual(rep.fields.get("init"), ["/usr/lib/systemd/systemd"])
        self.assertEqual(rep.fields.get("kernel"), [debian.kernel_release()],
                         "the pinned kernel")
        self.assertEqual(rep.fields.get("auto-online"), ["offline"])
        probe = rep.probe
        self.assertEqual(sorted(rep.fields.get("unit", [])),
                         sorted("spm-online@%s.service active success" % x["name"]
                                for x in probe["dax"]), "the units of the udev rule")

        self.assertEqual([(d["data"]["size"] // MiB, d["data"]["node"])
                          for d in spm_devices(memdevs)], debian.SPMS)
        check_spm(self, memdevs, probe, [n for _, n in debian.SPMS], online=False)
        check_list(self, memdevs, probe, rep.daxctl, "system-ram")
        for d in rep.daxctl:
            self.assertTrue(d.get("movable"), "%s not onlined movable: %s" % (d["chardev"], d))
            self.assertEqual(d.get("online_memblocks"), d.get("total_memblocks"), d)
        # Nodes 1 and 2 have no memory but their SPM: each grew from nothing
        # by exactly its SPM, which is online memory of that node.
        memtotal = probe.memtotal_kb("boot")
        for node, size in spm_bytes_by_node(memdevs).items():
            self.assertEqual(memtotal.get(node, 0) * 1024, size, "node %d MemTotal" % node)
        for x in probe["dax"]:
            self.assertEqual(x["driver"], "kmem", x["name"])
            self.assertTrue(any(s <= x["start"] and x["start"] + x["size"] <= e
                                for s, e in probe.node_ranges(x["target_node"])),
                            "%s is not online memory of node %d" % (x["name"], x["target_node"]))


if __name__ == "__main__":
    unittest.main()
