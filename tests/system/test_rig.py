# SPDX-License-Identifier: GPL-2.0-or-later
"""The rig itself: a guest that panics or hangs is a failure, never a pass,
and leaves no QEMU behind."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import spmguest  # noqa: E402

ARGS = ["-m", "512M"]


class Rig(unittest.TestCase):
    def test_panic_is_an_error(self):
        # No init in the initramfs: the kernel panics.
        with self.assertRaisesRegex(spmguest.GuestError, "panicked"):
            spmguest.run(ARGS, append="rdinit=/no-such-init", timeout=120)

    def test_hang_is_an_error(self):
        # A controlled guest waits for commands that never come.
        g = spmguest.Guest(ARGS, control=True)
        with g:
            g.start()
            g.wait_for(spmguest.READY, timeout=120)
            with self.assertRaisesRegex(spmguest.GuestError, "did not finish within 3 s"):
                g.wait_exit(timeout=3)
            self.assertIsNotNone(g.proc.poll(), "QEMU still runs after the time-out")

    def test_bad_qemu_arguments_are_an_error(self):
        with self.assertRaisesRegex(spmguest.GuestError, "QEMU exited with status 1"):
            spmguest.run(ARGS + ["-device", "no-such-device"])

    def test_report_parser_rejects_a_cut_report(self):
        with self.assertRaises(spmguest.GuestError):
            spmguest.parse_report(spmguest.BEGIN + "\nnode phase=boot node=0 memtotal_kb=1\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
