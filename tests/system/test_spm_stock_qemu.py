# SPDX-License-Identifier: GPL-2.0-or-later
"""<memory model='spm'> through libvirt on stock QEMU: Debian sid's 11.1.3.

Stock QEMU 11.1 has upstream's sp-mem device rather than our spm-memory, and
libvirt falls back to it.  The emulator is build/stock-qemu/qemu-system-x86_64
(tools/stock-qemu: sid's qemu-system-x86 in a debootstrap root, run with
paths unchanged).  Domains are defined and started with virsh on OVMF (stock
QEMU's own SeaBIOS, sid's 1.17, drops the soft reserved E820 type) and, with
<loader type='rom'>, on the project's SeaBIOS build; the assertions on the
guest's own report are spm.check's, as for our QEMU.

If the stock QEMU can't be made or run on this machine, every test here
fails and says why: this suite never passes or skips without having booted
the guests.
"""

import os
import subprocess
import unittest

from spm import libvirt
from spm.check import (check_dimms, check_hotplug_refused, check_live_xml, check_spm,
                       spm_devices)
from spm.domainxml import cells, dimm_xml, domain_xml, set_emulator, spm_xml as spm
from spm.libvirt import Domain, controlled, recorded_spm_device, virsh
from spm.paths import SEABIOS, STOCK_QEMU, STOCK_TOOL
from spm.report import memdev_range
from spmtest.case import LibvirtTestCase, add_tests
from spmtest.daemon import DAEMON
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 70
BUILDS = LIBVIRT_BUILDS
PREFIX = "spmstock-"
STOCK_VERSION = "QEMU emulator version 11.1.3"

# Why the stock QEMU can't be used here, or None.
unusable = None


def make_stock_qemu():
    """Build the sid root and the wrapper (tools/stock-qemu, idempotent) and
    check the binary; the reason it can't be used, or None."""
    r = subprocess.run([STOCK_TOOL], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True)
    if r.returncode != 0:
        return "tools/stock-qemu failed:\n" + r.stderr[-3000:]
    r = subprocess.run([STOCK_QEMU, "-version"], capture_output=True, text=True)
    if r.returncode != 0 or STOCK_VERSION not in r.stdout:
        return "%s -version: %s%s" % (STOCK_QEMU, r.stdout, r.stderr)
    r = subprocess.run([STOCK_QEMU, "-device", "sp-mem,help"], capture_output=True, text=True)
    for prop in ("memdev=", "node=", "addr="):
        if prop not in r.stdout:
            return "%s has no sp-mem property %s: %s%s" % (STOCK_QEMU, prop, r.stdout, r.stderr)
    return None


def setUpModule():
    global unusable
    unusable = make_stock_qemu()


def stock_xml(name, wd, devices, firmware, **kwargs):
    """domain_xml with the stock QEMU as <emulator>; firmware 'seabios' is
    the project's SeaBIOS as a ROM (stock QEMU's own would drop the range)."""
    return domain_xml(name, wd, devices, firmware=firmware, emulator=STOCK_QEMU,
                      rom=SEABIOS if firmware == "seabios" else None, **kwargs)


SCENARIOS = {
    "single": (cells(1), spm(1024, 1), [1]),
    # Stock sp-mem places devices back to back, and the guest would merge
    # the ranges of different nodes into one: on sp-mem, several nodes'
    # SPM need addresses with gaps (128 MiB here).
    "multiple": (cells(2), spm(512, 2, base=0x100000000) + spm(256, 1, base=0x128000000)
                 + spm(384, 2, base=0x140000000), [2, 1, 2]),
    "mixed": (cells(2), spm(512, 1) + dimm_xml(512, 2), [1]),
    "address": (cells(1), spm(512, 1, base=0x180000000), [1]),
}
FIRMWARE = {"single": ("ovmf", "seabios"), "multiple": ("ovmf",), "mixed": ("ovmf",),
            "address": ("ovmf",)}


class StockQemu(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    @classmethod
    def setUpClass(cls):
        if not unusable:        # else every test fails with the reason
            super().setUpClass()

    def setUp(self):
        if unusable:
            self.fail("the stock QEMU can't run on this machine, so SPM on stock "
                      "QEMU is untested: " + unusable)

    def boot(self, name, firmware):
        numa, devices, nodes = SCENARIOS[name]
        dom = "%s%s-%s" % (PREFIX, name, firmware)
        wd = self.workdir
        res = libvirt.boot(dom, stock_xml(dom, wd, devices, firmware, cells=numa), wd)
        # libvirt fell back to upstream's device
        spms = spm_devices(res.memdevs)
        self.assertEqual({d["type"] for d in spms}, {"sp-mem"}, res.memdevs)
        # Stock sp-mem lists SPM in the SRAT in device order, and Linux
        # numbers nodes in the order the SRAT names them: with devices out of
        # node order, Linux's node ids differ from the configured ones (the
        # affinity itself is right).
        check_spm(self, res.memdevs, res.report, nodes, same_node_ids=nodes == sorted(nodes))
        check_dimms(self, res.memdevs, res.report)
        check_live_xml(self, res.memdevs, res.cmdline)
        return res

    def test_emulator_is_stock(self):
        """virsh sees QEMU 11.1.3 as the emulator (libvirt probed the wrapper)."""
        dom = PREFIX + "version"
        wd = self.workdir
        with Domain(dom, stock_xml(dom, wd, spm(512, 1), "ovmf", cells=cells(1)), wd) as d:
            d.define()
            out = virsh("domcapabilities", "--emulatorbin", STOCK_QEMU,
                        "--machine", "q35", "--virttype", "qemu").stdout
            self.assertIn("<path>%s</path>" % STOCK_QEMU, out)

    def test_several_nodes_need_addresses(self):
        """On sp-mem, SPM of several nodes without addresses is refused: sp-mem
        would place the ranges back to back and the guest merge them."""
        dom = PREFIX + "no-address"
        wd = self.workdir
        xml = stock_xml(dom, wd, spm(512, 1) + spm(256, 2), "ovmf", cells=cells(2))
        with Domain(dom, xml, wd) as d:
            r = virsh("define", d.xml_path, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("only has the 'sp-mem' device, which places the ranges back to back",
                          r.stderr)
        self.assertIn("Running hypervisor", virsh("version").stdout)

    def test_address_kept(self):
        """An explicit address goes to sp-mem's addr and the guest sees it there."""
        res = self.boot("address", "ovmf")
        self.assertEqual(memdev_range(spm_devices(res.memdevs)[0]),
                         (0x180000000, 0x1a0000000))

    def test_hotplug_save_refused(self):
        """Live attach and detach of spm fail clearly with sp-mem too, and so
        does saving the domain: sp-mem leaves its memory out of the stream."""
        dom = PREFIX + "hotplug"
        wd = self.workdir
        with controlled(dom, wd, firmware="ovmf", emulator=STOCK_QEMU) as d:
            d.start_ready()
            check_hotplug_refused(self, d, attach_flags=(("--live",),))
            r = virsh("save", dom, os.path.join(wd, "saved"), check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("'sp-mem' device, which doesn't migrate or save its memory", r.stderr)
            self.assertEqual(d.state(), "running")
            self.assertFalse(os.path.exists(os.path.join(wd, "saved")))
            # the device is recorded in the status XML and, after a restart
            # of virtqemud, still decides
            self.assertEqual(recorded_spm_device(dom), "sp-mem")
            DAEMON.restart()
            self.assertEqual(d.state(), "running")
            self.assertEqual(recorded_spm_device(dom), "sp-mem")
            r = virsh("save", dom, os.path.join(wd, "saved"), check=False)
            self.assertIn("'sp-mem' device, which doesn't migrate or save its memory", r.stderr)
            d.send("poweroff -f")
            d.wait_shutoff()
        check_spm(self, d.memdevs, d.reports()[0], [1], online=False)

    def test_restore_needs_same_device(self):
        """A guest saved on our QEMU (spm-memory) is not restored by the stock
        QEMU, which only has sp-mem: refused before QEMU starts, naming both
        devices.  Our QEMU restores it, with its SPM."""
        dom = PREFIX + "restore"
        wd = self.workdir
        saved = os.path.join(wd, "saved")
        with controlled(dom, wd) as d:
            d.start_ready()
            self.assertEqual(recorded_spm_device(dom), "spm-memory")
            virsh("save", dom, saved)
            self.assertEqual(d.state(), "shut off")
            stock = os.path.join(wd, "stock.xml")
            with open(stock, "w") as f:
                f.write(set_emulator(virsh("save-image-dumpxml", "--security-info",
                                           saved).stdout, STOCK_QEMU))
            r = virsh("restore", saved, "--xml", stock, check=False)
            self.assertNotEqual(r.returncode, 0, "restored by the stock QEMU")
            self.assertIn("domain's spm memory uses QEMU's 'spm-memory' device, which QEMU "
                          "binary '%s' lacks (it only has 'sp-mem')" % STOCK_QEMU, r.stderr)
            self.assertEqual(d.state(), "shut off")
            virsh("restore", saved)
            self.assertEqual(d.state(), "running")
            self.assertEqual(recorded_spm_device(dom), "spm-memory")
            d.reconnect()       # a new QEMU, a new socket
            d.send("/bin/spm-probe; poweroff -f")
            d.wait_shutoff()
        check_spm(self, d.memdevs, d.reports()[-1], [1], online=False)


add_tests(StockQemu, "boot", (("%s_%s" % (name, fw), (name, fw))
                              for name, fws in FIRMWARE.items() if name != "address"
                              for fw in fws))


if __name__ == "__main__":
    unittest.main(verbosity=2)
