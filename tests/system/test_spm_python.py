# SPDX-License-Identifier: GPL-2.0-or-later
"""examples/spm-python.py: an SPM guest through the libvirt Python API.

The example runs as a user would run it, with /usr/bin/python3 and
Debian's python3-libvirt 9.0 against the private 11.3 daemon: it builds
the domain XML with xml.etree, defines the domain, starts it, prints the
address and node of every spm device from the live XML, lets the guest run
until it powers off and undefines it.  What it printed must be what the
guest saw (spm.check: Soft Reserved ranges exactly there, the SRAT node,
the dax target_node, node growth after kmem), on SeaBIOS and on OVMF
(<os firmware='efi'>).  Bad input fails with a message, nothing defined.
"""

import os
import re
import subprocess

from spm.check import check_spm
from spm.console import console_reports
from spm.libvirt import domains
from spm.paths import FIRMWARES, TOP
from spm.virtinstall import client_env
from spmtest.case import LibvirtTestCase, add_tests
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 86
BUILDS = LIBVIRT_BUILDS
PREFIX = "spmpy-"
EXAMPLE = os.path.join(TOP, "examples", "spm-python.py")
SPMS = ((512, 1), (256, 2), (384, 2))
LINE = re.compile(r"spm alias=(\S+) node=(\d+) base=(0x[0-9a-f]+) size=(0x[0-9a-f]+)$")

def example(*args):
    return subprocess.run(["/usr/bin/python3", EXAMPLE] + list(args), env=client_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=600)


class SpmPython(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def boot(self, firmware):
        name = PREFIX + firmware
        console = os.path.join(self.workdir, "console")
        args = ["--name", name, "--firmware", firmware, "--console", console]
        for size, node in SPMS:
            args += ["--spm", "%d:%d" % (size, node)]
        res = example(*args)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[0], "defined " + name)
        self.assertEqual(lines[-2:], ["the guest powered off", "undefined " + name])
        self.assertNotIn(name, domains())
        placed = [LINE.match(line) for line in lines if line.startswith("spm ")]
        self.assertTrue(all(placed), lines)
        # What the example read from the live XML, in query-memory-devices'
        # shape: the guest must have seen exactly that.
        memdevs = [{"type": "spm-memory",
                    "data": {"id": m[1], "node": int(m[2]), "memaddr": int(m[3], 16),
                             "size": int(m[4], 16)}} for m in placed]
        self.assertEqual([(d["data"]["size"] >> 20, d["data"]["node"]) for d in memdevs],
                         list(SPMS))
        self.assertEqual([d["data"]["id"] for d in memdevs], ["spm0", "spm1", "spm2"])
        check_spm(self, memdevs, console_reports(console)[0], [node for _, node in SPMS])

    def test_bad_spm_argument(self):
        res = example("--name", PREFIX + "bad", "--spm", "512")
        self.assertEqual(res.returncode, 2)
        self.assertIn("'512' is not SIZE_MIB:NODE", res.stderr)
        self.assertNotIn(PREFIX + "bad", domains())

    def test_refused_by_libvirt(self):
        """libvirt refuses an spm size that is no multiple of 128 MiB: the
        example says why and fails, nothing runs, nothing is left defined."""
        res = example("--name", PREFIX + "odd", "--spm", "100:1")
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        self.assertIn("error: ", res.stderr)
        self.assertIn("spm memory size '102400' KiB must be a multiple of 131072 KiB",
                      res.stderr)
        self.assertNotIn("spm alias=", res.stdout)
        self.assertNotIn(PREFIX + "odd", domains())


add_tests(SpmPython, "boot", ((fw, (fw,)) for fw in FIRMWARES))
