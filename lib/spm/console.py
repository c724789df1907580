# SPDX-License-Identifier: GPL-2.0-or-later
"""What every running test guest has, whoever started it: a serial console
written to a file, which holds spm-probe's reports, and, in control mode
(spm.control=1), a second serial port on a Unix socket from which
guest/init runs shell commands, one a line, after printing READY.

Console is the base of spm.guest.Guest (plain QEMU) and
spm.libvirt.Domain; each says in exited() how it knows that its guest
stopped.
"""

import socket
import time

from spm.report import GuestError, all_reports


def tail(path, lines=40):
    """The last LINES lines of file PATH, for error messages."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no console output)"


def console_reports(path):
    """Every complete spm-probe report in console log PATH, in order;
    GuestError (with the console's tail) if there is none."""
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    out = all_reports(text)
    if not out:
        raise GuestError("no complete spm-probe report on the console; console tail:\n"
                         + tail(path))
    return out


def close_quietly(conn):
    """Close CONN (a socket or QMP) if there is one; a failure is no news."""
    if conn is not None:
        try:
            conn.close()
        except OSError:
            pass


class Console:
    """The console log CONSOLE and control socket CTL_PATH of one guest."""

    def __init__(self, console, ctl_path):
        self.console = console
        self.ctl_path = ctl_path
        self.ctl = None

    def exited(self):
        """None while the guest runs; once it stopped, how (for errors)."""
        raise NotImplementedError

    def console_text(self):
        try:
            with open(self.console, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def tail(self):
        return "console tail:\n" + tail(self.console)

    def check_panic(self):
        if "Kernel panic" in self.console_text():
            raise GuestError("guest kernel panicked; " + self.tail())

    def check_alive(self, what):
        """GuestError if the guest panicked or stopped while we wait for WHAT."""
        self.check_panic()
        how = self.exited()
        if how is not None:
            raise GuestError("%s while waiting for %s\n%s" % (how, what, self.tail()))

    def wait_until(self, done, what, timeout=300, interval=0.2, check=None):
        """Poll DONE() until true, failing if TIMEOUT seconds pass or
        CHECK(WHAT) raises first (check_alive: the guest died)."""
        check = check or self.check_alive
        deadline = time.monotonic() + timeout
        while not done():
            check(what)
            if time.monotonic() > deadline:
                raise GuestError("no %s within %d s; %s" % (what, timeout, self.tail()))
            time.sleep(interval)

    def wait_for(self, marker, count=1, timeout=300):
        """Wait until the console shows MARKER COUNT times."""
        self.wait_until(lambda: self.console_text().count(marker) >= count,
                        repr(marker) + " on the console", timeout)

    def reports(self):
        """Every complete spm-probe report on the console so far, in order."""
        return console_reports(self.console)

    def count_reports(self):
        """How many complete reports the console holds (0 for none: a
        restored or migrated QEMU may begin the file anew)."""
        return len(all_reports(self.console_text()))

    def wait_reports(self, count, timeout=300):
        """Wait for COUNT complete reports; returns them all."""
        self.wait_until(lambda: self.count_reports() >= count, "report %d" % count, timeout)
        return self.reports()

    def send(self, line):
        """Have the guest run shell command LINE (needs control mode)."""
        if self.ctl is None:
            self.ctl = socket.socket(socket.AF_UNIX)
            self.ctl.connect(self.ctl_path)
        self.ctl.sendall(line.encode() + b"\n")

    def reconnect(self):
        """Drop the control connection: the next send() connects anew (to
        the socket of a new QEMU, after a restore or a migration)."""
        close_quietly(self.ctl)
        self.ctl = None


class Result:
    """A guest's first REPORT, QEMU's query-memory-devices (MEMDEVS), the
    console log path and the command line (a domain's live XML)."""

    def __init__(self, report, memdevs, console, cmdline):
        self.report = report
        self.memdevs = memdevs
        self.console = console
        self.cmdline = cmdline
