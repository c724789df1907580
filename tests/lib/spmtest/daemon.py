# SPDX-License-Identifier: GPL-2.0-or-later
"""The private libvirt daemon (tools/libvirtd) for the tests and benchmarks
that use it: started once per test process and stopped whatever happens."""

import atexit
import os
import signal
import subprocess

from spm.guest import check_built
from spm.libvirt import VIRSH, remove_domains
from spm.paths import INITRD, KERNEL, QEMU, TOP

LIBVIRTD = os.path.join(TOP, "tools", "libvirtd")


def _sigterm(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


class Daemon:
    """The private virtqemud, started once and stopped whatever happens:
    stop() runs from atexit and on SIGTERM too, and is idempotent."""

    def __init__(self):
        self.running = False
        self.registered = False

    def start(self):
        """Start the daemons (tools/libvirtd start does nothing to running
        ones)."""
        check_built(VIRSH, QEMU, KERNEL, INITRD)
        if not self.registered:
            atexit.register(self.stop)
            if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
                signal.signal(signal.SIGTERM, _sigterm)
            self.registered = True
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
        """start(), for a test class or module: a daemon that fails to come
        up is stopped again.  Domains whose names start with PREFIX, which
        an interrupted run left behind, are removed."""
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


# The one daemon of this process.
DAEMON = Daemon()
