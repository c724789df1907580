# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot the test guest through the private libvirt of build/prefix.

The libvirt counterpart of spm.guest: virsh against the private daemon
(tools/libvirtd starts it), and a Domain, whose XML spm.domainxml builds,
that is defined, started paused so that query-memory-devices and the live
XML can be read before the guest runs, resumed and waited for until it is
shut off.  Its console and control socket are spm.console's, as for plain
QEMU, so the assertions (spm.check) are the same too.
"""

import grp
import json
import os
import pwd
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from spm.console import Console, Result
from spm.domainxml import cells, domain_xml, spm_element, to_text
from spm.paths import LIBVIRT_RUN, PREFIX
from spm.report import READY, GuestError

VIRSH = os.path.join(PREFIX, "bin", "virsh")
URI = "qemu:///system"
# virtqemud's status XML and pid file of each running domain
RUN_QEMU = os.path.join(LIBVIRT_RUN, "qemu")
QEMU_CONF = os.path.join(PREFIX, "etc", "libvirt", "qemu.conf")


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


def remove_domains(prefix, uri=URI):
    """Destroy and undefine every domain on URI whose name starts with PREFIX."""
    for name in virsh("list", "--all", "--name", uri=uri, check=False).stdout.split():
        if name.startswith(prefix):
            Domain(name, uri=uri).remove()


def qemu_ids():
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
        user, uid, gid = qemu_ids()
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


def scratch_dir(prefix="spm-libvirt-"):
    """A scratch directory for a domain's console, nvram and sockets.  QEMU
    runs unprivileged and opens files there (handed to it by libvirt), so
    the directory must be searchable by everybody (mkdtemp makes it 0700).
    Tests use spmtest.case.TestCase.workdir, which is removed after them."""
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
