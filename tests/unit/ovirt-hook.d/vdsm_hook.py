# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a VDSM hook script as VDSM 4.50 runs one.

What _runHooksDir (lib/vdsm/common/hooks.py) does for a domain XML hook:
the XML goes into a file of its own (tempfile.mkstemp), whose path is the
environment variable _hook_domxml; the VM's custom properties and vmId
are added to VDSM's own environment; the script is executed directly
(it must be executable), its stdout and stderr captured; VDSM reads the
file back after it and removes it.  A before_vm_start hook that exits
with anything but 0 fails the VM's start; 2 also stops the hooks after
it.  Used by tests/unit/ovirt-hook.d/test_ovirt_hook.py and
tests/system/test_ovirt_hook.py.
"""

import collections
import os
import shutil
import stat
import subprocess
import tempfile

from spm.paths import TOP

# the hook of integrations/ovirt, where VDSM would find it installed as
# /usr/libexec/vdsm/hooks/before_vm_start/50_spm
HOOK = os.path.join(TOP, "integrations", "ovirt", "before_vm_start.py")
FIXTURES = os.path.dirname(os.path.abspath(__file__))
VM_ID = "77f8e5e5-12a1-4f14-a8eb-26317de6fef5"

# RETURNCODE and STDERR (text) of the hook; XML, the bytes of the file
# after it; MODE, the file's permissions after it; OTHERS, any other file
# left in the file's directory.
Run = collections.namedtuple("Run", "returncode stderr xml mode others")


def fixture(name):
    """The bytes of fixture NAME (tests/unit/ovirt-hook.d/NAME.xml)."""
    with open(os.path.join(FIXTURES, name + ".xml"), "rb") as f:
        return f.read()


def run(xml, custom, hook=HOOK, vm_id=VM_ID, mode=None):
    """Run HOOK on domain XML (bytes) with the custom properties CUSTOM (a
    dict, {"spm": "1024"}) as VDSM does; a Run.  MODE: the permissions of
    the file, if not mkstemp's 0600."""
    tmpdir = tempfile.mkdtemp(prefix="vdsm-hook-")
    try:
        fd, path = tempfile.mkstemp(dir=tmpdir)
        os.write(fd, xml)
        os.close(fd)
        if mode is not None:
            os.chmod(path, mode)
        env = dict(os.environ, **custom)
        env["vmId"] = vm_id
        env["_hook_domxml"] = path
        if not os.access(hook, os.X_OK):
            raise AssertionError("VDSM runs only executable hooks: %s is not" % hook)
        res = subprocess.run([hook], env=env, stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=60)
        with open(path, "rb") as f:
            after = f.read()
        return Run(res.returncode, res.stderr.decode("utf-8", "replace"), after,
                   stat.S_IMODE(os.stat(path).st_mode),
                   sorted(set(os.listdir(tmpdir)) - {os.path.basename(path)}))
    finally:
        shutil.rmtree(tmpdir)
