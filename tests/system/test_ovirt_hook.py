# SPDX-License-Identifier: GPL-2.0-or-later
"""integrations/ovirt end to end: oVirt VMs with SPM through the VDSM hook.

VDSM and the engine do not run here (VDSM is not packaged for Debian).
What they would do is done as they do it: the domain XML VDSM 4.50 hands
its before_vm_start hooks (the fixtures of tests/unit/ovirt-hook.d) goes
through the hook run as VDSM runs it (vdsm_hook.run: the custom property
spm in the environment, the XML in the file _hook_domxml names); the
result is defined and started in the project's libvirt, as VDSM would
define and start it, on SeaBIOS and on OVMF.

Between the hook and libvirt, runnable_here() replaces what can't exist
on this machine, and only that (see there): VDSM's disks, networks,
display and channel sockets, oVirt's machine type and firmware paths,
KVM.  The guest is the test guest, booted directly, which reports what
it sees and powers off: each spm device must be a Soft Reserved range
of the size asked on a NUMA node of its own, after the VM's nodes, with
its dax device, onlined by kmem (spm.check); the VM's own nodes keep
its memory, and VDSM's metadata is in the live XML.
"""

import importlib.util
import io
import os
import xml.etree.ElementTree as ET

from spm import libvirt
from spm.check import check_live_xml, check_spm, spm_devices
from spm.domainxml import add_firmware
from spm.libvirt import domains
from spm.paths import FIRMWARES, INITRD, KERNEL, QEMU, TOP, kernel_args
from spmtest.case import LibvirtTestCase, add_tests
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 88
BUILDS = LIBVIRT_BUILDS
PREFIX = "spmovirt-"
OVIRT_VM = "http://ovirt.org/vm/1.0"


def _load(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the unit suite's VDSM runner, with its fixtures
vdsm_hook = _load(os.path.join(TOP, "tests", "unit", "ovirt-hook.d", "vdsm_hook.py"))

# fixture, the VM's spm property, the node of each device
CASES = {
    "vnuma": ("vdsm-4.50-vnuma", "1024,512", [2, 3]),
    "no-numa": ("vdsm-4.50-no-numa", "256,128,512", [1, 2, 3]),
}


def runnable_here(xml, name, workdir, firmware):
    """The root element of domain XML (bytes, as the hook left it) with
    what can't exist on this machine replaced, nothing else:

    - the name, with the domain prefix that LibvirtTestCase cleans up;
    - <domain type='kvm'>: KVM fails early in the guest kernel on these
      machines, TCG instead;
    - oVirt's RHEL machine type: upstream QEMU's alias of the chipset;
    - oVirt's OVMF paths: this machine's (add_firmware), none on SeaBIOS;
    - VDSM's disks (images below /rhev), oVirt's bridge and network
      filter, the display (VNC and SPICE on VDSM's display network, QXL:
      none of them in this QEMU build) and VDSM's channel sockets (in
      /var/lib/libvirt/qemu/channels): removed;
    - what the test guest needs: our QEMU as <emulator>, its kernel,
      initrd and command line (direct boot, as there is no disk), a serial
      console into WORKDIR for its report, and no reboot or restart after
      a crash, so that the guest stops when it powered off or panicked.
    """
    # ElementTree is to write VDSM's metadata with its own prefixes.
    for _, (prefix, uri) in ET.iterparse(io.BytesIO(xml), events=("start-ns",)):
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(xml)
    root.find("name").text = name
    root.set("type", "qemu")
    os_elem = root.find("os")
    os_type = os_elem.find("type")
    machine = os_type.get("machine")
    os_type.set("machine", "q35" if machine.startswith("pc-q35-") else "pc")
    for tag in ("loader", "nvram"):
        for elem in os_elem.findall(tag):
            os_elem.remove(elem)
    add_firmware(os_elem, firmware, workdir)
    for tag, text in (("kernel", KERNEL), ("initrd", INITRD),
                      ("cmdline", kernel_args(online=True))):
        ET.SubElement(os_elem, tag).text = text
    devices = root.find("devices")
    for tag in ("disk", "interface", "graphics", "video", "channel", "serial", "console"):
        for elem in devices.findall(tag):
            devices.remove(elem)
    emulator = ET.Element("emulator")
    emulator.text = QEMU
    devices.insert(0, emulator)
    serial = ET.SubElement(devices, "serial", type="file")
    ET.SubElement(serial, "source", path=os.path.join(workdir, "console"))
    ET.SubElement(serial, "target", port="0")
    for event in ("on_reboot", "on_crash"):
        ET.SubElement(root, event).text = "destroy"
    return root


class OvirtHook(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def boot(self, case, firmware):
        fixture, value, nodes = CASES[case]
        name = "%s%s-%s" % (PREFIX, case, firmware)
        hooked = vdsm_hook.run(vdsm_hook.fixture(fixture), {"spm": value})
        self.assertEqual(hooked.returncode, 0, hooked.stderr)
        wd = self.workdir
        root = runnable_here(hooked.xml, name, wd, firmware)
        guest = libvirt.boot(name, root, wd)
        self.assertNotIn(name, domains())

        sizes = [int(size) << 20 for size in value.split(",")]
        self.assertEqual([(d["data"]["size"], d["data"]["node"])
                          for d in spm_devices(guest.memdevs)], list(zip(sizes, nodes)))
        check_spm(self, guest.memdevs, guest.report, nodes)
        check_live_xml(self, guest.memdevs, guest.cmdline)

        # The VM's nodes have its memory, an SPM node nothing but its SPM.
        cells = root.findall("cpu/numa/cell")
        self.assertEqual([c.get("id") for c in cells], [str(n) for n in range(nodes[-1] + 1)])
        boot = guest.report.memtotal_kb("boot")
        for cell in cells[:nodes[0]]:
            node = int(cell.get("id"))
            self.assertTrue(0 < boot.get(node, 0) <= int(cell.get("memory")),
                            "node %d has %s KiB of its %s" % (node, boot.get(node),
                                                              cell.get("memory")))
        before = guest.report.memtotal_kb("before")
        for node in nodes:
            self.assertEqual(before.get(node, 0), 0, "SPM node %d had memory" % node)

        # VDSM's metadata, which it reads back once the VM runs
        vm = ET.fromstring(guest.cmdline).find("metadata/{%s}vm" % OVIRT_VM)
        self.assertEqual(vm.find("{%s}custom/{%s}spm" % (OVIRT_VM, OVIRT_VM)).text, value)
        self.assertEqual(vm.find("{%s}clusterVersion" % OVIRT_VM).text, "4.7")


add_tests(OvirtHook, "boot", (("%s_%s" % (case, fw), (case, fw))
                              for case in CASES for fw in FIRMWARES))
