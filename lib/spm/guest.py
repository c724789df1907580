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
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import time

from spm.console import Console, Result, close_quietly, tail
from spm.paths import (FIRMWARES, INITRD, KERNEL, OVMF_DIR, QEMU, QEMU_DATA, QEMU_USER,
                       check_socket_path, kernel_args)
from spm.report import GuestError

def qemu_user():
    """The name of QEMU's unprivileged user (lib/lib.sh's QEMU_USER, which
    tools/qemu-user makes): the guests' QEMU drops to it (-run-with user=)
    once it has opened its files."""
    try:
        pwd.getpwnam(QEMU_USER)
    except KeyError:
        raise GuestError("QEMU's user %s does not exist: run tools/qemu-user" % QEMU_USER)
    return QEMU_USER


def process_status(pid, field):
    """The first number of line FIELD in /proc/PID/status (a QEMU's Uid,
    VmHWM in KiB, ...)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise GuestError("no %s line for process %d" % (field, pid))


def process_uid(pid):
    """The real uid of process PID."""
    return process_status(pid, "Uid")


def check_built(*paths):
    for path in paths:
        if not os.path.exists(path):
            raise GuestError("%s is missing: run 'make build' first" % path)


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


class Guest(Console):
    """One QEMU process running the test guest.

    QEMU starts paused; start() connects QMP, asks query-memory-devices
    and lets the guest run.  With control=True the guest, after its first
    report, runs shell commands sent with send() (guest/init).  incoming
    names a migration stream to start from.  Its files (console, QMP and
    control sockets, OVMF variables, the command line) are NAME.* in
    WORKDIR, a new temporary directory if None.
    """

    def __init__(self, qemu_args, firmware="seabios", machine="q35", online=False,
                 control=False, append="", workdir=None, name="guest", incoming=None):
        self.workdir = workdir or tempfile.mkdtemp(prefix="spm-guest-")
        super().__init__(os.path.join(self.workdir, name + ".console"),
                         os.path.join(self.workdir, name + ".ctl"))
        self.stderr = os.path.join(self.workdir, name + ".stderr")
        self.qmp_path = os.path.join(self.workdir, name + ".qmp")
        try:
            check_socket_path(self.qmp_path, "the QMP socket")
            check_socket_path(self.ctl_path, "the control socket")
        except ValueError as e:
            raise GuestError(str(e))
        check_built(QEMU, KERNEL, INITRD)
        # QEMU writes migration streams here after it dropped to its user.
        user = qemu_user()
        shutil.chown(self.workdir, user, user)
        self.proc = self.qmp = None
        self.memdevs = None
        cmd = [QEMU, "-L", QEMU_DATA, "-run-with", "user=" + user,
               "-accel", "tcg", "-machine", machine,
               "-nodefaults", "-display", "none", "-no-reboot", "-S",
               "-chardev", "file,id=con,path=" + self.console, "-serial", "chardev:con",
               "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
               "-kernel", KERNEL, "-initrd", INITRD,
               "-append", kernel_args(online, control, append)]
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

    def exited(self):
        if self.proc.poll() is None:
            return None
        return "QEMU exited with status %d:\n%s" % (self.proc.returncode, tail(self.stderr))

    def wait_exit(self, timeout=300):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise GuestError("guest did not finish within %d s; %s" % (timeout, self.tail()))
        finally:
            self.close()
        self.check_panic()
        if self.proc.returncode != 0:
            raise GuestError("%s\n%s" % (self.exited(), self.tail()))

    def close(self):
        close_quietly(self.qmp)
        self.qmp = None
        self.reconnect()

    def kill(self):
        self.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


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
