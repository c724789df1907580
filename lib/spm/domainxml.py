# SPDX-License-Identifier: GPL-2.0-or-later
"""Domain XML of the rig's guest, built with xml.etree: q35, TCG, direct
kernel boot of the test guest, its serial console to a file and, with
control, a second serial port on a Unix socket; NUMA cells, spm and dimm
memory devices, firmware; the example domains of examples/ with their
placeholders filled; and look-ups of spm devices in domain XML.  It only
builds and reads text: spm.libvirt defines and runs it."""

import os
import xml.etree.ElementTree as ET

from spm.paths import INITRD, KERNEL, OVMF_DIR, QEMU, check_socket_path, kernel_args


def _sub(parent, tag, text=None, **attrib):
    elem = ET.SubElement(parent, tag, {k: str(v) for k, v in attrib.items()})
    if text is not None:
        elem.text = str(text)
    return elem


def to_text(elem):
    return ET.tostring(elem, encoding="unicode")


def device_elements(devices):
    """DEVICES as a list of elements: an element, XML text of any number
    of devices, or a list of either."""
    if isinstance(devices, ET.Element):
        return [devices]
    if isinstance(devices, str):
        return list(ET.fromstring("<devices>%s</devices>" % devices))
    return [e for d in devices for e in device_elements(d)]


def memory_element(model, size_mib, node):
    """<memory model=MODEL> of SIZE_MIB on guest NODE."""
    mem = ET.Element("memory", model=model)
    target = _sub(mem, "target")
    _sub(target, "size", size_mib, unit="MiB")
    _sub(target, "node", node)
    return mem


def spm_element(size_mib, node, base=None, source=None, access=None):
    """<memory model='spm'> of SIZE_MIB on NODE, at address BASE, backed by
    file SOURCE, with memory ACCESS ('shared', 'private') if given."""
    mem = memory_element("spm", size_mib, node)
    if access is not None:
        mem.set("access", access)
    if source is not None:
        src = ET.Element("source")
        _sub(src, "path", source)
        mem.insert(0, src)
    if base is not None:
        _sub(mem.find("target"), "address", base="%#x" % base)
    return mem


def spm_xml(size_mib, node, base=None, extra="", **kwargs):
    """spm_element as text; EXTRA is XML text put first into <memory>."""
    mem = spm_element(size_mib, node, base=base, **kwargs)
    for i, child in enumerate(device_elements(extra)):
        mem.insert(i, child)
    return to_text(mem)


def dimm_xml(size_mib, node):
    return to_text(memory_element("dimm", size_mib, node))


def cells(memory_only):
    """Node 0 with both CPUs and 2 GiB, then MEMORY_ONLY nodes without memory
    (domain_xml's CELLS)."""
    return ((2048, "0-1"),) + ((0, None),) * memory_only


def add_firmware(os_elem, firmware, workdir):
    """The <loader> and <nvram> of FIRMWARE into <os>, after <type>:
    'seabios' is QEMU's default, our bios-256k.bin, and needs none."""
    if firmware == "seabios":
        return
    if firmware != "ovmf":
        raise ValueError("unknown firmware %r" % firmware)
    loader = ET.Element("loader", readonly="yes", type="pflash")
    loader.text = os.path.join(OVMF_DIR, "OVMF_CODE_4M.fd")
    nvram = ET.Element("nvram", template=os.path.join(OVMF_DIR, "OVMF_VARS_4M.fd"))
    nvram.text = os.path.join(workdir, "OVMF_VARS.fd")
    at = list(os_elem).index(os_elem.find("type")) + 1
    os_elem.insert(at, loader)
    os_elem.insert(at + 1, nvram)


def domain_element(name, workdir, devices=(), cells=((2048, "0-1"), (0, None)),
                   firmware="seabios", machine="q35", online=True, control=False,
                   max_memory_mib=16384, slots=4, vcpus=2, emulator=QEMU, rom=None):
    """The root element of a domain that boots the rig's guest.

    CELLS are (memory MiB, cpus or None) per guest NUMA node (None: no
    <numa> at all); DEVICES are device_elements' (spm_element,
    memory_element, XML text); MAX_MEMORY_MIB None leaves <maxMemory> out.
    EMULATOR is the QEMU binary; ROM a BIOS image to load instead of
    QEMU's default (<loader type='rom'>).  The console goes to
    WORKDIR/console; with CONTROL the guest takes commands on WORKDIR/ctl
    (ttyS1).
    """
    root = ET.Element("domain", type="qemu")
    _sub(root, "name", name)
    if max_memory_mib is not None:
        _sub(root, "maxMemory", max_memory_mib, slots=slots, unit="MiB")
    _sub(root, "memory", sum(m for m, _ in cells) if cells else 2048, unit="MiB")
    _sub(root, "vcpu", vcpus)
    os_elem = _sub(root, "os")
    _sub(os_elem, "type", "hvm", arch="x86_64", machine=machine)
    if rom is not None:
        _sub(os_elem, "loader", rom, type="rom")
    add_firmware(os_elem, firmware, workdir)
    _sub(os_elem, "kernel", KERNEL)
    _sub(os_elem, "initrd", INITRD)
    _sub(os_elem, "cmdline", kernel_args(online, control))
    _sub(_sub(root, "features"), "acpi")
    if cells:
        numa = _sub(_sub(root, "cpu"), "numa")
        for i, (mem, cpus) in enumerate(cells):
            cell = _sub(numa, "cell", id=i)
            if cpus:
                cell.set("cpus", cpus)
            cell.set("memory", str(mem))
            cell.set("unit", "MiB")
    for event in ("on_poweroff", "on_reboot", "on_crash"):
        _sub(root, event, "destroy")
    devs = _sub(root, "devices")
    _sub(devs, "emulator", emulator)
    serial = _sub(devs, "serial", type="file")
    _sub(serial, "source", path=os.path.join(workdir, "console"))
    _sub(serial, "target", port=0)
    if control:
        serial = _sub(devs, "serial", type="unix")
        _sub(serial, "source", mode="bind",
             path=check_socket_path(os.path.join(workdir, "ctl"), "the guest's control socket"))
        _sub(serial, "target", port=1)
    devs.extend(device_elements(devices))
    return root


def domain_xml(name, workdir, devices=(), **kwargs):
    """domain_element as text, indented."""
    root = domain_element(name, workdir, devices, **kwargs)
    ET.indent(root)
    return to_text(root)


TEMPLATE = {"@KERNEL@": KERNEL, "@INITRD@": INITRD, "@QEMU@": QEMU,
            "@OVMF_DIR@": OVMF_DIR}


def template_element(path, workdir, name=None):
    """The root of the example domain in file PATH (examples/*.xml), its
    placeholders (@KERNEL@, @INITRD@, @QEMU@, @OVMF_DIR@, @WORKDIR@) filled
    in, in element text and attribute values; renamed NAME if given."""
    values = dict(TEMPLATE, **{"@WORKDIR@": workdir})

    def fill(text):
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    root = ET.parse(path).getroot()
    for elem in root.iter():
        if elem.text:
            elem.text = fill(elem.text)
        for key, value in elem.attrib.items():
            elem.set(key, fill(value))
    if name is not None:
        root.find("name").text = name
    return root


def set_emulator(xml_text, emulator):
    """Domain XML_TEXT with EMULATOR as its <emulator>."""
    root = ET.fromstring(xml_text)
    root.find("devices/emulator").text = emulator
    return to_text(root)


def spm_targets(xml_text):
    """[(alias, base, node, size in bytes)] of the spm devices in domain XML."""
    out = []
    for mem in ET.fromstring(xml_text).findall("./devices/memory[@model='spm']"):
        alias = mem.find("alias")
        addr = mem.find("target/address")
        size = mem.find("target/size")
        scale = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[size.get("unit", "KiB")]
        out.append((alias.get("name") if alias is not None else None,
                    int(addr.get("base"), 16) if addr is not None else None,
                    int(mem.find("target/node").text), int(size.text) * scale))
    return out
