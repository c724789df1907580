# SPDX-License-Identifier: GPL-2.0-or-later
"""The base of the system tests: a scratch directory per test
(TestCase), the private libvirt daemon for the tests that use it
(LibvirtTestCase), and tests generated from a table of cases (add_tests).

TestCase.workdir is a directory of its own for each test (made on first
use), for the guest's console, sockets, firmware variables, domain XML,
migration streams and whatever else the test writes.  When the test
passes it is removed; when it fails or errs it is kept, and its path is
printed, for the console logs in it.  Files a test places elsewhere with
shm_file(), memory backends on /dev/shm, are removed either way: they hold
guest memory only, and would hold on to the host's.
"""

import os
import shutil
import sys
import tempfile
import unittest

from spm.libvirt import remove_domains
from spmtest.daemon import DAEMON


class TestCase(unittest.TestCase):
    _workdir = None
    _shm_files = ()

    @property
    def workdir(self):
        """This test's scratch directory.  QEMU runs unprivileged and opens
        files there, so everybody may search it."""
        if self._workdir is None:
            name = self.id().rsplit(".", 2)[-2:]
            self._workdir = tempfile.mkdtemp(prefix="spm-%s-" % ".".join(name))
            os.chmod(self._workdir, 0o755)
        return self._workdir

    def shm_file(self, name):
        """A path in /dev/shm for a memory backend's file (QEMU makes it and
        leaves it behind), removed after the test whatever its outcome."""
        path = "/dev/shm/spm-test-%d-%s" % (os.getpid(), name)
        self._shm_files = self._shm_files + (path,)
        return path

    def run(self, result=None):
        if result is None:
            result = self.defaultTestResult()
        before = _problems(result)
        try:
            return super().run(result)
        finally:
            self._clean(passed=_problems(result) == before)

    def _clean(self, passed):
        for path in self._shm_files:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        if self._workdir is not None:
            if passed:
                shutil.rmtree(self._workdir)
            else:
                print("\n%s: its files are kept in %s" % (self.id(), self._workdir),
                      file=sys.stderr)


class LibvirtTestCase(TestCase):
    """A TestCase whose tests use the private libvirt daemon.  The daemon
    starts with the first such class of the test process and stops when
    the process ends (spmtest.daemon); domains whose names start with the
    class's DOMAIN_PREFIX, which every subclass sets, are removed before
    its tests (an interrupted run may have left them) and after."""

    DOMAIN_PREFIX = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.DOMAIN_PREFIX:
            raise ValueError("%s sets no DOMAIN_PREFIX" % cls.__name__)
        DAEMON.up(cls.DOMAIN_PREFIX)

    @classmethod
    def tearDownClass(cls):
        try:
            if DAEMON.running:
                remove_domains(cls.DOMAIN_PREFIX)
        finally:
            super().tearDownClass()


def _problems(result):
    return (len(result.failures) + len(result.errors)
            + len(getattr(result, "unexpectedSuccesses", ())))


def add_tests(cls, method, cases):
    """Give class CLS a test_NAME for each (NAME, ARGS) of CASES that calls
    its METHOD(*ARGS) ('-' in NAME becomes '_')."""
    for name, args in cases:
        test_name = "test_" + name.replace("-", "_")
        if hasattr(cls, test_name):
            raise ValueError("%s already has a %s" % (cls.__name__, test_name))

        def test(self, args=tuple(args)):
            getattr(self, method)(*args)
        test.__name__ = test_name
        test.__qualname__ = "%s.%s" % (cls.__qualname__, test_name)
        setattr(cls, test_name, test)
