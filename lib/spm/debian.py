# SPDX-License-Identifier: GPL-2.0-or-later
"""The Debian guest (tools/build-debian-image): Debian trixie with systemd,
created with Debian's virt-install (--import) on the private libvirt and
booted from a copy of the cached image.

Its kernel adds hot-plugged memory offline (memhp_default_state=offline);
what a user configures in it (guest/debian: a udev rule and
spm-online@.service, daxctl reconfigure-device --mode=system-ram) onlines
every SPM device on its node.  spm-report.service prints, on the second
serial port once the boot is done, systemd's state, each unit's result,
daxctl's list and spm-probe's report, which boot() returns parsed.

    python3 -m spm.debian [--timeout S]     (tools/run-debian)
        boot it once with the SPM of CELLS and SPMS, print what it
        reports, remove the domain.  The private daemon must run.
"""

import argparse
import os
import re
import subprocess
import sys
import time

from spm import libvirt, virtinstall
from spm.daxctl import command_output, json_output
from spm.paths import BUILD
from spm.report import GuestError, all_reports, summary

IMAGE_DIR = os.path.join(BUILD, "debian")
BEGIN, END = "@@SPM-DEBIAN BEGIN@@", "@@SPM-DEBIAN END@@"
KERNEL_ARGS = "root=/dev/vda rw console=ttyS0 memhp_default_state=offline"
BOOT_TIMEOUT = 900

# Node 0: 2 GiB and both CPUs; nodes 1 and 2 memory-only, with 1 GiB of
# SPM in two devices on node 1 and 512 MiB on node 2.
CELLS = [(2048, "0-1"), (0, None), (0, None)]
SPMS = [(512, 1), (512, 1), (512, 2)]


def kernel_release():
    """The release of the image's kernel (uname -r)."""
    with open(os.path.join(IMAGE_DIR, "kernel-release")) as f:
        return f.read().strip()


def virt_install_args(name, workdir, disk, cells=CELLS, spms=SPMS):
    """The rig's virt-install options (spm.virtinstall), with DISK as the
    root's disk, a second serial port for the report (WORKDIR/report), and
    the image's kernel."""
    args = virtinstall.guest_args(name, workdir)
    args[args.index("--disk") + 1] = "path=%s,format=raw,bus=virtio" % disk
    return args + virtinstall.numa_args(cells, spms) + [
        "--serial", "file,path=" + os.path.join(workdir, "report"),
        "--import", "--boot", "kernel=%s,initrd=%s,kernel_args=%s"
        % (os.path.join(IMAGE_DIR, "vmlinuz"), os.path.join(IMAGE_DIR, "initrd.img"),
           KERNEL_ARGS)]


class DebianReport:
    """The guest's report: .fields {key: [values]} (system-running,
    kernel, init, auto-online, unit), .daxctl (daxctl list -D), .probe
    (spm-probe's spm.report.Report)."""

    def __init__(self, text):
        start = text.find(BEGIN)
        end = text.find(END, start)
        if start < 0 or end < 0:
            raise GuestError("no complete report of the Debian guest")
        body = text[start + len(BEGIN):end].replace("\r", "")
        self.fields = {}
        # the report's own lines come before daxctl's and spm-probe's (whose
        # lines may start with the same words: "kernel release=...")
        own = body.split("@@SPM-RUN BEGIN", 1)[0]
        for line in own.splitlines():
            m = re.match(r"(system-running|kernel|init|auto-online|unit) (.*)", line)
            if m:
                self.fields.setdefault(m.group(1), []).append(m.group(2).strip())
        out = command_output(body, "daxctl-list")
        if out is None:
            raise GuestError("the Debian guest's report has no daxctl list")
        self.daxctl = json_output(*out, what="daxctl list -D")
        reports = all_reports(body)
        if len(reports) != 1:
            raise GuestError("the Debian guest's report holds %d spm-probe reports"
                             % len(reports))
        self.probe = reports[0]


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def create_and_wait(dom, timeout=BOOT_TIMEOUT, cells=CELLS, spms=SPMS):
    """Create and start spm.libvirt.Domain DOM (not yet defined; its
    workdir must be searchable by QEMU's user) with virt-install, from a
    copy of the image in its workdir; wait for its report.  Returns
    (query-memory-devices, DebianReport, seconds from virt-install to the
    report).  The domain keeps running: remove it (dom.remove())."""
    image = [os.path.join(IMAGE_DIR, f) for f in ("disk.raw", "vmlinuz", "initrd.img")]
    for path in image:
        if not os.path.exists(path):
            raise GuestError("%s is missing: run tools/build-debian-image first" % path)
    disk = os.path.join(dom.workdir, "disk.raw")
    subprocess.run(["cp", "--sparse=always", image[0], disk], check=True)
    started = time.monotonic()
    virtinstall.virt_install(virt_install_args(dom.name, dom.workdir, disk, cells, spms))
    dom.check_unprivileged()
    memdevs = dom.qmp("query-memory-devices")
    report = os.path.join(dom.workdir, "report")
    dom.wait_until(lambda: END in read(report), "the Debian guest's report", timeout)
    return memdevs, DebianReport(read(report)), time.monotonic() - started


def main(argv):
    ap = argparse.ArgumentParser(prog="tools/run-debian", description=(
        "Boot the Debian guest with SPM through virt-install and print what it reports."))
    ap.add_argument("--timeout", type=int, default=BOOT_TIMEOUT)
    args = ap.parse_args(argv)
    wd = libvirt.scratch_dir("spm-debian-")
    name = "spm-debian"
    with libvirt.Domain(name, workdir=wd) as dom:
        try:
            memdevs, rep, seconds = create_and_wait(dom, args.timeout)
        except (GuestError, libvirt.VirshError) as e:
            sys.exit("run-debian: %s\n(the guest's files are in %s)" % (e, wd))
    print("domain %s: Debian %s, created with virt-install --import, report after %.0f s"
          % (name, rep.fields.get("kernel", ["?"])[0], seconds))
    for key in ("system-running", "init", "auto-online", "unit"):
        for value in rep.fields.get(key, []):
            print("guest %s: %s" % (key, value))
    for d in rep.daxctl:
        print("guest daxctl: %s %d MiB target_node %d mode %s, %s of %s blocks online"
              % (d["chardev"], d["size"] >> 20, d["target_node"], d["mode"],
                 d.get("online_memblocks"), d.get("total_memblocks")))
    print(summary(memdevs, rep.probe))
    print("(console log and report in %s)" % wd)


if __name__ == "__main__":
    main(sys.argv[1:])
