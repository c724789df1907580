# SPDX-License-Identifier: GPL-2.0-or-later
"""The project's test library, shared by tests/ and tools/.

    spm.paths     where the build puts QEMU, libvirt, the guest and firmware
    spm.report    spm-probe's report: parsing, look-ups, a summary
    spm.console   what every running test guest has: its serial console
                  and control socket (Console), GuestError
    spm.guest     the guest under plain QEMU (Guest, run) and QMP
    spm.libvirt   the guest under the private libvirt (Domain, Daemon) and
                  domain XML built with xml.etree
    spm.check     assertions on SPM as the guest reports it
    spm.hmat      assertions on memory performance (HMAT, tiers)
    spm.testcase  TestCase with a scratch directory per test; add_tests
    spm.suites    the test suites tests/run finds, in order, and what each
                  needs built
    spm.cli       tools/run-guest and tools/run-domain

tools/lib.sh puts tests/lib on PYTHONPATH; tests/run, tests/system/run and
the tools source it.
"""
