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
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import spmguest  # noqa: E402
import spmlibvirt  # noqa: E402
from spmcheck import check_spm  # noqa: E402
from spmlibvirt import Domain, domain_xml, recorded_spm_device, spm_targets, virsh  # noqa: E402
from spmlibvirt import spm_xml as spm  # noqa: E402

PREFIX = "spmmig-"
PAIR = os.path.join(spmguest.TOP, "tools", "libvirt-pair")
PEER_RUN = os.path.join(spmguest.BUILD, "peer", "var", "run", "libvirt")
URI_B = "qemu+unix:///system?socket=" + os.path.join(PEER_RUN, "virtqemud-sock")
RUN_QEMU_B = os.path.join(PEER_RUN, "qemu")
STOCK_TOOL = os.path.join(spmguest.TOP, "tools", "stock-qemu")
STOCK_QEMU = os.path.join(spmguest.BUILD, "stock-qemu", "qemu-system-x86_64")
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
        for uri in (URI_B, spmlibvirt.URI):
            for name in virsh("list", "--all", "--name", uri=uri, check=False).stdout.split():
                if name.startswith(PREFIX):
                    virsh("destroy", name, uri=uri, check=False)
                    virsh("undefine", "--nvram", name, uri=uri, check=False)
    finally:
        subprocess.run([PAIR, "stop"], stdin=subprocess.DEVNULL)


def cells():
    return ((2048, "0-1"), (0, None))


def wait_reports(d, count, timeout=300):
    deadline = time.monotonic() + timeout
    while len(d.reports()) < count:
        if time.monotonic() > deadline:
            raise spmguest.GuestError("no report %d from the guest; console tail:\n%s"
                                      % (count, spmguest.tail(d.console)))
        time.sleep(0.2)
    return d.reports()


def wait_gone(d, timeout=300):
    """Wait until the (transient) domain D is shut off or gone on its host."""
    deadline = time.monotonic() + timeout
    while True:
        r = d.virsh("domstate", d.name, check=False)
        if r.returncode != 0 or r.stdout.strip() == "shut off":
            return
        if time.monotonic() > deadline:
            raise spmguest.GuestError("%s still %s after %d s; console tail:\n%s"
                                      % (d.name, r.stdout.strip(), timeout,
                                         spmguest.tail(d.console)))
        time.sleep(0.5)


def reconnect(d):
    """Drop the guest's control connection: after a migration the socket
    belongs to the destination's QEMU."""
    if d.ctl is not None:
        d.ctl.close()
        d.ctl = None


def dest_xml(d, emulator=None):
    """The file of D's migratable XML for the destination.  Both hosts share
    this machine's files: the destination's QEMU gets a console and a
    control socket of its own (a libvirt removes the socket of a domain
    that stops on it), and EMULATOR if given."""
    path = os.path.join(d.workdir, "dest.xml")
    text = (d.virsh("dumpxml", "--migratable", d.name).stdout
            .replace(d.console + "'", d.console + "-b'")
            .replace(d.ctl_path + "'", d.ctl_path + "-b'"))
    if emulator:
        text = text.replace("<emulator>%s</emulator>" % spmguest.QEMU,
                            "<emulator>%s</emulator>" % emulator)
    with open(path, "w") as f:
        f.write(text)
    return path


class Migration(unittest.TestCase):
    def start_writer(self, name, firmware, shared_file):
        """Define and start NAME on host A; the guest writes pattern 7 over
        its SPM.  Returns (domain, written report)."""
        wd = spmlibvirt.workdir()
        extra = ""
        if shared_file:
            path = os.path.join(wd, "spm.img")
            with open(path, "wb") as f:
                f.truncate(512 << 20)
            extra = "<source><path>%s</path></source>" % path
        devices = spm(512, 1, extra=extra)
        if shared_file:
            devices = devices.replace("<memory model='spm'>",
                                      "<memory model='spm' access='shared'>", 1)
        d = Domain(name, domain_xml(name, wd, devices, cells=cells(), firmware=firmware,
                                    online=False, control=True), wd)
        d.define().start()
        d.wait_for("@@SPM-GUEST READY@@")
        d.send("/bin/spm-probe --pattern=write:7")
        written = wait_reports(d, 2)[1]
        self.assertEqual(len(written["pattern"]), 1, written["pattern"])
        self.assertEqual(written["pattern"][0]["result"], "ok")
        return d

    def migrate(self, firmware, p2p=False, shared_file=False):
        name = "%s%s%s%s" % (PREFIX, firmware, "-p2p" if p2p else "",
                             "-file" if shared_file else "")
        d = self.start_writer(name, firmware, shared_file)
        try:
            live = spm_targets(d.virsh("dumpxml", name).stdout)
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
            self.assertEqual(spm_targets(d.virsh("dumpxml", name).stdout), live,
                             "host B's live XML differs in the spm device")
            self.assertEqual(recorded_spm_device(name, run_dir=RUN_QEMU_B), "spm-memory")
            reconnect(d)
            # a check against another seed first: it must see the difference
            d.send("/bin/spm-probe --pattern=check:8; /bin/spm-probe --pattern=check:7; "
                   "poweroff -f")
            wait_gone(d)
            other, checked = d.reports()[-2:]
        finally:
            reconnect(d)
            d.virsh("destroy", name, check=False)
            d.uri, d.run_dir = spmlibvirt.URI, spmlibvirt.RUN_QEMU
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
