# SPDX-License-Identifier: GPL-2.0-or-later
"""<memory model='spm'> end to end through the private libvirt of build/prefix.

Domains are defined and started with virsh (q35, TCG, direct kernel boot of
the rig's guest) on SeaBIOS and on OVMF.  Each is started paused so that
query-memory-devices (through virsh qemu-monitor-command) and the live XML
are read before the guest runs; the guest then reports what it sees on its
serial console (a file) and powers off.  The assertions are spm.check's, the
same as for plain QEMU.  Hot plug and unplug must be refused with the guest
still running; bad XML must fail with its own message; the daemon must
survive all of it.
"""

import grp
import os
import pwd
import unittest
import xml.etree.ElementTree as ET

from spm import libvirt
from spm.check import check_dimms, check_hotplug_refused, check_live_xml, check_spm
from spm.domainxml import (cells, dimm_xml, domain_xml, spm_targets, spm_xml as spm,
                           template_element)
from spm.libvirt import Domain, controlled, domains, recorded_spm_device, virsh
from spm.paths import FIRMWARES, INITRD, KERNEL, TOP
from spmtest.case import LibvirtTestCase, add_tests
from spmtest.daemon import DAEMON
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 50
BUILDS = LIBVIRT_BUILDS
PREFIX = "spmtest-"
EXAMPLE = os.path.join(TOP, "examples", "spm-domain.xml")


SCENARIOS = {
    "single": (cells(1), spm(1024, 1), [1]),
    "multiple": (cells(2), spm(512, 2) + spm(256, 1) + spm(384, 2), [2, 1, 2]),
    "mixed": (cells(2), spm(512, 1) + dimm_xml(512, 2), [1]),
}

class SpmLibvirtBoot(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def boot(self, name, firmware):
        numa, devices, nodes = SCENARIOS[name]
        dom = "%s%s-%s" % (PREFIX, name, firmware)
        wd = self.workdir
        res = libvirt.boot(dom, domain_xml(dom, wd, devices, cells=numa, firmware=firmware), wd)
        self.assertNotIn(dom, domains())
        check_spm(self, res.memdevs, res.report, nodes)
        check_dimms(self, res.memdevs, res.report)
        check_live_xml(self, res.memdevs, res.cmdline)

    def test_example_seabios(self):
        """examples/spm-domain.xml as tools/main uses it."""
        wd = self.workdir
        root = template_element(EXAMPLE, wd, name=PREFIX + "example")
        res = libvirt.boot(PREFIX + "example", root, wd)
        check_spm(self, res.memdevs, res.report, [1])
        check_live_xml(self, res.memdevs, res.cmdline)


add_tests(SpmLibvirtBoot, "boot", (("%s_%s" % (name, fw), (name, fw))
                                   for name in SCENARIOS for fw in FIRMWARES))


class SpmLibvirtHotplug(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def test_attach_detach_refused(self):
        """Live attach and detach of spm fail clearly; the guest runs on."""
        dom = PREFIX + "hotplug"
        with controlled(dom, self.workdir) as d:
            d.start_ready()
            self.assertEqual(len(spm_targets(d.live_xml)), 1)
            # Refused; nothing changed, in libvirt, in QEMU or in the guest.
            check_hotplug_refused(self, d)
            d.send("/bin/spm-probe; poweroff -f")
            d.wait_shutoff()
            first, again = d.reports()
        check_spm(self, d.memdevs, first, [1], online=False)
        check_spm(self, d.memdevs, again, [1], online=False)
        self.assertNotIn(dom, domains())
        self.assertIn("Running hypervisor", virsh("version").stdout)


class SpmLibvirtDeviceRecord(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def test_recorded_across_restart(self):
        """virtqemud records the device it chose for spm (spm-memory with our
        QEMU) in the domain's status XML; a restart of virtqemud keeps the
        guest running and the record, and the guest still sees its SPM."""
        dom = PREFIX + "record"
        with controlled(dom, self.workdir) as d:
            d.start_ready()
            self.assertEqual(recorded_spm_device(dom), "spm-memory")
            pid = d.qemu_pid()
            DAEMON.restart()
            self.assertEqual(d.state(), "running")
            self.assertEqual(d.qemu_pid(), pid)
            self.assertEqual(recorded_spm_device(dom), "spm-memory")
            self.assertEqual(spm_targets(virsh("dumpxml", dom).stdout), spm_targets(d.live_xml))
            d.send("/bin/spm-probe; poweroff -f")
            d.wait_shutoff()
        check_spm(self, d.memdevs, d.reports()[-1], [1], online=False)


class SpmLibvirtLifecycle(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def test_save_managedsave_restart(self):
        """virsh save and restore, managedsave and start, and a restart of
        virtqemud keep the guest's data in SPM (a pattern written over its
        dax device), the live address and the recorded device."""
        dom = PREFIX + "lifecycle"
        saved = os.path.join(self.workdir, "saved")

        def check_pattern(d, after):
            d.reconnect()               # QEMU may be a new one, with a new socket
            self.assertEqual(d.state(), "running", after)
            self.assertEqual(spm_targets(d.dumpxml()), live, after)
            self.assertEqual(recorded_spm_device(dom), "spm-memory", after)
            seen = d.count_reports()    # the console may have begun anew
            d.send("/bin/spm-probe --pattern=check:7")
            result = d.wait_reports(seen + 1, timeout=120)[-1]["pattern"]
            self.assertEqual([p["result"] for p in result], ["ok"], after)

        with controlled(dom, self.workdir) as d:
            d.start_ready()
            live = spm_targets(d.live_xml)
            d.send("/bin/spm-probe --pattern=write:7")
            self.assertEqual(d.wait_reports(2, timeout=120)[1]["pattern"][0]["result"], "ok")

            virsh("save", dom, saved)
            self.assertEqual(d.state(), "shut off")
            virsh("restore", saved)
            check_pattern(d, "after save and restore")

            virsh("managedsave", dom)
            self.assertEqual(d.state(), "shut off")
            virsh("start", dom)
            check_pattern(d, "after managedsave and start")

            DAEMON.restart()
            check_pattern(d, "after a restart of virtqemud")
            d.send("poweroff -f")
            d.wait_shutoff()


def inactive_spm(dom):
    """[(path, base, node, size)] of the spm devices of DOM's persistent XML."""
    out = []
    text = virsh("dumpxml", "--inactive", dom).stdout
    for mem, target in zip(ET.fromstring(text).findall("./devices/memory[@model='spm']"),
                           spm_targets(text)):
        path = mem.find("source/path")
        out.append((path.text if path is not None else None,) + target[1:])
    return out


class SpmLibvirtConfig(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def test_update_detach_config(self):
        """update-device --config and detach-device --config find an spm
        device by its target (size, node, address) and change the persistent
        definition only: QEMU gets the new source at the next start."""
        dom = PREFIX + "config"
        wd = self.workdir
        old, new = os.path.join(wd, "old.img"), os.path.join(wd, "new.img")
        for path in (old, new):
            with open(path, "wb") as f:
                f.truncate(512 << 20)
        devices = spm(512, 1, source=old) + spm(256, 1) + spm(256, 1, base=0x180000000)

        def device_file(name, text):
            path = os.path.join(wd, name)
            with open(path, "w") as f:
                f.write(text)
            return path

        with Domain(dom, domain_xml(dom, wd, devices, cells=cells(1), online=False), wd) as d:
            d.define()
            # the target alone finds the device; its source is replaced
            virsh("update-device", dom, device_file("upd.xml", spm(512, 1, source=new)),
                  "--config")
            self.assertEqual(inactive_spm(dom), [(new, None, 1, 512 << 20),
                                                 (None, None, 1, 256 << 20),
                                                 (None, 0x180000000, 1, 256 << 20)])
            # the address picks one of the two 256 MiB devices
            virsh("detach-device", dom, device_file("det.xml", spm(256, 1, base=0x180000000)),
                  "--config")
            self.assertEqual(inactive_spm(dom), [(new, None, 1, 512 << 20),
                                                 (None, None, 1, 256 << 20)])
            r = virsh("detach-device", dom, device_file("none.xml", spm(128, 1)), "--config",
                      check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("no spm memory device of size '131072' KiB on node '1' matches",
                          r.stderr)
            r = virsh("update-device", dom, device_file("other.xml", spm(512, 0, source=old)),
                      "--config", check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("no spm memory device of size '524288' KiB on node '0' matches",
                          r.stderr)
            self.assertEqual(len(inactive_spm(dom)), 2)

            # QEMU gets the updated source; an update of the running domain's
            # persistent definition leaves the live one alone
            virsh("start", "--paused", dom)
            path = virsh("qemu-monitor-command", dom, "--hmp", "qom-get /objects/memspm0 mem-path")
            self.assertEqual(path.stdout.strip().strip('"'), new)
            virsh("update-device", dom, device_file("back.xml", spm(512, 1, source=old)),
                  "--config")
            live = d.dumpxml()
            self.assertIn("<path>%s</path>" % new, live)
            self.assertNotIn(old, live)
            self.assertEqual(inactive_spm(dom)[0][0], old)
            virsh("destroy", dom)
            self.assertEqual(inactive_spm(dom)[0][0], old)


def owner(path):
    st = os.stat(path)
    return st.st_uid, st.st_gid


class SpmLibvirtUnprivileged(LibvirtTestCase):
    """QEMU runs as qemu.conf's unprivileged user (Domain.start checks that
    for every test); the DAC driver lends it the files it needs."""
    DOMAIN_PREFIX = PREFIX

    def test_spm_file_owner(self):
        """A file-backed, shared SPM is handed to QEMU's user while the domain
        runs and given back to its owner (not root) when it stops, as are
        the kernel and initramfs; the guest sees the SPM."""
        _, quid, qgid = libvirt.qemu_ids()
        nobody = (pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid)
        dom = PREFIX + "owner"
        wd = self.workdir
        path = os.path.join(wd, "spm.img")
        with open(path, "wb") as f:
            f.truncate(512 << 20)
        os.chown(path, *nobody)
        os.chmod(path, 0o600)
        boot_files = {f: owner(f) for f in (KERNEL, INITRD)}
        devices = spm(512, 1, source=path, access="shared")
        with Domain(dom, domain_xml(dom, wd, devices, cells=cells(1)), wd) as d:
            d.define()
            self.assertEqual(owner(path), nobody)
            d.start()
            self.assertEqual(owner(path), (quid, qgid), "the SPM file during the run")
            for f in boot_files:
                self.assertEqual(owner(f), (quid, qgid), f)
            d.wait_shutoff()
            res = d.result()
        self.assertEqual(owner(path), nobody, "the SPM file after the domain stopped")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        for f, was in boot_files.items():
            self.assertEqual(owner(f), was, f)
        check_spm(self, res.memdevs, res.report, [1])

    def test_spm_path_unreachable(self):
        """An SPM path below a directory QEMU's user can't search is refused
        at start, before QEMU runs, with the path, the directory and the
        ids; the file is left as it was."""
        user, quid, qgid = libvirt.qemu_ids()
        dom = PREFIX + "unreachable"
        wd = self.workdir
        private = os.path.join(wd, "private")
        os.mkdir(private, 0o700)
        path = os.path.join(private, "spm.img")
        with open(path, "wb") as f:
            f.truncate(512 << 20)
        devices = spm(512, 1, source=path)
        with Domain(dom, domain_xml(dom, wd, devices, cells=cells(1)), wd) as d:
            d.define()
            r = virsh("start", dom, check=False)
            self.assertNotEqual(r.returncode, 0, "started")
            self.assertIn("QEMU, running as %d:%d, can't reach spm memory source path '%s' "
                          "through directory '%s': Permission denied"
                          % (quid, qgid, path, private), r.stderr)
            self.assertEqual(d.state(), "shut off")
        self.assertEqual(owner(path), (0, 0))
        self.assertIn("Running hypervisor", virsh("version").stdout)


# name: (domain_xml keyword arguments, failing command, message)
BAD = {
    # libvirt adds NUMA node 0 by itself to a domain without NUMA (ABI
    # update at define), so no NUMA fails on the node.
    "no-numa": (dict(devices=spm(1024, 1), cells=None), "define",
                "can't add memory backend for guest node '1' as the guest has only "
                "'1' NUMA nodes configured"),
    "node-out-of-range": (dict(devices=spm(1024, 2)), "define",
                          "can't add memory backend for guest node '2' as the guest has "
                          "only '2' NUMA nodes configured"),
    "node-missing": (dict(devices="<memory model='spm'><target><size unit='MiB'>1024"
                                  "</size></target></memory>"), "define",
                     "target NUMA node is required for model 'spm'"),
    "size-missing": (dict(devices="<memory model='spm'><target><node>1</node></target>"
                                  "</memory>"), "define",
                     "XML error: missing element or attribute './size'"),
    "size-zero": (dict(devices=spm(0, 1)), "define",
                  "memory size must be greater than zero for model 'spm'"),
    "size-unaligned": (dict(devices="<memory model='spm'><target><size unit='KiB'>1050624"
                                    "</size><node>1</node></target></memory>"), "define",
                       "spm memory size '1050624' KiB must be a multiple of 131072 KiB"),
    "address-unaligned": (dict(devices=spm(1024, 1, base=0x100200000)), "define",
                          "spm memory address '0x100200000' must be aligned to 131072 KiB"),
    "no-maxmemory": (dict(devices=spm(1024, 1), max_memory_mib=None), "define",
                     "cannot use/hotplug a memory device when domain 'maxMemory' is not "
                     "defined"),
    "exceeds-maxmemory": (dict(devices=spm(16384, 1)), "define",
                          "maximum memory size must be equal or greater than the actual "
                          "memory size"),
    "overlap-dimm": (dict(devices=spm(1024, 1, base=0x100000000)
                          + "<memory model='dimm'><target><size unit='MiB'>1024</size>"
                            "<node>0</node></target>"
                            "<address type='dimm' slot='0' base='0x120000000'/></memory>"),
                     "define",
                     "memory device address [0x100000000:0x140000000] overlaps with other "
                     "memory device (0x120000000)"),
    "machine-isapc": (dict(devices=spm(1024, 1) + "<controller type='usb' model='none'/>"
                           "<memballoon model='none'/>", machine="isapc", vcpus=1,
                           cells=((2048, "0"), (0, None))), "define",
                      "spm memory is supported only on x86 'pc' and 'q35' machines, not on "
                      "'x86_64' machine 'isapc'"),
    # Elements of other models: as for every model, the schema refuses them
    # and a plain define drops them.
    "label": (dict(devices="<memory model='spm'><target><size unit='MiB'>1024</size>"
                           "<node>1</node><label><size unit='KiB'>128</size></label>"
                           "</target></memory>"), "validate",
              "<label>"),
    "uuid": (dict(devices="<memory model='spm'><uuid>f7a0d6f6-0d5a-4d8e-9a8c-2c0c0b2b6a11"
                          "</uuid><target><size unit='MiB'>1024</size><node>1</node>"
                          "</target></memory>"), "validate", "<uuid>"),
    "dimm-address": (dict(devices="<memory model='spm'><target><size unit='MiB'>1024"
                                  "</size><node>1</node></target>"
                                  "<address type='dimm' slot='0'/></memory>"), "define",
                     "memory device address of type 'dimm' is not supported for model "
                     "'spm', use <target><address base=.../> instead"),
    "dynamicmemslots": (dict(devices="<memory model='spm'><target dynamicMemslots='yes'>"
                                     "<size unit='MiB'>1024</size><node>1</node></target>"
                                     "</memory>"), "validate", "dynamicMemslots"),
    "discard-path": (dict(devices="<memory model='spm' discard='yes'><source>"
                                  "<path>/dev/shm/spmtest</path></source><target>"
                                  "<size unit='MiB'>1024</size><node>1</node></target>"
                                  "</memory>"), "define",
                     "discard is not supported for model 'spm' with a source path"),
    "overlap-spm": (dict(devices=spm(1024, 1, base=0x100000000)
                         + spm(1024, 1, base=0x120000000)), "define",
                    "memory device address [0x100000000:0x140000000] overlaps with other "
                    "memory device (0x120000000)"),
    "adjoining-nodes": (dict(devices=spm(1024, 1, base=0x100000000)
                             + spm(1024, 2, base=0x140000000), cells=cells(2)), "define",
                        "spm memory range [0x100000000:0x140000000] on guest NUMA node 1 "
                        "adjoins spm memory range [0x140000000:0x180000000] on node 2"),
    # One node or two: the guest would merge the ranges into one dax device.
    "adjoining-same-node": (dict(devices=spm(1024, 1, base=0x100000000)
                                 + spm(512, 1, base=0x140000000)), "define",
                            "spm memory range [0x100000000:0x140000000] on guest NUMA node 1 "
                            "adjoins spm memory range [0x140000000:0x160000000] on node 1"),
    # Checked by QEMU only, when the domain starts.
    "outside-device-memory": (dict(devices=spm(1024, 1, base=0x40000000)), "start",
                              "can't add memory device [0x40000000:0x40000000], usable "
                              "range for memory devices"),
}


class SpmLibvirtBadXML(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def bad(self, name):
        kwargs, phase, message = BAD[name]
        dom = PREFIX + "bad-" + name
        wd = self.workdir
        with Domain(dom, domain_xml(dom, wd, **kwargs), wd) as d:
            if phase == "validate":
                # message: what the schema refuses and a plain define drops
                r = virsh("define", "--validate", d.xml_path, check=False)
                self.assertNotEqual(r.returncode, 0, "define --validate succeeded")
                self.assertIn("XML document failed to validate against schema", r.stderr)
                self.assertNotIn(dom, domains())
            r = virsh("define", d.xml_path, check=False)
            if phase == "validate":
                self.assertEqual(r.returncode, 0, r.stderr)
                mem = ET.fromstring(d.dumpxml("--inactive")).find("devices/memory[@model='spm']")
                self.assertIsNotNone(mem)
                self.assertNotIn(message, ET.tostring(mem, encoding="unicode"))
            elif phase == "define":
                self.assertNotEqual(r.returncode, 0, "define succeeded")
                self.assertIn(message, r.stderr)
                self.assertNotIn(dom, domains())
            else:
                self.assertEqual(r.returncode, 0, r.stderr)
                r = virsh("start", dom, check=False)
                self.assertNotEqual(r.returncode, 0, "start succeeded")
                self.assertIn(message, r.stderr)
                self.assertEqual(d.state(), "shut off")
                self.assertNotIn(dom, virsh("list", "--name").stdout.split())
        self.assertIn("Running hypervisor", virsh("version").stdout)


add_tests(SpmLibvirtBadXML, "bad", ((name, (name,)) for name in BAD))


if __name__ == "__main__":
    unittest.main(verbosity=2)
