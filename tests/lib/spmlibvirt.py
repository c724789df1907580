# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot the test guest through the private libvirt of build/prefix.

The libvirt counterpart of spmguest: domain XML for the rig's guest (q35,
TCG, direct kernel boot, serial console to a file), the private daemon
(tools/libvirtd), and a Domain that is defined, started paused so that
query-memory-devices and the live XML can be read before the guest runs,
resumed and waited for until it is shut off.  The guest's report is parsed
by spmguest, so the assertions (spmcheck) are the same as with plain QEMU.
"""

import atexit
import grp
import json
import os
import pwd
import signal
import socket
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

from spmguest import (INITRD, KERNEL, OVMF_DIR, PREFIX, QEMU, TOP, GuestError,
                      Result, console_reports, tail)

VIRSH = os.path.join(PREFIX, "bin", "virsh")
LIBVIRTD = os.path.join(TOP, "tools", "libvirtd")
URI = "qemu:///system"
# virtqemud's status XML and pid file of each running domain
RUN_QEMU = os.path.join(PREFIX, "var", "run", "libvirt", "qemu")
QEMU_CONF = os.path.join(PREFIX, "etc", "libvirt", "qemu.conf")
KARGS = "console=ttyS0 quiet panic=-1 log_buf_len=4M"


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


# --- the daemon ------------------------------------------------------------

class Daemon:
    """The private virtqemud, started once and stopped whatever happens:
    stop() runs from atexit and on SIGTERM too, and is idempotent."""

    def __init__(self):
        self.running = False

    def start(self):
        for path in (VIRSH, QEMU, KERNEL, INITRD):
            if not os.path.exists(path):
                raise GuestError("%s is missing: run 'make build' first" % path)
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

    def up(self):
        """start(), for a test module: a daemon that fails to come up is
        stopped again."""
        try:
            self.start()
        except BaseException:
            self.stop()
            raise

    def down(self, prefix):
        """Remove the domains whose names start with PREFIX, then stop."""
        try:
            if self.running:
                for name in virsh("list", "--all", "--name", check=False).stdout.split():
                    if name.startswith(prefix):
                        Domain(name).remove()
        finally:
            self.stop()


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

def spm_xml(size_mib, node, base=None, extra=""):
    addr = "<address base='%#x'/>" % base if base is not None else ""
    return ("<memory model='spm'>%s<target><size unit='MiB'>%d</size>"
            "<node>%d</node>%s</target></memory>" % (extra, size_mib, node, addr))


def dimm_xml(size_mib, node):
    return ("<memory model='dimm'><target><size unit='MiB'>%d</size>"
            "<node>%d</node></target></memory>" % (size_mib, node))


def firmware_xml(firmware, workdir):
    if firmware == "seabios":
        return ""           # QEMU's default: our bios-256k.bin
    if firmware == "ovmf":
        return ("<loader readonly='yes' type='pflash'>%s</loader>"
                "<nvram template='%s'>%s</nvram>"
                % (os.path.join(OVMF_DIR, "OVMF_CODE_4M.fd"),
                   os.path.join(OVMF_DIR, "OVMF_VARS_4M.fd"),
                   os.path.join(workdir, "OVMF_VARS.fd")))
    raise ValueError("unknown firmware %r" % firmware)


def domain_xml(name, workdir, devices, cells=((2048, "0-1"), (0, None)),
               firmware="seabios", machine="q35", online=True, control=False,
               max_memory_mib=16384, slots=4, vcpus=2):
    """XML of a domain that boots the rig's guest.

    CELLS are (memory MiB, cpus or None) per guest NUMA node (None: no
    <numa> at all); DEVICES is XML text (spm_xml, dimm_xml); MAX_MEMORY_MIB
    None leaves <maxMemory> out.  The console goes to WORKDIR/console;
    with CONTROL the guest takes commands on WORKDIR/ctl (ttyS1).
    """
    kargs = KARGS + (" spm.online=1" if online else "") + (" spm.control=1" if control else "")
    ram = sum(m for m, _ in cells) if cells else 2048
    numa = ""
    if cells:
        numa = "<cpu><numa>%s</numa></cpu>" % "".join(
            "<cell id='%d'%s memory='%d' unit='MiB'/>"
            % (i, " cpus='%s'" % cpus if cpus else "", mem)
            for i, (mem, cpus) in enumerate(cells))
    maxmem = ("<maxMemory slots='%d' unit='MiB'>%d</maxMemory>" % (slots, max_memory_mib)
              if max_memory_mib is not None else "")
    ctl = ("<serial type='unix'><source mode='bind' path='%s'/><target port='1'/></serial>"
           % os.path.join(workdir, "ctl") if control else "")
    return """<domain type='qemu'>
  <name>{name}</name>
  {maxmem}
  <memory unit='MiB'>{ram}</memory>
  <vcpu>{vcpus}</vcpu>
  <os>
    <type arch='x86_64' machine='{machine}'>hvm</type>
    {firmware}
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{kargs}</cmdline>
  </os>
  <features><acpi/></features>
  {numa}
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>{qemu}</emulator>
    <serial type='file'><source path='{console}'/><target port='0'/></serial>
    {ctl}
    {devices}
  </devices>
</domain>
""".format(name=name, maxmem=maxmem, vcpus=vcpus, ram=ram, machine=machine,
           firmware=firmware_xml(firmware, workdir), kernel=KERNEL, initrd=INITRD,
           kargs=kargs, numa=numa, qemu=QEMU, console=os.path.join(workdir, "console"),
           ctl=ctl, devices=devices)


def fill_template(text, workdir):
    """Fill the placeholders of an example domain (examples/spm-domain.xml)."""
    for key, value in (("@KERNEL@", KERNEL), ("@INITRD@", INITRD), ("@QEMU@", QEMU),
                       ("@OVMF_DIR@", OVMF_DIR), ("@WORKDIR@", workdir)):
        text = text.replace(key, value)
    return text


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

class Domain:
    """One libvirt domain of the rig's guest.  Leaving the context (or
    remove()) destroys and undefines it, whatever state it is in."""

    def __init__(self, name, xml_text=None, workdir="/nonexistent"):
        self.name = name
        # the daemon the domain is on (a migration moves it elsewhere)
        self.uri = URI
        self.run_dir = RUN_QEMU
        self.workdir = workdir
        self.console = os.path.join(workdir, "console")
        self.ctl_path = os.path.join(workdir, "ctl")
        self.xml_path = os.path.join(workdir, name + ".xml")
        if xml_text is not None:
            with open(self.xml_path, "w") as f:
                f.write(xml_text)
        self.ctl = None
        self.memdevs = None
        self.live_xml = None

    def virsh(self, *args, **kwargs):
        return virsh(*args, uri=self.uri, **kwargs)

    def define(self):
        self.virsh("define", self.xml_path)
        return self

    def state(self):
        return self.virsh("domstate", self.name).stdout.strip()

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
        self.live_xml = self.virsh("dumpxml", self.name).stdout
        self.virsh("resume", self.name)
        return self

    def wait_for(self, marker, timeout=300):
        deadline = time.monotonic() + timeout
        while marker not in self._console_text():
            self._check_alive(marker)
            if time.monotonic() > deadline:
                raise GuestError("no %r on the console within %d s; console tail:\n%s"
                                 % (marker, timeout, tail(self.console)))
            time.sleep(0.2)

    def _console_text(self):
        try:
            with open(self.console, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _check_alive(self, what):
        if "Kernel panic" in self._console_text():
            raise GuestError("guest kernel panicked; console tail:\n" + tail(self.console))
        if self.state() == "shut off":
            raise GuestError("domain %s shut off while waiting for %s; console tail:\n%s"
                             % (self.name, what, tail(self.console)))

    def wait_shutoff(self, timeout=300):
        deadline = time.monotonic() + timeout
        while self.state() != "shut off":
            if time.monotonic() > deadline:
                raise GuestError("domain %s did not shut off within %d s; console tail:\n%s"
                                 % (self.name, timeout, tail(self.console)))
            time.sleep(0.5)
        if "Kernel panic" in self._console_text():
            raise GuestError("guest kernel panicked; console tail:\n" + tail(self.console))

    def send(self, line):
        """Have the guest run shell command LINE (needs control=True)."""
        if self.ctl is None:
            self.ctl = socket.socket(socket.AF_UNIX)
            self.ctl.connect(self.ctl_path)
        self.ctl.sendall(line.encode() + b"\n")

    def reports(self):
        return console_reports(self.console)

    def result(self):
        return Result(self.reports()[0], self.memdevs, self.console, self.live_xml)

    def remove(self):
        if self.ctl is not None:
            self.ctl.close()
            self.ctl = None
        if self.virsh("domstate", self.name, check=False).stdout.strip() not in ("shut off", ""):
            self.virsh("destroy", self.name, check=False)
        self.virsh("undefine", "--nvram", self.name, check=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def workdir(prefix="spm-libvirt-"):
    """A scratch directory for a domain's console, nvram and sockets.  QEMU
    runs unprivileged and opens files there (handed to it by libvirt), so
    the directory must be searchable by everybody (mkdtemp makes it 0700)."""
    wd = tempfile.mkdtemp(prefix=prefix)
    os.chmod(wd, 0o755)
    return wd


def boot(name, xml_text, wd, timeout=300):
    """Define, start and wait for a domain until it shut off; the Result
    (its .cmdline is the live XML while the guest ran); undefined after."""
    with Domain(name, xml_text, wd) as dom:
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
        r = virsh("attach-device", d.name, new, *flags, check=False)
        tc.assertNotEqual(r.returncode, 0, flags)
        tc.assertIn("hotplug is not supported for the spm device", r.stderr)
        tc.assertEqual(d.state(), "running")
    old = os.path.join(d.workdir, "old-spm.xml")
    with open(old, "w") as f:
        f.write(spm_xml(live[0][3] >> 20, live[0][2], base=live[0][1]))
    r = virsh("detach-device", d.name, old, "--live", check=False)
    tc.assertNotEqual(r.returncode, 0)
    tc.assertIn("hot-unplug is not supported for the spm device", r.stderr)
    tc.assertEqual(d.state(), "running")
    tc.assertEqual(spm_targets(virsh("dumpxml", d.name).stdout), live)
    tc.assertEqual(d.qmp("query-memory-devices"), d.memdevs)
