# SPDX-License-Identifier: GPL-2.0-or-later
"""The rig itself: a guest that panics or hangs is a failure, never a pass,
and leaves no QEMU behind."""

import unittest

from spm.guest import Guest, run
from spm.report import BEGIN, READY, GuestError, parse_report
from spmtest.case import TestCase

ORDER = 10
ARGS = ["-m", "512M"]


class Rig(TestCase):
    def test_panic_is_an_error(self):
        # No init in the initramfs: the kernel panics.
        with self.assertRaisesRegex(GuestError, "panicked"):
            run(ARGS, append="rdinit=/no-such-init", timeout=120, workdir=self.workdir)

    def test_hang_is_an_error(self):
        # A controlled guest waits for commands that never come.
        g = Guest(ARGS, control=True, workdir=self.workdir)
        with g:
            g.start()
            g.wait_for(READY, timeout=120)
            with self.assertRaisesRegex(GuestError, "did not finish within 3 s"):
                g.wait_exit(timeout=3)
            self.assertIsNotNone(g.proc.poll(), "QEMU still runs after the time-out")

    def test_bad_qemu_arguments_are_an_error(self):
        with self.assertRaisesRegex(GuestError, "QEMU exited with status 1"):
            run(ARGS + ["-device", "no-such-device"], workdir=self.workdir)

    def test_report_parser_rejects_a_cut_report(self):
        with self.assertRaises(GuestError):
            parse_report(BEGIN + "\nnode phase=boot node=0 memtotal_kb=1\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
