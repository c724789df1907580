# SPDX-License-Identifier: GPL-2.0-or-later
"""<memory model='spm'> end to end through the private libvirt of build/prefix.

Domains are defined and started with virsh (q35, TCG, direct kernel boot of
the rig's guest) on SeaBIOS and on OVMF.  Each is started paused so that
query-memory-devices (through virsh qemu-monitor-command) and the live XML
are read before the guest runs; the guest then reports what it sees on its
serial console (a file) and powers off.  The assertions are spmcheck's, the
same as for plain QEMU.  Hot plug and unplug must be refused with the guest
still running; bad XML must fail with its own message; the daemon must
survive all of it.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import spmguest  # noqa: E402
import spmlibvirt  # noqa: E402
from spmcheck import check_dimms, check_spm, spm_devices  # noqa: E402
from spmguest import memdev_range  # noqa: E402
from spmlibvirt import Domain, check_hotplug_refused, dimm_xml, domain_xml, spm_targets, virsh  # noqa: E402,E501
from spmlibvirt import spm_xml as spm  # noqa: E402

PREFIX = "spmtest-"
EXAMPLE = os.path.join(spmguest.TOP, "examples", "spm-domain.xml")


def cells(memory_only):
    """Node 0 with both CPUs and 2 GiB, then MEMORY_ONLY nodes without memory."""
    return ((2048, "0-1"),) + ((0, None),) * memory_only


SCENARIOS = {
    "single": (cells(1), spm(1024, 1), [1]),
    "multiple": (cells(2), spm(512, 2) + spm(256, 1) + spm(384, 2), [2, 1, 2]),
    "mixed": (cells(2), spm(512, 1) + dimm_xml(512, 2), [1]),
}

daemon = spmlibvirt.Daemon()


def setUpModule():
    daemon.up()


def tearDownModule():
    daemon.down(PREFIX)


def domains():
    return virsh("list", "--all", "--name").stdout.split()


class SpmLibvirtBoot(unittest.TestCase):
    def check_live_xml(self, res):
        """The live XML names the devices spm0.. and holds QEMU's addresses."""
        spms = spm_devices(res.memdevs)
        targets = spm_targets(res.cmdline)
        self.assertEqual([t[0] for t in targets], ["spm%d" % i for i in range(len(spms))])
        by_id = {d["data"]["id"]: d for d in spms}
        self.assertEqual(sorted(by_id), sorted(t[0] for t in targets))
        for alias, base, node, size in targets:
            self.assertEqual((base, base + size), memdev_range(by_id[alias]),
                             "%s: live XML address differs from QEMU's" % alias)
            self.assertEqual(node, by_id[alias]["data"]["node"], alias)

    def boot(self, name, firmware):
        numa, devices, nodes = SCENARIOS[name]
        dom = "%s%s-%s" % (PREFIX, name, firmware)
        wd = spmlibvirt.workdir()
        res = spmlibvirt.boot(dom, domain_xml(dom, wd, devices, cells=numa,
                                              firmware=firmware), wd)
        self.assertNotIn(dom, domains())
        check_spm(self, res.memdevs, res.report, nodes)
        check_dimms(self, res.memdevs, res.report)
        self.check_live_xml(res)

    def test_example_seabios(self):
        """examples/spm-domain.xml as tools/main uses it."""
        wd = spmlibvirt.workdir()
        with open(EXAMPLE) as f:
            text = spmlibvirt.fill_template(f.read(), wd).replace(
                "<name>spm-example</name>", "<name>%sexample</name>" % PREFIX)
        res = spmlibvirt.boot(PREFIX + "example", text, wd)
        check_spm(self, res.memdevs, res.report, [1])
        self.check_live_xml(res)


def add_boot_tests():
    for name in SCENARIOS:
        for fw in spmguest.FIRMWARES:
            def test(self, name=name, fw=fw):
                self.boot(name, fw)
            setattr(SpmLibvirtBoot, "test_%s_%s" % (name, fw), test)


add_boot_tests()


class SpmLibvirtHotplug(unittest.TestCase):
    def test_attach_detach_refused(self):
        """Live attach and detach of spm fail clearly; the guest runs on."""
        dom = PREFIX + "hotplug"
        wd = spmlibvirt.workdir()
        xml = domain_xml(dom, wd, spm(512, 1), cells=cells(1), online=False, control=True)
        with Domain(dom, xml, wd) as d:
            d.define().start()
            d.wait_for("@@SPM-GUEST READY@@")
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
    "label": (dict(devices="<memory model='spm'><target><size unit='MiB'>1024</size>"
                           "<node>1</node><label><size unit='KiB'>128</size></label>"
                           "</target></memory>"), "define",
              "element <label> is not supported for memory model 'spm'"),
    "uuid": (dict(devices="<memory model='spm'><uuid>f7a0d6f6-0d5a-4d8e-9a8c-2c0c0b2b6a11"
                          "</uuid><target><size unit='MiB'>1024</size><node>1</node>"
                          "</target></memory>"), "define",
             "element <uuid> is not supported for memory model 'spm'"),
    "dimm-address": (dict(devices="<memory model='spm'><target><size unit='MiB'>1024"
                                  "</size><node>1</node></target>"
                                  "<address type='dimm' slot='0'/></memory>"), "define",
                     "memory device address of type 'dimm' is not supported for model "
                     "'spm', use <target><address base=.../> instead"),
    "dynamicmemslots": (dict(devices="<memory model='spm'><target dynamicMemslots='yes'>"
                                     "<size unit='MiB'>1024</size><node>1</node></target>"
                                     "</memory>"), "define",
                        "attribute 'dynamicMemslots' of <target> is not supported for "
                        "memory model 'spm'"),
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
                        "adjoins that of spm memory device"),
    # Checked by QEMU only, when the domain starts.
    "outside-device-memory": (dict(devices=spm(1024, 1, base=0x40000000)), "start",
                              "can't add memory device [0x40000000:0x40000000], usable "
                              "range for memory devices"),
}


class SpmLibvirtBadXML(unittest.TestCase):
    def bad(self, name):
        kwargs, phase, message = BAD[name]
        dom = PREFIX + "bad-" + name
        wd = spmlibvirt.workdir()
        with Domain(dom, domain_xml(dom, wd, **kwargs), wd) as d:
            r = virsh("define", d.xml_path, check=False)
            if phase == "define":
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


def add_bad_tests():
    for name in BAD:
        def test(self, name=name):
            self.bad(name)
        setattr(SpmLibvirtBadXML, "test_%s" % name.replace("-", "_"), test)


add_bad_tests()


if __name__ == "__main__":
    unittest.main(verbosity=2)
