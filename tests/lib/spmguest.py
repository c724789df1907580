# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot the test guest under QEMU (TCG) and return what it reports.

The guest (tools/build-initramfs) runs spm-probe and powers off.  QEMU is
started paused so that the host side can ask QMP what it placed where
(query-memory-devices) before the guest runs; the serial console goes to a
file and the report between the probe's markers is parsed.  A guest that
panics, hangs past the timeout or prints no complete report is a failure,
with the console's tail in the error.
"""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SPM_BUILD", os.path.join(TOP, "build"))
PREFIX = os.path.join(BUILD, "prefix")
# SPM_QEMU runs another build of QEMU (a work tree's, say) with the same data.
QEMU = os.environ.get("SPM_QEMU", os.path.join(PREFIX, "bin", "qemu-system-x86_64"))
QEMU_DATA = os.path.join(PREFIX, "share", "qemu")
KERNEL = os.path.join(BUILD, "guest", "vmlinuz")
INITRD = os.path.join(BUILD, "guest", "initramfs.cpio.gz")
OVMF_DIR = os.path.join(BUILD, "debs", "ovmf-generic", "usr", "share", "OVMF")

BEGIN = "@@SPM-PROBE BEGIN v1@@"
END = "@@SPM-PROBE END@@"
# guest/init prints it when it waits for commands (control mode)
READY = "@@SPM-GUEST READY@@"
FIRMWARES = ("seabios", "ovmf")

GiB = 1 << 30
MiB = 1 << 20


class GuestError(Exception):
    """The guest did not produce a report; the message says why."""


_qemu_user = []


def qemu_user():
    """QEMU's unprivileged user (tools/qemu-user makes it): the guests'
    QEMU drops to it (-run-with user=) once it has opened its files."""
    if not _qemu_user:
        try:
            out = subprocess.run([os.path.join(TOP, "tools", "qemu-user")], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            raise GuestError("tools/qemu-user failed: %s" % e)
        _qemu_user.append(out.strip())
    return _qemu_user[0]


def process_uid(pid):
    """The real uid of process PID."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise GuestError("no Uid line for process %d" % pid)


# --- the report ------------------------------------------------------------

_FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def _value(text):
    if text.startswith('"'):
        return re.sub(r'\\(.)', r'\1', text[1:-1])
    if re.fullmatch(r'0x[0-9a-fA-F]+', text):
        return int(text, 16)
    if re.fullmatch(r'-?[0-9]+', text):
        return int(text)
    return text


def parse_report(text):
    """Parse spm-probe's report into {kind: [ {field: value} ]}."""
    start = text.find(BEGIN)
    end = text.find(END, start + 1)
    if start < 0 or end < 0:
        raise GuestError("no complete spm-probe report on the console")
    report = {}
    for line in text[start + len(BEGIN):end].splitlines():
        line = line.strip()
        if not line or " " not in line:
            continue
        kind, rest = line.split(" ", 1)
        fields = {k: _value(v) for k, v in _FIELD.findall(rest)}
        report.setdefault(kind, []).append(fields)
    return report


class Report:
    """What the guest saw, with the look-ups the tests need."""

    def __init__(self, entries):
        self.entries = entries

    def __getitem__(self, kind):
        return self.entries.get(kind, [])

    def iomem(self, name):
        return [(e["start"], e["end"] + 1) for e in self["iomem"] if e["name"] == name]

    def srat_covering(self, start, end):
        """SRAT memory-affinity entries that overlap [start, end)."""
        return [e for e in self["srat"]
                if e["start"] < end and start < e["start"] + e["length"]]

    def node_of_pxm(self, pxm):
        for e in self["pxm"]:
            if e["pxm"] == pxm:
                return e["node"]
        return None

    def memtotal_kb(self, phase):
        return {e["node"]: e["memtotal_kb"] for e in self["node"] if e["phase"] == phase}

    def node_ranges(self, node, phase="boot", state="online"):
        """[start, end) ranges of memory that Linux gives NODE."""
        return [(e["start"], e["end"] + 1) for e in self["noderange"]
                if e["node"] == node and e["phase"] == phase and e["state"] == state]


def memdev_range(dev):
    """[start, end) of a query-memory-devices entry (dimm says "addr", the
    others "memaddr")."""
    data = dev["data"]
    start = data["addr"] if "addr" in data else data["memaddr"]
    return start, start + data["size"]


def summary(memdevs, rep):
    """A human-readable account of what QEMU placed (MEMDEVS, from
    query-memory-devices) and what the guest saw (report REP)."""
    out = []
    for d in memdevs:
        start, end = memdev_range(d)
        out.append("QEMU %s %s: [%#x, %#x) node %s" % (
            d["type"], d["data"].get("id"), start, end, d["data"].get("node")))
    for name in ("System RAM", "Soft Reserved"):
        for s, e in rep.iomem(name):
            out.append("guest %-13s [%#x, %#x) %d MiB" % (name, s, e, (e - s) >> 20))
    for e in rep["srat"]:
        out.append("guest SRAT  [%#x, %#x) pxm %d -> node %s%s" % (
            e["start"], e["start"] + e["length"], e["pxm"], rep.node_of_pxm(e["pxm"]),
            " hotplug" if e["hotplug"] else ""))
    for e in rep["dax"]:
        out.append("guest dax   %s [%#x, %#x) target_node %d driver %s" % (
            e["name"], e["start"], e["start"] + e["size"], e["target_node"], e["driver"]))
    for phase in ("boot", "before", "after"):
        for node, kb in sorted(rep.memtotal_kb(phase).items()):
            out.append("guest node%d MemTotal %d MiB (%s)" % (node, kb >> 10, phase))
    for e in rep["online"]:
        out.append("guest online %s: %s" % (e["name"], e.get("what", e["result"])))
    for e in rep["access"]:
        out.append("guest node%d access%d from nodes %s: latency %d/%d ns, bandwidth %d/%d MB/s"
                   " (read/write, %s)" % (e["node"], e["class"], e["initiators"],
                                          e["read_latency"], e["write_latency"],
                                          e["read_bandwidth"], e["write_bandwidth"], e["phase"]))
    for e in rep["tier"]:
        out.append("guest memory_tier%d: nodes %s (%s)" % (e["tier"], e["nodelist"], e["phase"]))
    for e in rep["error"]:
        out.append("guest probe error: %s" % e["what"])
    return "\n".join(out)


# --- QMP -------------------------------------------------------------------

class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise GuestError("QMP socket %s did not open" % path)
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rwb")
        try:
            self._read()                      # greeting
            self.command("qmp_capabilities")
        except (OSError, ValueError, GuestError) as e:
            self.close()
            raise GuestError("QMP handshake failed: %s" % e)

    def _read(self):
        while True:
            line = self.file.readline()
            if not line:
                raise GuestError("QMP connection closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, name, **args):
        cmd = {"execute": name}
        if args:
            cmd["arguments"] = args
        try:
            self.file.write(json.dumps(cmd).encode() + b"\n")
            self.file.flush()
            reply = self._read()
        except (OSError, ValueError) as e:
            raise GuestError("QMP %s: %s" % (name, e))
        if "error" in reply:
            raise GuestError("QMP %s: %s" % (name, reply["error"].get("desc")))
        return reply["return"]

    def close(self):
        self.file.close()
        self.sock.close()


# --- the guest -------------------------------------------------------------

def firmware_args(firmware, workdir):
    if firmware == "seabios":
        return []           # QEMU's default: bios-256k.bin from our prefix
    if firmware == "ovmf":
        code = os.path.join(OVMF_DIR, "OVMF_CODE_4M.fd")
        vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
        if not os.path.exists(vars_copy):
            shutil.copyfile(os.path.join(OVMF_DIR, "OVMF_VARS_4M.fd"), vars_copy)
            # QEMU reopens it as its user when an incoming migration ends.
            shutil.chown(vars_copy, qemu_user(), qemu_user())
        return ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
    raise ValueError("unknown firmware %r (want one of %s)" % (firmware, ", ".join(FIRMWARES)))


def console_reports(path):
    """Every complete spm-probe report in console log PATH, in order;
    GuestError (with the console's tail) if there is none."""
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    out = []
    pos = text.find(BEGIN)
    while pos >= 0:
        end = text.find(END, pos)
        if end < 0:
            break
        out.append(Report(parse_report(text[pos:end + len(END)])))
        pos = text.find(BEGIN, end)
    if not out:
        raise GuestError("no complete spm-probe report on the console; console tail:\n"
                         + tail(path))
    return out


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no console output)"


class Guest:
    """One QEMU process running the test guest.

    QEMU starts paused; start() connects QMP, asks query-memory-devices
    and lets the guest run.  With control=True the guest, after its first
    report, runs shell commands sent with send() (guest/init).  incoming
    names a migration stream to start from.
    """

    def __init__(self, qemu_args, firmware="seabios", machine="q35", online=False,
                 control=False, append="", workdir=None, name="guest", incoming=None):
        for path in (QEMU, KERNEL, INITRD):
            if not os.path.exists(path):
                raise GuestError("%s is missing: run 'make build' first" % path)
        self.workdir = workdir or tempfile.mkdtemp(prefix="spm-guest-")
        # QEMU writes migration streams here after it dropped to its user.
        user = qemu_user()
        shutil.chown(self.workdir, user, user)
        self.console = os.path.join(self.workdir, name + ".console")
        self.stderr = os.path.join(self.workdir, name + ".stderr")
        self.qmp_path = os.path.join(self.workdir, name + ".qmp")
        self.ctl_path = os.path.join(self.workdir, name + ".ctl")
        self.proc = self.qmp = self.ctl = None
        self.memdevs = None
        kargs = "console=ttyS0 quiet panic=-1 log_buf_len=4M"
        if online:
            kargs += " spm.online=1"
        if control:
            kargs += " spm.control=1"
        if append:
            kargs += " " + append
        cmd = [QEMU, "-L", QEMU_DATA, "-run-with", "user=" + user,
               "-accel", "tcg", "-machine", machine,
               "-nodefaults", "-display", "none", "-no-reboot", "-S",
               "-chardev", "file,id=con,path=" + self.console, "-serial", "chardev:con",
               "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
               "-kernel", KERNEL, "-initrd", INITRD, "-append", kargs]
        if control:
            cmd += ["-chardev", "socket,id=ctl,server=on,wait=off,path=" + self.ctl_path,
                    "-serial", "chardev:ctl"]
        if incoming:
            cmd += ["-incoming", incoming]
        self.cmdline = cmd + firmware_args(firmware, self.workdir) + list(qemu_args)
        self.control = control

    def start(self):
        with open(os.path.join(self.workdir, "cmdline"), "a") as f:
            f.write(" ".join(shlex.quote(a) for a in self.cmdline) + "\n")
        with open(self.stderr, "w") as err:
            self.proc = subprocess.Popen(self.cmdline, stdin=subprocess.DEVNULL,
                                         stdout=err, stderr=err)
        try:
            self.qmp = QMP(self.qmp_path)
            self.memdevs = self.qmp.command("query-memory-devices")
        except GuestError:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.kill()
            raise GuestError("QEMU exited with status %s before QMP answered:\n%s"
                             % (self.proc.returncode, tail(self.stderr)))
        # QMP answers once QEMU has dropped its privileges.
        if process_uid(self.proc.pid) == 0:
            self.kill()
            raise GuestError("QEMU runs as root")
        self.qmp.command("cont")
        return self

    def console_text(self):
        try:
            with open(self.console, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _check_panic(self):
        if "Kernel panic" in self.console_text():
            raise GuestError("guest kernel panicked; console tail:\n" + tail(self.console))

    def _check_alive(self, what):
        self._check_panic()
        if self.proc.poll() is not None:
            raise GuestError("QEMU exited with status %d while waiting for %s:\n%s\n"
                             "console tail:\n%s" % (self.proc.returncode, what,
                                                    tail(self.stderr), tail(self.console)))

    def wait_for(self, marker, count=1, timeout=300):
        """Wait until the console shows MARKER COUNT times."""
        deadline = time.monotonic() + timeout
        while self.console_text().count(marker) < count:
            self._check_alive(marker)
            if time.monotonic() > deadline:
                raise GuestError("no %r on the console within %d s; console tail:\n%s"
                                 % (marker, timeout, tail(self.console)))
            time.sleep(0.2)

    def send(self, line):
        """Have the guest run shell command LINE (needs control=True)."""
        if self.ctl is None:
            self.ctl = socket.socket(socket.AF_UNIX)
            self.ctl.connect(self.ctl_path)
        self.ctl.sendall(line.encode() + b"\n")

    def wait_exit(self, timeout=300):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise GuestError("guest did not finish within %d s; console tail:\n%s"
                             % (timeout, tail(self.console)))
        finally:
            self.close()
        self._check_panic()
        if self.proc.returncode != 0:
            raise GuestError("QEMU exited with status %d:\n%s\nconsole tail:\n%s"
                             % (self.proc.returncode, tail(self.stderr), tail(self.console)))

    def reports(self):
        """Every complete spm-probe report on the console so far, in order."""
        return console_reports(self.console)

    def close(self):
        for s in (self.qmp, self.ctl):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        self.qmp = self.ctl = None

    def kill(self):
        self.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


class Result:
    def __init__(self, report, memdevs, console, cmdline):
        self.report = report
        self.memdevs = memdevs
        self.console = console
        self.cmdline = cmdline


def run(qemu_args, firmware="seabios", machine="q35", online=False,
        timeout=300, workdir=None, append=""):
    """Boot the guest with QEMU arguments QEMU_ARGS (memory, NUMA, devices)
    until it powers off.

    Returns a Result: the parsed report, query-memory-devices' answer and
    the console log path.  Raises GuestError on any failure.
    """
    with Guest(qemu_args, firmware=firmware, machine=machine, online=online,
               append=append, workdir=workdir) as g:
        g.start()
        g.wait_exit(timeout)
        return Result(g.reports()[0], g.memdevs, g.console, g.cmdline)
