# SPDX-License-Identifier: GPL-2.0-or-later
"""The core guest scenarios on Debian's newest kernel, Linux 7.2 (pins:
sid's linux-binary and linux-modules), with the same tests, and so the
same assertions, as on the pinned 6.12.

Linux 7.2 no longer lists Soft Reserved ranges in /proc/iomem; the
guest's probe finds them in the firmware memory map, the boot log's e820
entries and the hmem dax regions (spm.check asserts the first and the
last on every kernel, and that the guest ran the kernel chosen).

Scenarios: one SPM device, several on two nodes, SPM beside a DIMM, the
q35 and pc machines, SeaBIOS and OVMF, plain QEMU and libvirt (the
README's example domain too), kmem onlining (each node grows by its
SPM), Debian's daxctl (list, system-ram and back), and the HMAT with
memory tiers, each by plain QEMU and by libvirt.
"""

import unittest

from spmtest.suites import LIBVIRT_BUILDS
from test_spm_daxctl import SpmDaxctl
from test_spm_hmat import SpmHmat
from test_spm_hmat_libvirt import SpmHmatLibvirt
from test_spm_libvirt import SpmLibvirtBoot
from test_spm_qemu import SpmQemu

ORDER = 65
BUILDS = LIBVIRT_BUILDS
KERNEL = "7.2"

# (class, the names of its tests to run)
TESTS = (
    (SpmQemu, ("test_single_q35_seabios", "test_single_q35_ovmf",
               "test_multiple_q35_seabios", "test_mixed_q35_ovmf",
               "test_single_pc_seabios")),
    (SpmLibvirtBoot, ("test_example_seabios", "test_multiple_ovmf", "test_mixed_seabios")),
    (SpmDaxctl, ("test_seabios",)),
    (SpmHmat, ("test_hbm_and_slow_ovmf",)),
    (SpmHmatLibvirt, ("test_hbm_and_slow_seabios",)),
)


def load_tests(loader, standard_tests, pattern):
    """Only the tests of TESTS (the classes imported here hold more)."""
    suite = unittest.TestSuite()
    for cls, names in TESTS:
        for name in names:
            if not hasattr(cls, name):
                raise AttributeError("%s has no test %s" % (cls.__name__, name))
            suite.addTest(cls(name))
    return suite
