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
FIRMWARES = ("seabios", "ovmf")

GiB = 1 << 30
MiB = 1 << 20


class GuestError(Exception):
    """The guest did not produce a report; the message says why."""


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
        self._read()                      # greeting
        self.command("qmp_capabilities")

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
        self.file.write(json.dumps(cmd).encode() + b"\n")
        self.file.flush()
        reply = self._read()
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
        shutil.copyfile(os.path.join(OVMF_DIR, "OVMF_VARS_4M.fd"), vars_copy)
        return ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
    raise ValueError("unknown firmware %r (want one of %s)" % (firmware, ", ".join(FIRMWARES)))


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no console output)"


class Result:
    def __init__(self, report, memdevs, console, cmdline):
        self.report = report
        self.memdevs = memdevs
        self.console = console
        self.cmdline = cmdline


def run(qemu_args, firmware="seabios", machine="q35", online=False,
        timeout=300, workdir=None, append=""):
    """Boot the guest with QEMU arguments QEMU_ARGS (memory, NUMA, devices).

    Returns a Result: the parsed report, query-memory-devices' answer and
    the console log path.  Raises GuestError on any failure.
    """
    for path in (QEMU, KERNEL, INITRD):
        if not os.path.exists(path):
            raise GuestError("%s is missing: run 'make build' first" % path)
    workdir = workdir or tempfile.mkdtemp(prefix="spm-guest-")
    console = os.path.join(workdir, "console.log")
    qmp_path = os.path.join(workdir, "qmp.sock")
    kargs = "console=ttyS0 quiet panic=-1 log_buf_len=4M"
    if online:
        kargs += " spm.online=1"
    if append:
        kargs += " " + append
    cmd = [QEMU, "-L", QEMU_DATA, "-accel", "tcg", "-machine", machine, "-nodefaults",
           "-display", "none", "-no-reboot", "-S",
           "-chardev", "file,id=con,path=" + console, "-serial", "chardev:con",
           "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
           "-kernel", KERNEL, "-initrd", INITRD, "-append", kargs]
    cmd += firmware_args(firmware, workdir) + list(qemu_args)
    with open(os.path.join(workdir, "cmdline"), "w") as f:
        f.write(" ".join(shlex.quote(a) for a in cmd) + "\n")
    stderr_path = os.path.join(workdir, "qemu.stderr")
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    try:
        try:
            qmp = QMP(qmp_path)
        except GuestError:
            proc.wait(timeout=10)
            raise GuestError("QEMU exited with status %s before QMP answered:\n%s"
                             % (proc.returncode, tail(stderr_path)))
        memdevs = qmp.command("query-memory-devices")
        qmp.command("cont")
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise GuestError("guest did not finish within %d s; console tail:\n%s"
                             % (timeout, tail(console)))
        finally:
            qmp.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with open(console, errors="replace") as f:
        text = f.read()
    if "Kernel panic" in text:
        raise GuestError("guest kernel panicked; console tail:\n" + tail(console))
    if proc.returncode != 0:
        raise GuestError("QEMU exited with status %d:\n%s\nconsole tail:\n%s"
                         % (proc.returncode, tail(stderr_path), tail(console)))
    try:
        entries = parse_report(text)
    except GuestError as e:
        raise GuestError("%s; console tail:\n%s" % (e, tail(console)))
    return Result(Report(entries), memdevs, console, cmd)
