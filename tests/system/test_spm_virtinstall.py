# SPDX-License-Identifier: GPL-2.0-or-later
"""SPM guests made by Debian's own virt-install (package virtinst, 4.1).

virt-install talks to the private libvirt (tools/libvirtd) and makes a q35
guest with three spm devices on two memory-only nodes (--memdev spm, cells
with memory 0 in --cpu): with --import (the test guest's kernel as the
domain's own <os>) and with --install kernel=... (virt-install copies
kernel and initrd into its scratch directory for the first boot), each on
SeaBIOS and on OVMF (--boot uefi: libvirt's firmware auto-selection).  The
guest reports what it sees and then waits on its control channel, so that
query-memory-devices and the live XML are read while it runs; the checks
are spm.check's, as for virsh.  A --disk size=N volume lands in the
storage driver's default pool and goes with the domain.
"""

import os
import xml.etree.ElementTree as ET

from spm import virtinstall as vi
from spm.check import check_live_xml, check_spm
from spm.libvirt import Domain, domains, virsh
from spm.paths import FIRMWARES, KERNEL, STATE
from spmtest.case import LibvirtTestCase, add_tests
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 85
BUILDS = LIBVIRT_BUILDS
PREFIX = "spmvi-"
CELLS = ((2048, "0-1"), (0, None), (0, None))
SPMS = ((512, 1), (256, 2), (384, 2))
POOL_DIR = os.path.join(STATE, "lib", "libvirt", "images")

class SpmVirtInstall(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def create(self, how, firmware, extra=(), name=None):
        """virt-install a guest HOW ("import" or "install") on FIRMWARE, let
        it report, check the report and the live XML; the Domain (still
        defined) and the live XML's root."""
        name = name or "%s%s-%s" % (PREFIX, how, firmware)
        wd = self.workdir
        boot = vi.import_args if how == "import" else vi.install_args
        dom = Domain(name, workdir=wd)
        self.addCleanup(dom.remove)
        vi.virt_install(vi.guest_args(name, wd, firmware, control=True) + vi.numa_args(CELLS, SPMS)
               + boot(online=True, control=True) + list(extra))
        res = vi.run_controlled(dom)
        check_spm(self, res.memdevs, res.report, [node for _, node in SPMS])
        check_live_xml(self, res.memdevs, res.cmdline)
        live = ET.fromstring(res.cmdline)
        # virt-install's default guest-agent channel: its socket is below
        # the daemon's state directory, whatever the checkout's path
        agent = live.find("./devices/channel/target[@name='org.qemu.guest_agent.0']/../source")
        self.assertIsNotNone(agent, "virt-install added no guest-agent channel")
        self.assertTrue(agent.get("path", "").startswith(
            os.path.join(STATE, "run", "libvirt", "qemu", "channel") + "/"), agent.get("path"))
        self.assertEqual([c.get("memory") for c in live.findall("./cpu/numa/cell")],
                         [str(m << 10) for m, _ in CELLS])
        loader = live.find("./os/loader")
        if firmware == "ovmf":
            self.assertIsNotNone(loader, "no UEFI loader in the live XML")
            self.assertIn("OVMF_CODE", loader.text)
        else:
            self.assertIsNone(loader, "a loader on SeaBIOS")
        return dom, live

    def boot(self, how, firmware):
        dom, live = self.create(how, firmware)
        persistent = ET.fromstring(dom.dumpxml("--inactive")).find("./os/kernel")
        if how == "import":
            # the kernel is the domain's own
            self.assertEqual(live.find("./os/kernel").text, KERNEL)
            self.assertEqual(persistent.text, KERNEL)
        else:
            # the install boot ran virt-install's copy of the kernel, which
            # it removed; the persistent definition is the installed
            # guest's, without one
            kernel = live.find("./os/kernel").text
            self.assertTrue(os.path.basename(kernel).startswith("virtinst-"), kernel)
            self.assertFalse(os.path.exists(kernel), "virt-install left its copy behind")
            self.assertIsNone(persistent)

    def test_disk_in_default_pool(self):
        """--disk size=N makes a volume in the default pool (tools/libvirtd),
        the guest gets it as its disk, and undefine --remove-all-storage
        deletes it again."""
        pools = virsh("pool-list", "--all").stdout.split()
        self.assertEqual(pools[:3], ["default", "active", "yes"])
        name = PREFIX + "disk"
        vol = os.path.join(POOL_DIR, name + ".img")
        dom, live = self.create("import", "seabios", ["--disk", "size=0.125,format=raw"], name)
        self.assertEqual([s.get("file") for s in live.findall("./devices/disk/source")], [vol])
        self.assertIn(name + ".img", virsh("vol-list", "default").stdout)
        self.assertEqual(os.path.getsize(vol), 128 << 20)
        virsh("undefine", "--remove-all-storage", name)
        self.assertFalse(os.path.exists(vol))
        self.assertNotIn(name + ".img", virsh("vol-list", "default").stdout)
        self.assertNotIn(name, domains())

    def test_bad_node(self):
        """An spm device on a node the guest doesn't have: refused with
        libvirt's message, nothing defined, nothing running."""
        name = PREFIX + "bad"
        res = vi.virt_install(vi.guest_args(name, self.workdir) + vi.numa_args(CELLS, ((512, 5),))
                     + vi.import_args(), check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("can't add memory backend for guest node '5' as the guest has only "
                      "'3' NUMA nodes configured", res.stderr)
        self.assertNotIn(name, domains())


add_tests(SpmVirtInstall, "boot", (("%s_%s" % (how, fw), (how, fw))
                                   for how in ("import", "install") for fw in FIRMWARES))
