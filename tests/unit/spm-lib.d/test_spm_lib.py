# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of the Python library, lib/spm, and of the test scaffolding,
tests/lib/spmtest (tests/unit/spm-lib)."""

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from unittest import mock

from spm import debian, domainxml, guest, paths
from spm.console import Console
from spm.paths import GUEST_KERNELS, KERNEL, OVMF_DIR, QEMU, TOP
from spm.report import BEGIN, END, READY, GuestError
from spmtest import case, suites

REPORT = "%s\nnode phase=boot node=0 memtotal_kb=1024\nerror what=\"a \\\"b\\\"\"\n%s\n" % (
    BEGIN, END)


class FakeConsole(Console):
    """A console file whose guest stops when told to."""

    def __init__(self, path):
        super().__init__(path, path + ".ctl")
        self.how = None

    def exited(self):
        return self.how


class ConsoleTest(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp()
        os.close(fd)
        self.addCleanup(os.unlink, self.path)
        self.con = FakeConsole(self.path)

    def write(self, text):
        with open(self.path, "a") as f:
            f.write(text)

    def test_reports_in_order(self):
        self.write("boot\n" + REPORT + READY + "\n" + REPORT.replace("1024", "2048"))
        reps = self.con.reports()
        self.assertEqual([r["node"][0]["memtotal_kb"] for r in reps], [1024, 2048])
        self.assertEqual(reps[0]["error"], [{"what": 'a "b"'}])
        self.assertEqual(self.con.count_reports(), 2)
        self.con.wait_for(READY, timeout=1)

    def test_no_report_is_an_error(self):
        self.write(BEGIN + "\nnode phase=boot node=0\n")
        self.assertEqual(self.con.count_reports(), 0)
        with self.assertRaisesRegex(GuestError, "no complete spm-probe report"):
            self.con.reports()

    def test_panic_and_exit_end_a_wait(self):
        self.con.how = "QEMU exited with status 3"
        with self.assertRaisesRegex(GuestError, "QEMU exited with status 3 while waiting"):
            self.con.wait_for(READY, timeout=5)
        self.write("Kernel panic - not syncing\n")
        with self.assertRaisesRegex(GuestError, "panicked"):
            self.con.wait_reports(1, timeout=5)

    def test_timeout(self):
        with self.assertRaisesRegex(GuestError, "no report 1 within 0 s"):
            self.con.wait_reports(1, timeout=0)


class ProcessStatusTest(unittest.TestCase):
    def test_fields(self):
        self.assertEqual(guest.process_uid(os.getpid()), os.getuid())
        self.assertGreater(guest.process_status(os.getpid(), "VmHWM"), 0)

    def test_no_such_field(self):
        with self.assertRaisesRegex(GuestError, "no NoSuchField line"):
            guest.process_status(os.getpid(), "NoSuchField")


class DomainXMLTest(unittest.TestCase):
    def test_domain(self):
        root = ET.fromstring(domainxml.domain_xml(
            "d", "/w", domainxml.spm_xml(512, 1, base=0x100000000, source="/f", access="shared")
            + domainxml.dimm_xml(256, 0), cells=domainxml.cells(1), firmware="ovmf",
            control=True))
        self.assertEqual(root.findtext("name"), "d")
        self.assertEqual(root.findtext("memory"), "2048")
        self.assertEqual([e.tag for e in root.find("os")],
                         ["type", "loader", "nvram", "kernel", "initrd", "cmdline"])
        self.assertEqual(root.findtext("os/loader"), os.path.join(OVMF_DIR, "OVMF_CODE_4M.fd"))
        self.assertEqual(root.findtext("os/nvram"), "/w/OVMF_VARS.fd")
        self.assertEqual(root.findtext("os/kernel"), KERNEL)
        self.assertTrue(root.findtext("os/cmdline").endswith(" spm.online=1 spm.control=1"))
        self.assertEqual([c.attrib for c in root.findall("cpu/numa/cell")],
                         [{"id": "0", "cpus": "0-1", "memory": "2048", "unit": "MiB"},
                          {"id": "1", "memory": "0", "unit": "MiB"}])
        self.assertEqual(root.findtext("devices/emulator"), QEMU)
        self.assertEqual([s.find("source").get("path") for s in root.findall("devices/serial")],
                         ["/w/console", "/w/ctl"])
        spm = root.find("devices/memory[@model='spm']")
        self.assertEqual(spm.get("access"), "shared")
        self.assertEqual(spm.findtext("source/path"), "/f")
        self.assertEqual(domainxml.spm_targets(ET.tostring(root, encoding="unicode")),
                         [(None, 0x100000000, 1, 512 << 20)])
        self.assertEqual(root.find("devices/memory[@model='dimm']/target/node").text, "0")

    def test_no_numa_no_maxmemory_rom_emulator(self):
        root = domainxml.domain_element("d", "/w", cells=None, max_memory_mib=None,
                                      emulator="/q", rom="/bios.bin", online=False)
        self.assertIsNone(root.find("cpu"))
        self.assertIsNone(root.find("maxMemory"))
        self.assertEqual(root.findtext("memory"), "2048")
        self.assertEqual(root.find("os/loader").attrib, {"type": "rom"})
        self.assertEqual(root.findtext("os/loader"), "/bios.bin")
        self.assertNotIn("spm.online", root.findtext("os/cmdline"))
        self.assertEqual(domainxml.set_emulator(ET.tostring(root, encoding="unicode"), QEMU)
                         .count(QEMU), 1)

    def test_extra_and_raw_devices(self):
        text = domainxml.spm_xml(128, 2, extra="<source><path>/p</path></source>")
        mem = ET.fromstring(text)
        self.assertEqual([e.tag for e in mem], ["source", "target"])
        devs = domainxml.device_elements(["<a/><b/>", ET.Element("c")])
        self.assertEqual([e.tag for e in devs], ["a", "b", "c"])

    def test_template(self):
        text = ("<domain><name>x</name><os><kernel>@KERNEL@</kernel></os><devices>"
                "<emulator>@QEMU@</emulator><serial><source path='@WORKDIR@/console'/>"
                "</serial></devices></domain>")
        root = domainxml.template_element(io.StringIO(text), "/w", name="y")
        self.assertEqual(root.findtext("name"), "y")
        self.assertEqual(root.findtext("os/kernel"), KERNEL)
        self.assertEqual(root.findtext("devices/emulator"), QEMU)
        self.assertEqual(root.find("devices/serial/source").get("path"), "/w/console")
        example = domainxml.template_element(os.path.join(TOP, "examples", "spm-domain.xml"), "/w")
        self.assertNotIn("@", ET.tostring(example, encoding="unicode"))


class DebianReportTest(unittest.TestCase):
    def test_fields_are_the_reports_own(self):
        """The Debian guest's own lines give the fields; spm-probe's lines
        that start with the same word (its "kernel release=...") do not."""
        text = "\n".join([
            "noise", debian.BEGIN, "system-running running", "kernel 6.12.117+deb13-amd64",
            "init /usr/lib/systemd/systemd", "auto-online offline",
            "unit spm-online@dax0.0.service active success",
            "@@SPM-RUN BEGIN daxctl-list@@", '[{"chardev":"dax0.0"}]',
            "@@SPM-RUN END daxctl-list rc=0@@",
            BEGIN, 'kernel release="6.12.117+deb13-amd64"', END, debian.END, ""])
        rep = debian.DebianReport(text)
        self.assertEqual(rep.fields, {
            "system-running": ["running"], "kernel": ["6.12.117+deb13-amd64"],
            "init": ["/usr/lib/systemd/systemd"], "auto-online": ["offline"],
            "unit": ["spm-online@dax0.0.service active success"]})
        self.assertEqual(rep.daxctl, [{"chardev": "dax0.0"}])
        self.assertEqual(rep.probe.kernel_release(), "6.12.117+deb13-amd64")


class SuitesTest(unittest.TestCase):
    def module(self, text):
        fd, path = tempfile.mkstemp(suffix=".py")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def test_declared(self):
        path = self.module('import os\nORDER = 7\nBUILDS = ("qemu",)\nX = os.sep\n')
        self.assertEqual(suites.declared(path), {"ORDER": 7, "BUILDS": ("qemu",)})

    def test_declared_shared(self):
        """BUILDS may name the shared tuples and add to them; names from
        elsewhere are not read."""
        path = self.module('from spmtest.suites import LIBVIRT_BUILDS\n'
                           'BUILDS = LIBVIRT_BUILDS + ("debian-image",)\n'
                           'ORDER = OTHER\nX = GUEST_BUILDS + 1\n')
        self.assertEqual(suites.declared(path),
                         {"BUILDS": ("seabios", "qemu", "initramfs", "libvirt", "debian-image")})
        self.assertEqual(suites.system_declaration("spm-debian")[1],
                         suites.LIBVIRT_BUILDS + ("debian-image",))

    def test_order(self):
        found = suites.suites()
        unit = [s for s in found if s.startswith("unit/")]
        self.assertEqual(found[:len(unit)], sorted(unit), "unit suites first, by name")
        self.assertLess(found.index("unit/spm-lib"), found.index("unit/spm-probe"))
        self.assertLess(found.index("upstream/qemu"), found.index("system/rig"))
        system = [s for s in found if s.startswith("system/")]
        self.assertEqual(system[:3], ["system/rig", "system/baseline", "system/spm-qemu"])
        self.assertLess(system.index("system/spm-qemu"), system.index("system/spm-libvirt"))
        self.assertEqual(len(system), len([f for f in os.listdir(suites.SYSTEM)
                                           if f.startswith("test_") and f.endswith(".py")]))
        self.assertEqual(suites.system_declaration("spm-libvirt")[1],
                         ("seabios", "qemu", "initramfs", "libvirt"))
        self.assertEqual(suites.system_declaration("rig"), (10, suites.DEFAULT_BUILDS, None))

    def test_kernel(self):
        """A suite may declare its guest kernel, one of lib.sh's; the 7.2
        suite does, and tests/system/run hands it on as KERNEL."""
        self.assertEqual(suites.system_declaration("linux-7-2")[2], "7.2")
        res = subprocess.run([sys.executable, "-m", "spmtest.suites", "kernel", "linux-7-2"],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True)
        self.assertEqual(res.stdout, "7.2\n")
        res = subprocess.run([sys.executable, "-m", "spmtest.suites", "kernel", "rig"],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True)
        self.assertEqual(res.stdout, "\n")
        self.assertEqual(GUEST_KERNELS, ("6.12", "7.2"))
        bad = self.module('KERNEL = "5.10"\n')
        with mock.patch.object(suites, "system_module", return_value=bad):
            with self.assertRaisesRegex(ValueError, "KERNEL is '5.10', not one of the guest "
                                        "kernels 6.12, 7.2"):
                suites.system_declaration("x")


def sample():
    """A TestCase with a passing and a failing test that both write into
    their scratch directory and a /dev/shm file, noting both in .seen (a
    class of its own each time, out of the loader's sight)."""
    class Sample(case.TestCase):
        seen = []

        def test_pass(self):
            self.touch()

        def test_fail(self):
            self.touch()
            self.fail("on purpose")

        def touch(self):
            self.seen.append((self.workdir, self.shm_file("x")))
            for path in (os.path.join(self.workdir, "f"), self.seen[-1][1]):
                with open(path, "w") as f:
                    f.write("x")
    return Sample


class LayoutTest(unittest.TestCase):
    """spm.paths reads lib/lib.sh's layout; sockets that don't fit are
    refused with a message before anything starts."""

    def test_state_from_lib_sh(self):
        if os.environ.get("SPM_STATE"):
            self.assertEqual(paths.STATE, os.environ["SPM_STATE"])
        else:
            self.assertRegex(paths.STATE, r"^/var/lib/spm-[0-9a-f]{8}$")
        self.assertEqual(paths.PEER_STATE, paths.STATE + "-b")
        self.assertEqual(paths.LIBVIRT_RUN, paths.STATE + "/run/libvirt")
        self.assertEqual(paths.PREFIX, os.path.join(paths.BUILD, "prefix"))
        self.assertEqual(paths.SUN_PATH_MAX, 107)

    def test_kernel_knob(self):
        """KERNEL chooses the guest kernel: its own vmlinuz and initramfs;
        an unknown one is refused by name."""
        script = "from spm import paths; print(paths.GUEST_KERNEL, paths.KERNEL, paths.INITRD)"

        def paths_with(kernel):
            env = dict(os.environ)
            env.pop("KERNEL", None)
            if kernel is not None:
                env["KERNEL"] = kernel
            return subprocess.run([sys.executable, "-c", script], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True)
        guest_dir = os.path.join(paths.BUILD, "guest")
        for kernel, want in ((None, "6.12"), ("6.12", "6.12"), ("7.2", "7.2")):
            res = paths_with(kernel)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(res.stdout.split(), [
                want, os.path.join(guest_dir, want, "vmlinuz"),
                os.path.join(guest_dir, want, "initramfs.cpio.gz")])
        res = paths_with("4.19")
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("KERNEL=4.19: no such guest kernel (one of: 6.12 7.2)", res.stderr)

    def test_socket_path(self):
        fits = "/" + "x" * 106
        self.assertEqual(paths.check_socket_path(fits), fits)
        with self.assertRaisesRegex(ValueError, "the QMP socket at /x{107}: the path has 108 "
                                    "characters, more than the 107 of a UNIX socket path"):
            paths.check_socket_path(fits + "x", "the QMP socket")

    def test_long_workdir_refused(self):
        """A guest or a domain whose scratch directory is too deep for its
        control socket is refused, naming the socket."""
        wd = "/" + "w" * 110
        with self.assertRaisesRegex(ValueError, "the guest's control socket at %s/ctl" % wd):
            domainxml.domain_xml("d", wd, control=True)
        with self.assertRaisesRegex(GuestError, "the QMP socket at .* more than the 107"):
            guest.Guest([], workdir=wd)


class ScratchTest(unittest.TestCase):
    def outcome(self, name):
        cls = sample()
        result = unittest.TestResult()
        with contextlib.redirect_stderr(io.StringIO()) as err:
            cls(name).run(result)
        (workdir, shm), = cls.seen
        self.assertEqual(workdir in err.getvalue(), not result.wasSuccessful())
        self.assertTrue(workdir.startswith(os.path.join(tempfile.gettempdir(), "spm-")))
        self.assertFalse(os.path.exists(shm), "the /dev/shm file outlived the test")
        return result, workdir

    def test_removed_on_success(self):
        result, workdir = self.outcome("test_pass")
        self.assertTrue(result.wasSuccessful())
        self.assertFalse(os.path.exists(workdir))

    def test_kept_on_failure(self):
        result, workdir = self.outcome("test_fail")
        self.assertEqual(len(result.failures), 1)
        self.assertTrue(os.path.isfile(os.path.join(workdir, "f")))
        self.assertEqual(os.stat(workdir).st_mode & 0o777, 0o755)
        case.shutil.rmtree(workdir)

    def test_add_tests(self):
        class T(case.TestCase):
            def check(self, a, b):
                type(self).got.append((a, b))
        T.got = []
        case.add_tests(T, "check", [("one-x", (1, 2)), ("two", (3, 4))])
        result = unittest.TestResult()
        unittest.defaultTestLoader.loadTestsFromTestCase(T).run(result)
        self.assertTrue(result.wasSuccessful())
        self.assertEqual(sorted(T.got), [(1, 2), (3, 4)])
        self.assertTrue(hasattr(T, "test_one_x"))
        with self.assertRaisesRegex(ValueError, "already has a test_two"):
            case.add_tests(T, "check", [("two", (5, 6))])


if __name__ == "__main__":
    unittest.main(verbosity=2)
