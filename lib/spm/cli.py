# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/run-guest and tools/run-domain: boot the test guest and print what
it sees.

    python3 -m spm.cli run-guest [--firmware seabios|ovmf] [--machine M]
                                 [--online] [--json] [--timeout S] CONFIG
        CONFIG is a file of QEMU arguments (shell words, '#' comments),
        such as examples/qemu-baseline.args.
    python3 -m spm.cli run-domain [--timeout S] XML
        XML is a domain such as examples/spm-domain.xml; its placeholders
        (@QEMU@, @KERNEL@, @INITRD@, @OVMF_DIR@, @WORKDIR@) are filled in.
        The private daemon must run (tools/libvirtd start).  The domain is
        defined, started, waited for until the guest powered off, and
        undefined again.
"""

import argparse
import json
import shlex
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET

from spm import domainxml, guest, libvirt
from spm.paths import FIRMWARES
from spm.report import GuestError, summary


def run_guest(argv):
    ap = argparse.ArgumentParser(prog="tools/run-guest", description=(
        "Boot the test guest with a QEMU configuration and print what it sees."))
    ap.add_argument("--firmware", default="seabios", choices=FIRMWARES)
    ap.add_argument("--machine", default="q35")
    ap.add_argument("--online", action="store_true", help="online dax devices through kmem")
    ap.add_argument("--json", action="store_true", help="print the parsed report as JSON")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("config", help="file of QEMU arguments")
    args = ap.parse_args(argv)
    try:
        with open(args.config) as f:
            qemu_args = shlex.split(f.read(), comments=True)
    except OSError as e:
        sys.exit("run-guest: %s" % e)
    wd = tempfile.mkdtemp(prefix="spm-guest-")
    try:
        res = guest.run(qemu_args, firmware=args.firmware, machine=args.machine,
                        online=args.online, timeout=args.timeout, workdir=wd)
    except GuestError as e:
        sys.exit("run-guest: %s\n(the guest's files are in %s)" % (e, wd))
    shutil.rmtree(wd)
    if args.json:
        print(json.dumps({"memdevs": res.memdevs, "report": res.report.entries}, indent=1))
    else:
        print(summary(res.memdevs, res.report))


def run_domain(argv):
    ap = argparse.ArgumentParser(prog="tools/run-domain", description=(
        "Boot the test guest from a libvirt domain XML and print what it sees."))
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("xml", help="domain XML")
    args = ap.parse_args(argv)
    wd = libvirt.scratch_dir()
    try:
        root = domainxml.template_element(args.xml, wd)
    except (OSError, ET.ParseError) as e:
        sys.exit("run-domain: %s" % e)
    name = root.findtext("name")
    if not name:
        sys.exit("run-domain: %s has no <name>" % args.xml)
    try:
        res = libvirt.boot(name, root, wd, timeout=args.timeout)
    except (GuestError, libvirt.VirshError) as e:
        sys.exit("run-domain: %s" % e)
    print("domain %s: defined, started and shut off again with virsh" % name)
    for alias, base, node, size in domainxml.spm_targets(res.cmdline):
        print("live XML  %s: <memory model='spm'> %d MiB at %#x on node %d"
              % (alias, size >> 20, base, node))
    print(summary(res.memdevs, res.report))
    print("console log: %s" % res.console)


COMMANDS = {"run-guest": run_guest, "run-domain": run_domain}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit("usage: python3 -m spm.cli {%s} ARGS..." % ",".join(COMMANDS))
    COMMANDS[sys.argv[1]](sys.argv[2:])
