# SPDX-License-Identifier: GPL-2.0-or-later
"""The project's Python library, shared by tools/, tests/ and bench/: it
boots the test guest under QEMU or the private libvirt and reads what the
guest reports.  Its modules:

    spm.paths       where the build puts QEMU, libvirt, the guest and
                    firmware: lib/lib.sh's layout, read from it
    spm.report      spm-probe's report: parsing, look-ups, a summary;
                    GuestError
    spm.console     what every running test guest has: its serial console
                    and control socket (Console), and the Result of a run
    spm.guest       the guest under plain QEMU (Guest, run) and QMP
    spm.domainxml   domain XML of the rig's guest, built with xml.etree
    spm.libvirt     virsh and the guest under the private libvirt (Domain)
    spm.virtinstall the guest made by Debian's virt-install
    spm.debian      the Debian guest (tools/run-debian)
    spm.daxctl      daxctl in the guest, and its output
    spm.check       assertions on SPM as the guest reports it
    spm.hmat        assertions on memory performance (HMAT, tiers)
    spm.fuzz        random <memory model='spm'> snippets and the rules that
                    judge libvirt's answers (system/spm-libvirt-fuzz)
    spm.cli         tools/run-guest and tools/run-domain

tools/python puts lib/ on PYTHONPATH.  The library runs no script of the
project's own: the test scaffolding (tests/lib/spmtest: TestCase, the
daemon, suite discovery) and the tools build on it, never the other way.
"""
