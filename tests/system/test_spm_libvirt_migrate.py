# SPDX-License-Identifier: GPL-2.0-or-later
"""Live migration of SPM guests between two libvirt hosts on this machine.

tools/libvirt-pair starts host A (the private daemon of tools/libvirtd) and
host B (a second virtqemud in a mount namespace of its own, with its own
state, run and log directories, sockets and host UUID).  A guest started on
A writes a pattern over its SPM (device-dax) with spm-probe, is migrated
live to B with 'virsh migrate --live' (and with --p2p, where A's daemon
drives the migration), and reads the pattern back on B; B's live XML keeps
the address of the spm device and B records the same QEMU device.  Also
with a file-backed access='shared' SPM.  A destination whose QEMU only has
upstream's sp-mem (the stock QEMU as B's emulator) refuses the migration
before the source guest is paused, naming both devices.
"""

import os
import subprocess
import unittest
import xml.etree.ElementTree as ET

from spm import libvirt
from spm.check import check_spm
from spm.domainxml import spm_element, spm_targets, to_text
from spm.libvirt import controlled, recorded_spm_device, remove_domains, virsh
from spm.paths import PEER_RUN, STOCK_QEMU, STOCK_TOOL, TOP
from spmtest.case import TestCase
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 80
BUILDS = LIBVIRT_BUILDS
PREFIX = "spmmig-"
PAIR = os.path.join(TOP, "tools", "libvirt-pair")
URI_B = "qemu+unix:///system?socket=" + os.path.join(PEER_RUN, "virtqemud-sock")
RUN_QEMU_B = os.path.join(PEER_RUN, "qemu")
# the migration stream stays on this machine
MIGRATE_URI = "tcp://127.0.0.1"

started = False


def setUpModule():
    global started
    started = True
    subprocess.run([PAIR, "start"], check=True, stdin=subprocess.DEVNULL)


def tearDownModule():
    if not started:
        return
    try:
        for uri in (URI_B, libvirt.URI):
            remove_domains(PREFIX, uri=uri)
    finally:
        subprocess.run([PAIR, "stop"], stdin=subprocess.DEVNULL)


def dest_xml(d, emulator=None):
    """The file of D's migratable XML for the destination.  Both hosts share
    this machine's files: the destination's QEMU gets a console and a
    control socket of its own (a libvirt removes the socket of a domain
    that stops on it), and EMULATOR if given."""
    path = os.path.join(d.workdir, "dest.xml")
    root = ET.fromstring(d.dumpxml("--migratable"))
    # the serial ports and the console that mirrors the first one
    for source in root.find("devices").iter("source"):
        if source.get("path") in (d.console, d.ctl_path):
            source.set("path", source.get("path") + "-b")
    if emulator:
        root.find("devices/emulator").text = emulator
    with open(path, "w") as f:
        f.write(to_text(root))
    return path


class Migration(TestCase):
    def start_writer(self, name, firmware, shared_file):
        """Define and start NAME on host A; the guest writes pattern 7 over
        its SPM.  Returns (domain, written report)."""
        wd = self.workdir
        path = None
        if shared_file:
            path = os.path.join(wd, "spm.img")
            with open(path, "wb") as f:
                f.truncate(512 << 20)
        d = controlled(name, wd, spm_element(512, 1, source=path,
                                             access="shared" if shared_file else None),
                       firmware=firmware)
        d.start_ready()
        d.send("/bin/spm-probe --pattern=write:7")
        written = d.wait_reports(2)[1]
        self.assertEqual(len(written["pattern"]), 1, written["pattern"])
        self.assertEqual(written["pattern"][0]["result"], "ok")
        return d

    def migrate(self, firmware, p2p=False, shared_file=False):
        name = "%s%s%s%s" % (PREFIX, firmware, "-p2p" if p2p else "",
                             "-file" if shared_file else "")
        d = self.start_writer(name, firmware, shared_file)
        try:
            live = spm_targets(d.dumpxml())
            self.assertTrue(live[0][1], "no address in the source's live XML")
            args = ["migrate", "--live", name, URI_B, "--migrateuri", MIGRATE_URI,
                    "--xml", dest_xml(d)]
            if p2p:
                args.append("--p2p")
            d.virsh(*args, timeout=600)
            self.assertEqual(d.state(), "shut off", "the source still runs")

            # On host B now
            d.uri, d.run_dir = URI_B, RUN_QEMU_B
            d.console += "-b"
            d.ctl_path += "-b"
            self.assertEqual(d.state(), "running")
            d.check_unprivileged()
            self.assertEqual(spm_targets(d.dumpxml()), live,
                             "host B's live XML differs in the spm device")
            self.assertEqual(recorded_spm_device(name, run_dir=RUN_QEMU_B), "spm-memory")
            d.reconnect()
            # a check against another seed first: it must see the difference
            d.send("/bin/spm-probe --pattern=check:8; /bin/spm-probe --pattern=check:7; "
                   "poweroff -f")
            d.wait_shutoff()
            other, checked = d.reports()[-2:]
        finally:
            d.reconnect()
            d.virsh("destroy", name, check=False)
            d.uri, d.run_dir = libvirt.URI, libvirt.RUN_QEMU
            d.remove()
        self.assertEqual(other["pattern"][0]["result"], "mismatch", other["pattern"])
        self.assertEqual(len(checked["pattern"]), 1, checked["pattern"])
        self.assertEqual(checked["pattern"][0]["result"], "ok",
                         "the pattern did not survive the migration: %s" % checked["pattern"])
        check_spm(self, d.memdevs, checked, [1], online=False)

    def test_live_seabios(self):
        self.migrate("seabios")

    def test_live_ovmf(self):
        self.migrate("ovmf")

    def test_p2p_seabios(self):
        self.migrate("seabios", p2p=True)

    def test_p2p_ovmf(self):
        self.migrate("ovmf", p2p=True)

    def test_shared_file_seabios(self):
        self.migrate("seabios", shared_file=True)

    def test_shared_file_ovmf_p2p(self):
        self.migrate("ovmf", p2p=True, shared_file=True)

    def test_destination_without_device(self):
        """Host B with the stock QEMU (sp-mem only) as the emulator refuses
        the guest running on spm-memory in its Prepare phase: the source
        is never paused and runs on, with its SPM."""
        r = subprocess.run([STOCK_TOOL], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, "tools/stock-qemu failed:\n" + r.stderr[-3000:])
        name = PREFIX + "stock-dest"
        d = self.start_writer(name, "seabios", False)
        try:
            stock = dest_xml(d, emulator=STOCK_QEMU)
            before = d.virsh("domstate", "--reason", name).stdout.strip()
            for p2p in ((), ("--p2p",)):
                r = d.virsh("migrate", "--live", name, URI_B, "--migrateuri", MIGRATE_URI,
                            "--xml", stock, *p2p, check=False, timeout=600)
                self.assertNotEqual(r.returncode, 0, "migrated to the stock QEMU")
                self.assertIn("domain's spm memory uses QEMU's 'spm-memory' device, which "
                              "QEMU binary '%s' lacks (it only has 'sp-mem')" % STOCK_QEMU,
                              r.stderr)
                self.assertEqual(d.state(), "running")
                self.assertEqual(d.virsh("domstate", "--reason", name).stdout.strip(), before,
                                 "the source was paused")
                self.assertNotIn(name, virsh("list", "--all", "--name", uri=URI_B).stdout.split())
            d.send("/bin/spm-probe --pattern=check:7; poweroff -f")
            d.wait_shutoff()
            checked = d.reports()[-1]
        finally:
            d.remove()
        self.assertEqual(checked["pattern"][0]["result"], "ok", checked["pattern"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
