# SPDX-License-Identifier: GPL-2.0-or-later
"""daxctl in the guest: run it, read its output off the console, and check
what it says about the SPM devices against what QEMU placed.

The test guest (guest/init, control mode) runs "spm_run NAME CMD..." and
prints CMD's output between @@SPM-RUN BEGIN NAME@@ and @@SPM-RUN END NAME
rc=STATUS@@; the Debian guest's report (guest/debian/spm-report) prints
daxctl's list the same way.
"""

import json
import re

from spm.check import spm_devices
from spm.report import GuestError, memdev_range


def command_output(text, name):
    """(status, output) of the command run as NAME in console text TEXT,
    or None while its end marker is not there yet."""
    m = re.search(r"@@SPM-RUN BEGIN %s@@\r?\n(.*?)@@SPM-RUN END %s rc=(\d+)@@"
                  % (re.escape(name), re.escape(name)), text, re.S)
    if m is None:
        return None
    return int(m.group(2)), m.group(1).replace("\r", "")


def run_in_guest(guest, name, command, timeout=120):
    """Have GUEST (in control mode) run shell COMMAND as NAME (unique per
    guest); return (status, output)."""
    guest.send("spm_run %s %s" % (name, command))
    guest.wait_until(lambda: command_output(guest.console_text(), name) is not None,
                     "the end of %r" % command, timeout)
    return command_output(guest.console_text(), name)


def json_output(status, output, what):
    """The JSON value daxctl printed (other lines, such as "reconfigured N
    devices" on stderr, left out); GuestError if it failed or printed none."""
    if status != 0:
        raise GuestError("%s exited with status %d:\n%s" % (what, status, output))
    start = output.find("[")
    end = output.rfind("]")
    if start < 0 or end < start:
        raise GuestError("%s printed no JSON list:\n%s" % (what, output))
    try:
        return json.loads(output[start:end + 1])
    except ValueError as e:
        raise GuestError("%s printed bad JSON (%s):\n%s" % (what, e, output))


def devices_by_spm(tc, memdevs, rep, listed):
    """Match daxctl's LISTED devices (daxctl list -D) with the SPM devices
    of MEMDEVS, through the dax devices of spm-probe's report REP (which
    gives each one's range): [(memdev, daxctl entry)], every SPM device
    with exactly one dax device of its whole size."""
    by_name = {d["chardev"]: d for d in listed}
    tc.assertEqual(len(by_name), len(listed), "daxctl lists a device twice: %s" % listed)
    out = []
    for m in spm_devices(memdevs):
        s, e = memdev_range(m)
        daxes = [x for x in rep["dax"] if s <= x["start"] and x["start"] + x["size"] <= e]
        tc.assertEqual(len(daxes), 1, "SPM [%#x, %#x): dax devices %s" % (s, e, daxes))
        name = daxes[0]["name"]
        tc.assertIn(name, by_name, "daxctl does not list %s (SPM [%#x, %#x)): %s"
                    % (name, s, e, listed))
        out.append((m, by_name[name]))
    tc.assertEqual(len(out), len(listed), "daxctl lists devices that are no SPM: %s" % listed)
    return out


def check_list(tc, memdevs, rep, listed, mode, linux_node=lambda node: node):
    """daxctl list -D (LISTED) shows every SPM device of MEMDEVS with the
    size QEMU gave it, its configured node as target_node (through
    LINUX_NODE, the guest's id of a configured node) and MODE."""
    for m, d in devices_by_spm(tc, memdevs, rep, listed):
        what = "daxctl's %s (SPM %s)" % (d["chardev"], m["data"].get("id"))
        tc.assertEqual(d["size"], m["data"]["size"], what + ": size")
        tc.assertEqual(d["target_node"], linux_node(m["data"]["node"]), what + ": target_node")
        tc.assertEqual(d["mode"], mode, what + ": mode")


def spm_bytes_by_node(memdevs):
    """{configured node: bytes of SPM on it}."""
    out = {}
    for m in spm_devices(memdevs):
        s, e = memdev_range(m)
        out[m["data"]["node"]] = out.get(m["data"]["node"], 0) + e - s
    return out
