#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An SPM guest through the libvirt Python API, as a management stack
(OpenStack Nova, oVirt) would make one.

Builds the domain XML with xml.etree (a q35 guest with a memory-only NUMA
node per SPM device's node and one <memory model='spm'> per --spm), defines
it, starts it paused, reads from the live XML the address QEMU placed each
spm device at, lets the guest run until it powers off (or --timeout
passes), then stops and undefines it.  Defaults boot the project's test
guest (build/guest) on the private libvirt of build/prefix, with Debian's
python3-libvirt:

    examples/spm-python.py --spm 1024:1 --console /tmp/spm/console

prints one line per spm device:

    spm alias=spm0 node=1 base=0x140000000 size=0x40000000
"""

import argparse
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import libvirt

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = os.path.join(TOP, "build", "prefix")


def default_uri():
    """The private daemon's URI, with its socket: tools/libvirtd uri."""
    try:
        return subprocess.run([os.path.join(TOP, "tools", "libvirtd"), "uri"], check=True,
                              stdout=subprocess.PIPE, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit("error: tools/libvirtd uri failed (%s); give --uri" % e)


UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "b": 1, "bytes": 1}


def spm_arg(text):
    """SIZE_MIB:NODE, e.g. 1024:1."""
    try:
        size, node = (int(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not SIZE_MIB:NODE" % text)
    if size <= 0 or node <= 0:
        raise argparse.ArgumentTypeError(
            "%r: the size must be positive and the node a memory-only one (1 or more)" % text)
    return size, node


def sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = str(text)
    return el


def domain_xml(args):
    """The domain: node 0 has the CPUs and the boot memory, nodes 1..N
    (N the highest node of an spm device) are memory-only cells."""
    dom = ET.Element("domain", type="qemu")
    sub(dom, "name", args.name)
    sub(dom, "maxMemory", args.max_memory, slots=4, unit="MiB")
    sub(dom, "memory", args.memory, unit="MiB")
    sub(dom, "vcpu", 2)
    os_ = sub(dom, "os", firmware="efi") if args.firmware == "ovmf" else sub(dom, "os")
    sub(os_, "type", "hvm", arch="x86_64", machine="q35")
    sub(os_, "kernel", args.kernel)
    sub(os_, "initrd", args.initrd)
    sub(os_, "cmdline", args.cmdline)
    sub(sub(dom, "features"), "acpi")
    numa = sub(sub(dom, "cpu"), "numa")
    sub(numa, "cell", id=0, cpus="0-1", memory=args.memory, unit="MiB")
    for node in range(1, max(n for _, n in args.spm) + 1):
        sub(numa, "cell", id=node, memory=0, unit="MiB")
    for event in ("on_poweroff", "on_reboot", "on_crash"):
        sub(dom, event, "destroy")
    devices = sub(dom, "devices")
    sub(devices, "emulator", args.emulator)
    if args.console:
        serial = sub(devices, "serial", type="file")
        sub(serial, "source", path=args.console)
    for size, node in args.spm:
        target = sub(sub(devices, "memory", model="spm"), "target")
        sub(target, "size", size, unit="MiB")
        sub(target, "node", node)
    return ET.tostring(dom, encoding="unicode")


def placed_spm(xml_text):
    """[(alias, node, base, size)] of the spm devices in live domain XML."""
    out = []
    for mem in ET.fromstring(xml_text).findall("./devices/memory[@model='spm']"):
        size = mem.find("./target/size")
        out.append((mem.find("./alias").get("name"), int(mem.find("./target/node").text),
                    int(mem.find("./target/address").get("base"), 16),
                    int(size.text) * UNITS[size.get("unit", "KiB")]))
    return out


def wait_shutoff(dom, timeout):
    deadline = time.monotonic() + timeout
    while dom.isActive():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--uri", help="libvirt URI (default: the private daemon's, tools/libvirtd uri)")
    p.add_argument("--name", default="spm-python")
    p.add_argument("--spm", type=spm_arg, action="append", metavar="SIZE_MIB:NODE",
                   help="an spm device on memory-only node NODE (repeatable; default 1024:1)")
    p.add_argument("--memory", type=int, default=2048, help="boot memory of node 0, MiB")
    p.add_argument("--max-memory", type=int, default=16384, help="<maxMemory>, MiB")
    p.add_argument("--firmware", choices=("seabios", "ovmf"), default="seabios")
    # the test guest of the kernel KERNEL names (6.12 by default, as lib/lib.sh)
    guest = os.path.join(TOP, "build", "guest", os.environ.get("KERNEL") or "6.12")
    p.add_argument("--kernel", default=os.path.join(guest, "vmlinuz"))
    p.add_argument("--initrd", default=os.path.join(guest, "initramfs.cpio.gz"))
    p.add_argument("--cmdline", default="console=ttyS0 quiet panic=-1 spm.online=1")
    p.add_argument("--emulator", default=os.path.join(PREFIX, "bin", "qemu-system-x86_64"))
    p.add_argument("--console", help="file for the guest's serial console")
    p.add_argument("--timeout", type=int, default=300,
                   help="seconds to let the guest run before it is stopped")
    args = p.parse_args()
    args.uri = args.uri or default_uri()
    args.spm = args.spm or [(1024, 1)]
    for path in (args.kernel, args.initrd, args.emulator):
        if not os.path.exists(path):
            p.error("%s does not exist" % path)

    # libvirt prints every error itself by default; say each once, here
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    try:
        conn = libvirt.open(args.uri)
    except libvirt.libvirtError as e:
        sys.exit("error: cannot connect to %s: %s" % (args.uri, e))
    dom = None
    try:
        dom = conn.defineXML(domain_xml(args))
        print("defined %s" % dom.name(), flush=True)
        # paused: the addresses are read before the guest runs
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
        for alias, node, base, size in placed_spm(dom.XMLDesc(0)):
            print("spm alias=%s node=%d base=%#x size=%#x" % (alias, node, base, size),
                  flush=True)
        dom.resume()
        if wait_shutoff(dom, args.timeout):
            print("the guest powered off", flush=True)
        else:
            print("the guest still runs after %d s: stopping it" % args.timeout, flush=True)
        return 0
    except libvirt.libvirtError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    finally:
        if dom is not None:
            if dom.isActive():
                dom.destroy()
            dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
            print("undefined %s" % args.name, flush=True)
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
