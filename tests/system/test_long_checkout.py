# SPDX-License-Identifier: GPL-2.0-or-later
"""The private libvirt from a checkout whose path is longer than any UNIX
socket path can be.

A UNIX socket path has at most 107 characters, and libvirt and its QEMUs
make sockets deep below the daemon's state directory (a guest-agent
channel: run/libvirt/qemu/channel/ID-NAME/org.qemu.guest_agent.0).  That
directory is therefore a short path outside the tree (lib/lib.sh's
STATE), whatever the checkout's path.  This suite copies the checkout (its
tracked and new files, as they are in the work tree) to a path of more than
LENGTH characters, builds libvirt there (the other builds, QEMU, SeaBIOS
and the guest, are this checkout's, linked into its build directory), and
runs there, with that checkout's own tools and tests: the daemon's start,
an SPM guest made by virt-install (with its default guest-agent channel,
system/spm-virtinstall's import on SeaBIOS) and a live migration between
the two hosts of tools/libvirt-pair (system/spm-libvirt-migrate's live
migration on SeaBIOS).  Then that checkout's tools/libvirtd clean removes
its state directories.
"""

import os
import shutil
import subprocess
import tempfile

from spm.paths import BUILD, PREFIX, STATE, STATE_SOCKET_TAIL, SUN_PATH_MAX, TOP
from spmtest.case import TestCase
from spmtest.suites import GUEST_BUILDS

ORDER = 900
BUILDS = GUEST_BUILDS
# the checkout's path has more characters than this
LENGTH = 200
# what the long checkout's build directory takes from this one's, linked
SHARED = (("guest",), ("debs",), ("prefix", "bin", "qemu-system-x86_64"),
          ("prefix", "share", "qemu"))


def _env():
    """The environment of the long checkout's tools: nothing that points
    them at this checkout's build or state."""
    env = dict(os.environ)
    # CCACHE_BASEDIR is this checkout's (lib.sh exports it): the long one's
    # must be its own, or ccache finds none of its objects
    for var in ("SPM_BUILD", "SPM_STATE", "SPM_QEMU", "LIBVIRT_DEFAULT_URI",
                "VIRSH_DEFAULT_CONNECT_URI", "CCACHE_BASEDIR", "PYTHONPATH"):
        env.pop(var, None)
    return env


def _run(cmd, timeout, env=None):
    """Run CMD; (exit status, its stdout and stderr together)."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=env or _env(), timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout


def _tail(text, lines=60):
    return "\n".join(text.splitlines()[-lines:])


def long_path(base, length):
    """A directory path below BASE of more than LENGTH characters, made of
    names that say why it is long."""
    path = os.path.join(base, "checkout")
    part = "a-path-longer-than-a-unix-socket-path-may-be"
    while len(path) <= length:
        path = os.path.join(os.path.dirname(path), part, "checkout")
    return path


def copy_checkout(dest):
    """Copy this checkout's tracked and new (not ignored) files, as they
    are in the work tree, to DEST."""
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], check=True, stdout=subprocess.PIPE).stdout
    os.makedirs(dest)
    tar = subprocess.Popen(["tar", "-C", TOP, "--null", "-T", "-", "-cf", "-"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    untar = subprocess.Popen(["tar", "-C", dest, "-xf", "-"], stdin=tar.stdout)
    tar.stdout.close()
    tar.communicate(files)
    if untar.wait() != 0 or tar.returncode != 0:
        raise RuntimeError("could not copy the checkout to %s" % dest)
    # its own git repository, for the tools that ask git (tools/tree)
    subprocess.run(["git", "-C", dest, "init", "-q"], check=True)


def seed_build(build):
    """The long checkout's build directory: this one's downloads (hard
    links) and, linked, what SHARED names."""
    downloads = os.path.join(build, "downloads")
    os.makedirs(downloads)
    src = os.path.join(BUILD, "downloads")
    for f in os.listdir(src):
        try:
            os.link(os.path.join(src, f), os.path.join(downloads, f))
        except OSError:
            shutil.copy2(os.path.join(src, f), downloads)
    for parts in SHARED:
        target = os.path.join(BUILD, *parts)
        if not os.path.exists(target):
            raise RuntimeError("%s is not built" % target)
        link = os.path.join(build, *parts)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(target, link)


class LongCheckout(TestCase):
    base = top = None

    @classmethod
    def setUpClass(cls):
        cls.base = tempfile.mkdtemp(prefix="spm-long-")
        # also when the set-up fails half way (tearDownClass would not run)
        cls.addClassCleanup(cls.remove_checkout)
        cls.top = long_path(cls.base, LENGTH)
        copy_checkout(cls.top)
        # QEMU runs unprivileged and opens files below it
        d = cls.top
        while d != os.path.dirname(cls.base):
            os.chmod(d, 0o755)
            d = os.path.dirname(d)
        seed_build(os.path.join(cls.top, "build"))
        status, out = _run([os.path.join(cls.top, "tools", "build-libvirt")], timeout=3600)
        if status != 0:
            raise RuntimeError("tools/build-libvirt failed in %s:\n%s" % (cls.top, _tail(out)))

    @classmethod
    def remove_checkout(cls):
        """Stop what the long checkout runs, remove its state and itself."""
        clean = os.path.join(cls.top or cls.base, "tools", "libvirtd")
        if os.path.exists(clean):
            status, out = _run([clean, "clean"], timeout=300)
            if status != 0:
                print("tools/libvirtd clean failed in %s:\n%s" % (cls.top, _tail(out)))
                return      # leave the checkout for a look
        shutil.rmtree(cls.base)

    def tool(self, *args, timeout=600):
        """Run the long checkout's tool ARGS; its output."""
        status, out = _run([os.path.join(self.top, "tools", args[0])] + list(args[1:]),
                           timeout=timeout)
        self.assertEqual(status, 0, "tools/%s failed:\n%s" % (" ".join(args), _tail(out)))
        return out

    def where(self):
        """{name: path} of the long checkout's tools/libvirtd where."""
        return dict(line.split(None, 1) for line in self.tool("libvirtd", "where").splitlines())

    def system_test(self, suite, pattern):
        """Run the long checkout's system suite SUITE, only its tests that
        match PATTERN (one), with its build directory as it is."""
        env = _env()
        env["SPM_SKIP_BUILDS"] = "1"
        status, out = _run([os.path.join(self.top, "tests", "system", "run"), suite,
                            "-k", pattern], timeout=1800, env=env)
        self.assertEqual(status, 0, "%s -k %s failed:\n%s" % (suite, pattern, _tail(out, 120)))
        self.assertIn("Ran 1 test", out, _tail(out))
        print(_tail(out, 4))

    def test_path_is_long(self):
        self.assertGreater(len(self.top), 150)
        self.assertGreater(len(self.top), LENGTH)

    def test_state_is_short_and_its_own(self):
        """Its state directory is short, outside the tree, and not this
        checkout's; the libvirt built there has it compiled in."""
        where = self.where()
        state = where["state"]
        self.assertRegex(state, r"^/var/lib/spm-[0-9a-f]{8}$")
        self.assertNotEqual(state, STATE)
        self.assertFalse(state.startswith(self.top))
        self.assertEqual(where["peer"], state + "-b")
        self.assertEqual(where["uri"],
                         "qemu:///system?socket=%s/run/libvirt/virtqemud-sock" % state)
        # the client library looks for the daemon's socket there
        lib = os.path.join(self.top, "build", "prefix", "lib", "libvirt.so.0")
        with open(lib, "rb") as f:
            self.assertIn(state.encode() + b"/run", f.read())
        self.assertNotEqual(os.path.realpath(os.path.join(self.top, "build", "prefix")), PREFIX)
        # the room the checks leave: the longest socket libvirt makes fits
        self.assertLessEqual(len(where["peer"]) + STATE_SOCKET_TAIL, SUN_PATH_MAX)

    def test_virt_install_guest_with_agent_channel(self):
        """virt-install's guest with SPM and its default guest-agent channel
        (the test asserts the channel's socket below the state directory)."""
        self.system_test("spm-virtinstall", "import_seabios")

    def test_live_migration(self):
        self.system_test("spm-libvirt-migrate", "live_seabios")

