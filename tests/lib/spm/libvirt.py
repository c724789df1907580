# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot the test guest through the private libvirt of build/prefix.

The libvirt counterpart of spm.guest: domain XML for the rig's guest (q35,
TCG, direct kernel boot, serial console to a file), built with
xml.etree; the private daemon (tools/libvirtd); and a Domain that is
defined, started paused so that query-memory-devices and the live XML can
be read before the guest runs, resumed and waited for until it is shut
off.  Its console and control socket are spm.console's, as for plain QEMU,
so the assertions (spm.check) are the same too.
"""

import atexit
import grp
import json
import os
import pwd
import signal
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from spm.console import Console
from spm.guest import Result, check_built
from spm.paths import (INITRD, KERNEL, LIBVIRT_RUN, OVMF_DIR, PREFIX, QEMU, TOP,
                       check_socket_path, kernel_args)
from spm.report import READY, GuestError

VIRSH = os.path.join(PREFIX, "bin", "virsh")
LIBVIRTD = os.path.join(TOP, "tools", "libvirtd")
URI = "qemu:///system"
# virtqemud's status XML and pid file of each running domain
RUN_QEMU = os.path.join(LIBVIRT_RUN, "qemu")
QEMU_CONF = os.path.join(PREFIX, "etc", "libvirt", "qemu.conf")
SEABIOS = os.path.join(PREFIX, "share", "qemu", "bios-256k.bin")


class VirshError(Exception):
    """A virsh command failed; .stderr holds what it said."""

    def __init__(self, args, stderr):
        super().__init__("virsh %s failed: %s" % (" ".join(args), stderr.strip()))
        self.stderr = stderr


def virsh(*args, check=True, timeout=120, uri=URI):
    """Run virsh against the private daemon (or URI); returns the
    CompletedProcess."""
    env = dict(os.environ)
    env.pop("LIBVIRT_DEFAULT_URI", None)
    env.pop("VIRSH_DEFAULT_CONNECT_URI", None)
    res = subprocess.run([VIRSH, "-q", "-c", uri] + list(args), env=env,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=timeout)
    if check and res.returncode != 0:
        raise VirshError(args, res.stderr)
    return res


def domains(uri=URI):
    """The names of the domains defined or running on URI."""
    return virsh("list", "--all", "--name", uri=uri).stdout.split()


# --- the daemon ------------------------------------------------------------

class Daemon:
    """The private virtqemud, started once and stopped whatever happens:
    stop() runs from atexit and on SIGTERM too, and is idempotent."""

    def __init__(self):
        self.running = False

    def start(self):
        check_built(VIRSH, QEMU, KERNEL, INITRD)
        atexit.register(self.stop)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _sigterm)
        self.running = True
        subprocess.run([LIBVIRTD, "start"], check=True, stdin=subprocess.DEVNULL)

    def restart(self):
        """Restart virtqemud, leaving running guests alone."""
        subprocess.run([LIBVIRTD, "restart"], check=True, stdin=subprocess.DEVNULL)

    def stop(self):
        if self.running:
            self.running = False
            # tools/libvirtd stop destroys what still runs first.
            subprocess.run([LIBVIRTD, "stop"], stdin=subprocess.DEVNULL)

    def up(self, prefix=None):
        """start(), for a test module: a daemon that fails to come up is
        stopped again.  Domains whose names start with PREFIX, which an
        interrupted run left behind, are removed."""
        try:
            self.start()
            if prefix is not None:
                remove_domains(prefix)
        except BaseException:
            self.stop()
            raise

    def down(self, prefix):
        """Remove the domains whose names start with PREFIX, then stop."""
        try:
            if self.running:
                remove_domains(prefix)
        finally:
            self.stop()


def remove_domains(prefix, uri=URI):
    """Destroy and undefine every domain on URI whose name starts with PREFIX."""
    for name in virsh("list", "--all", "--name", uri=uri, check=False).stdout.split():
        if name.startswith(prefix):
            Domain(name, uri=uri).remove()


def qemu_user():
    """(name, uid, gid) of the user and group qemu.conf runs QEMU as."""
    conf = {}
    with open(QEMU_CONF) as f:
        for line in f:
            key, sep, value = line.partition("=")
            if sep and not key.lstrip().startswith("#"):
                conf[key.strip()] = value.strip().strip('"')
    name = conf.get("user", "root")
    return name, pwd.getpwnam(name).pw_uid, grp.getgrnam(conf.get("group", "root")).gr_gid


def recorded_spm_device(name, run_dir=RUN_QEMU):
    """The QEMU device virtqemud's status XML of running domain NAME records
    for its spm memory (<spm device='...'/>), or None."""
    root = ET.parse(os.path.join(run_dir, name + ".xml")).getroot()
    spm = root.find("./spm")
    return spm.get("device") if spm is not None else None


def _sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


# --- domain XML ------------------------------------------------------------

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


# --- the domain ------------------------------------------------------------

class Domain(Console):
    """One libvirt domain of the rig's guest, on daemon URI.  Leaving the
    context (or remove()) destroys and undefines it, whatever state it is
    in.  XML is its definition: text or an element (domain_element)."""

    def __init__(self, name, xml=None, workdir="/nonexistent", uri=URI, run_dir=RUN_QEMU):
        super().__init__(os.path.join(workdir, "console"), os.path.join(workdir, "ctl"))
        self.name = name
        # the daemon the domain is on (a migration moves it elsewhere)
        self.uri = uri
        self.run_dir = run_dir
        self.workdir = workdir
        self.xml_path = os.path.join(workdir, name + ".xml")
        if xml is not None:
            with open(self.xml_path, "w") as f:
                f.write(xml if isinstance(xml, str) else to_text(xml))
        self.memdevs = None
        self.live_xml = None

    def virsh(self, *args, **kwargs):
        return virsh(*args, uri=self.uri, **kwargs)

    def define(self):
        self.virsh("define", self.xml_path)
        return self

    def state(self):
        return self.virsh("domstate", self.name).stdout.strip()

    def dumpxml(self, *flags):
        return self.virsh("dumpxml", *flags, self.name).stdout

    def qmp(self, command):
        out = self.virsh("qemu-monitor-command", self.name, json.dumps({"execute": command}))
        return json.loads(out.stdout)["return"]

    def qemu_pid(self):
        with open(os.path.join(self.run_dir, self.name + ".pid")) as f:
            return int(f.read().strip())

    def check_unprivileged(self):
        """QEMU runs as qemu.conf's user and group, which are not root's."""
        user, uid, gid = qemu_user()
        if uid == 0 or gid == 0:
            raise GuestError("qemu.conf runs QEMU as root (user %r)" % user)
        st = os.stat("/proc/%d" % self.qemu_pid())
        if (st.st_uid, st.st_gid) != (uid, gid):
            raise GuestError("QEMU of %s runs as %d:%d, not as %s (%d:%d)"
                             % (self.name, st.st_uid, st.st_gid, user, uid, gid))

    def start(self):
        """Start paused, check that QEMU isn't root, read
        query-memory-devices and the live XML, resume."""
        self.virsh("start", "--paused", self.name)
        self.check_unprivileged()
        self.memdevs = self.qmp("query-memory-devices")
        self.live_xml = self.dumpxml()
        self.virsh("resume", self.name)
        return self

    def start_ready(self, timeout=300):
        """Define and start a domain in control mode; wait until the guest
        takes commands (READY, after its first report)."""
        self.define().start()
        self.wait_for(READY, timeout=timeout)
        return self

    def exited(self):
        """Shut off, or gone (a transient domain, once it stops)."""
        r = self.virsh("domstate", self.name, check=False)
        if r.returncode != 0:
            return "domain %s is gone from %s" % (self.name, self.uri)
        if r.stdout.strip() == "shut off":
            return "domain %s shut off" % self.name
        return None

    def wait_shutoff(self, timeout=300):
        """Wait until the domain is shut off (or gone), without a panic."""
        self.wait_until(lambda: self.exited() is not None,
                        "shut-off of domain " + self.name, timeout, interval=0.5,
                        check=lambda what: self.check_panic())
        self.check_panic()

    def result(self):
        return Result(self.reports()[0], self.memdevs, self.console, self.live_xml)

    def remove(self):
        self.reconnect()
        if self.virsh("domstate", self.name, check=False).stdout.strip() not in ("shut off", ""):
            self.virsh("destroy", self.name, check=False)
        self.virsh("undefine", "--nvram", self.name, check=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def controlled(name, workdir, devices=None, cells=cells(1), **kwargs):
    """A Domain NAME (not yet defined) whose guest takes commands and onlines
    nothing by itself: by default node 0 and node 1 with one 512 MiB spm
    device.  KWARGS are domain_element's."""
    if devices is None:
        devices = spm_element(512, 1)
    return Domain(name, domain_xml(name, workdir, devices, cells=cells, online=False,
                                   control=True, **kwargs), workdir)


def workdir(prefix="spm-libvirt-"):
    """A scratch directory for a domain's console, nvram and sockets.  QEMU
    runs unprivileged and opens files there (handed to it by libvirt), so
    the directory must be searchable by everybody (mkdtemp makes it 0700).
    Tests use spm.testcase.TestCase.workdir, which is removed after them."""
    wd = tempfile.mkdtemp(prefix=prefix)
    os.chmod(wd, 0o755)
    return wd


def boot(name, xml, wd, timeout=300):
    """Define, start and wait for a domain until it shut off; the Result
    (its .cmdline is the live XML while the guest ran); undefined after."""
    with Domain(name, xml, wd) as dom:
        dom.define().start()
        dom.wait_shutoff(timeout)
        return dom.result()


def check_hotplug_refused(tc, d, attach_flags=(("--live",), ())):
    """Attaching an spm device to running domain D and detaching its first
    one both fail with the error naming spm; the domain keeps running and
    neither libvirt nor QEMU changed anything."""
    live = spm_targets(d.live_xml)
    tc.assertTrue(live, "the domain has no spm device")
    new = os.path.join(d.workdir, "new-spm.xml")
    with open(new, "w") as f:
        f.write(spm_xml(256, live[0][2]))
    for flags in attach_flags:
        r = d.virsh("attach-device", d.name, new, *flags, check=False)
        tc.assertNotEqual(r.returncode, 0, flags)
        tc.assertIn("hotplug is not supported for the spm device", r.stderr)
        tc.assertEqual(d.state(), "running")
    old = os.path.join(d.workdir, "old-spm.xml")
    with open(old, "w") as f:
        f.write(spm_xml(live[0][3] >> 20, live[0][2], base=live[0][1]))
    r = d.virsh("detach-device", d.name, old, "--live", check=False)
    tc.assertNotEqual(r.returncode, 0)
    tc.assertIn("hot-unplug is not supported for the spm device", r.stderr)
    tc.assertEqual(d.state(), "running")
    tc.assertEqual(spm_targets(d.dumpxml()), live)
    tc.assertEqual(d.qmp("query-memory-devices"), d.memdevs)
