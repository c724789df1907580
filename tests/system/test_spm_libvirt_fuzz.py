# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded fuzzing of <memory model='spm'> through the private libvirt.

Each snippet is a domain: the rig's guest (spm.domainxml.domain_element: q35,
node 0 with the CPUs and 2 GiB, nodes 1 and 2 memory-only, maxMemory 16 GiB
with 4 slots) with one to three memory devices built with xml.etree, mostly
spm and sometimes a dimm or virtio-mem beside them.  Each spm device starts
valid (sometimes with a source path, mapped with an <alignsize>) and gets
zero or more mutations: broken values and units of its size, node, address,
page size and node mask, a source path that is missing, relative or
unreachable, an <alignsize> with and without a path, valid or broken, with a
size and address that are or aren't multiples of it, attributes with bad
values, elements other models use (<label>, <readonly/>, <block>,
<requested>, <current>, <uuid>, <pmem/>, the dynamicMemslots attribute,
<address type='dimm'>); some domains get a mutation of their own (slots,
maxMemory, NUMA, memoryBacking, machine).

Every snippet goes through 'virsh define'.  It is either refused, with a
message that is not an internal error (a snippet of spm devices without
mutations, at most one with an address, must not be), or defined: then its
dumpxml (--inactive) must define again with --validate (the schema accepts
what libvirt writes) and dump the same XML again; the spm devices keep the
size, node, address, path, page size, alignsize and attributes they were
given, and keep the rules of <source>: no <alignsize> without a <path>, a
size and an address that are multiples of the alignsize and of the page
size (with a <path>, that of the memory behind it); <address type='dimm'>
must have been refused.  The elements of other models (all above but the address) are, as
for every model, not read for spm: 'virsh define --validate' must refuse a
snippet with them with the schema's message and define nothing, and a plain
'virsh define' defines it without them (its dumpxml lacks them and keeps
everything else) or refuses it as it refuses the snippet without them, for
another reason.  Every SPM_FUZZ_START_EVERY-th defined snippet is also started,
paused (QEMU realizes the devices and builds the ACPI tables, but the guest
never runs, so a start costs seconds, not a boot): it either runs, with every
spm device in the live XML at the address QEMU reports, QEMU unprivileged,
and is destroyed, or fails with a clear message (a refusal of QEMU's comes
as libvirt's "internal error: ... qemu-system-x86_64: ...", with QEMU's own
message, which is not a crash); either way the files a source path may
name belong to their owner again after it.  After every snippet the daemon
must still be the same process, answer 'virsh version', and its log and
stderr must hold no crash, assertion or GLib critical, and no internal
error outside those of QEMU's refusals.  The generator and the judges are
spm.fuzz's; unit/spm-lib (SpmFuzzChecks) tests these
judgements themselves on made-up messages and XML, and the generator's
bookkeeping of what a snippet holds.

Environment:
  SPM_FUZZ_SEED         the seed (default 2026, so that every run of make
                        test tries the same snippets; 'random' picks one);
                        printed
  SPM_FUZZ_COUNT        how many snippets (default 120)
  SPM_FUZZ_START_EVERY  start every Nth defined snippet (default 4; 0: none)
  SPM_FUZZ_ONLY         run only the snippets with these numbers (1,5,...)
A finding prints the snippet's devices, the command, its message and the
line that reproduces it.
"""

import os
import random
import re
import time
import xml.etree.ElementTree as ET

from spm.check import spm_devices
from spm.domainxml import spm_targets
from spm.fuzz import (QEMU_CRASH, QEMU_LOG_DIR, START_INTERNAL, DaemonWatch, Snippet,
                      dumped_spm, kept_problems, last_line, message, owner, refusal_problem,
                      rule_problems, validate_problem)
from spm.libvirt import Domain, virsh
from spm.paths import GiB
from spm.report import memdev_range
from spmtest.case import LibvirtTestCase
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 52
BUILDS = LIBVIRT_BUILDS
PREFIX = "spmfuzz-"
# --- the test ----------------------------------------------------------------

settings = {}


def env_int(name, default, least):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not re.fullmatch(r"\d+", value) or int(value) < least:
        raise ValueError("%s=%r: give a whole number of at least %d" % (name, value, least))
    return int(value)


def setUpModule():
    # the environment is checked before the daemon starts
    if os.environ.get("SPM_FUZZ_SEED", "").strip() == "random":
        settings["seed"] = random.SystemRandom().randrange(1 << 32)
    else:
        settings["seed"] = env_int("SPM_FUZZ_SEED", 2026, 0)
    settings["count"] = env_int("SPM_FUZZ_COUNT", 120, 1)
    settings["start_every"] = env_int("SPM_FUZZ_START_EVERY", 4, 0)
    only = os.environ.get("SPM_FUZZ_ONLY", "").strip()
    if only and not re.fullmatch(r"\d+(,\d+)*", only):
        raise ValueError("SPM_FUZZ_ONLY=%r: give snippet numbers separated by commas" % only)
    settings["only"] = {int(i) for i in only.split(",")} if only else set()


class SpmLibvirtFuzz(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def setUp(self):
        self.seed = settings["seed"]
        self.count = settings["count"]
        self.start_every = settings["start_every"]
        self.only = settings["only"]
        with open(os.path.join(self.workdir, "spm.img"), "wb") as f:
            f.truncate(1 * GiB)
        private = os.path.join(self.workdir, "private")
        os.mkdir(private, 0o700)
        with open(os.path.join(private, "spm.img"), "wb") as f:
            f.truncate(1 * GiB)
        # what the snippets' source paths may name: the DAC driver hands
        # them to QEMU's user and must give them back after a start
        self.owners = {path: owner(path) for path in (
            self.workdir, os.path.join(self.workdir, "spm.img"), private,
            os.path.join(private, "spm.img"))}
        self.findings = []
        self.figures = {"defined": 0, "refused": 0, "schema refused": 0, "started": 0,
                        "start refused": 0}
        self.messages = {}

    def finding(self, snip, what, res=None, cmd=None):
        text = ["snippet %d (SPM_FUZZ_SEED=%d SPM_FUZZ_ONLY=%d): %s"
                % (snip.index, self.seed, snip.index, what),
                "  devices: " + snip.text()]
        if cmd:
            text.append("  command: virsh " + cmd)
        if res is not None:
            text.append("  message: " + message(res).replace("\n", "\n           "))
        print("\n".join(text), flush=True)
        self.findings.append("\n".join(text))

    def count_message(self, phase, res):
        """Count the distinct messages (numbers and paths left out)."""
        last = last_line(res)
        key = phase + ": " + re.sub(r"(?<!\w)'[^']*'|0x[0-9a-f]+|\d+|/\S+", "_", last)[:140]
        self.messages[key] = self.messages.get(key, 0) + 1

    def test_fuzz(self):
        """Random spm snippets are defined or refused cleanly; the defined
        ones round-trip and start or fail with a message; the daemon lives."""
        print("SPM fuzz: SPM_FUZZ_SEED=%d SPM_FUZZ_COUNT=%d SPM_FUZZ_START_EVERY=%d"
              % (self.seed, self.count, self.start_every), flush=True)
        watch = DaemonWatch()
        began = time.monotonic()
        defined = 0
        for i in range(self.count):
            if self.only and i not in self.only:
                continue
            snip = Snippet(self.seed, i, self.workdir)
            name = "%s%d" % (PREFIX, i)
            with Domain(name, snip.build(name), self.workdir) as dom:
                if self.define(snip, dom):
                    defined += 1
                    start = self.start_every and (defined % self.start_every == 0 or self.only)
                    self.defined(snip, dom, start)
                else:
                    start = False
            for p in watch.problems(start):
                self.finding(snip, p)
            if not watch.alive():
                break
            if (i + 1) % 100 == 0 and not self.only:
                print("SPM fuzz: %d of %d snippets in %.0f s: %s"
                      % (i + 1, self.count, time.monotonic() - began, self.figures_text()),
                      flush=True)
        for name in os.listdir(QEMU_LOG_DIR):
            if name.startswith(PREFIX):
                os.unlink(os.path.join(QEMU_LOG_DIR, name))
        print("SPM fuzz: seed %d, %d snippets in %.0f s: %s"
              % (self.seed, self.count if not self.only else len(self.only),
                 time.monotonic() - began, self.figures_text()))
        for key, n in sorted(self.messages.items()):
            print("  %4d  %s" % (n, key))
        self.assertEqual(self.findings, [], "%d findings (seed %d)"
                         % (len(self.findings), self.seed))

    def figures_text(self):
        return ", ".join("%s %d" % kv for kv in self.figures.items())

    def exists(self, dom):
        return dom.name in virsh("list", "--all", "--name").stdout.split()

    def define(self, snip, dom):
        """virsh define; True if it defined the domain.  A snippet with
        elements of other models goes through 'define --validate' first."""
        foreign = snip.foreign()
        if foreign:
            self.define_validate(snip, dom)
        res = virsh("define", dom.xml_path, check=False)
        if res.returncode != 0:
            self.figures["refused"] += 1
            self.count_message("define", res)
            problem = refusal_problem(res)
            if problem:
                self.finding(snip, "define refused with " + problem, res, "define")
            if self.exists(dom):
                self.finding(snip, "define failed but the domain exists", res, "define")
            elif snip.valid():
                self.finding(snip, "define refused a snippet without mutations", res, "define")
            elif foreign:
                self.refused_without(snip, dom, foreign, res)
            return False
        self.figures["defined"] += 1
        return True

    def define_validate(self, snip, dom):
        """The schema has no place for elements of other models in spm:
        'define --validate' refuses the snippet and defines nothing."""
        res = virsh("define", "--validate", dom.xml_path, check=False)
        if res.returncode != 0:
            self.figures["schema refused"] += 1
            self.count_message("define --validate", res)
        problem = validate_problem(res)
        if problem:
            self.finding(snip, "define --validate of a snippet with %s %s"
                         % (", ".join(snip.foreign()), problem), res, "define --validate")
        if self.exists(dom):
            if res.returncode != 0:
                self.finding(snip, "define --validate failed but the domain exists", res,
                             "define --validate")
            dom.remove()

    def refused_without(self, snip, dom, foreign, res):
        """A plain define that refused a snippet with elements of other
        models refused it for another reason: libvirt does not read them for
        spm, so it refuses the snippet without them the same way."""
        path = os.path.join(self.workdir, "without-foreign.xml")
        with open(path, "w") as f:
            f.write(snip.without_foreign())
        again = virsh("define", path, check=False)
        if again.returncode == 0:
            self.finding(snip, "define refused it for %s, which libvirt does not read for spm: "
                         "without them it defines" % ", ".join(foreign), res, "define")
            dom.remove()
        elif last_line(again) != last_line(res):
            self.finding(snip, "define refused it with %s and without them differently: %s"
                         % (", ".join(foreign), last_line(again)), res, "define")

    def defined(self, snip, dom, start):
        """Checks of a defined snippet: what it kept, the round trip, a start."""
        first = virsh("dumpxml", "--inactive", dom.name).stdout
        for el, exp in zip(snip.devices, snip.expect):
            if exp is not None and exp["spm"] and exp["refused"]:
                self.finding(snip, "defined with %s, which libvirt must refuse for spm: %s"
                             % (exp["refused"], ET.tostring(el, encoding="unicode")))
                return
        dumped = dumped_spm(first)
        for p in kept_problems(snip.expect, dumped) + rule_problems(dumped):
            self.finding(snip, p)
        again = os.path.join(self.workdir, "again.xml")
        with open(again, "w") as f:
            f.write(first)
        res = virsh("define", "--validate", again, check=False)
        if res.returncode != 0:
            self.finding(snip, "its own dumpxml does not define again", res, "define --validate")
            return
        second = virsh("dumpxml", "--inactive", dom.name).stdout
        if second != first:
            self.finding(snip, "dumpxml changed on a second define:\n--- first\n%s--- second\n%s"
                         % (first, second))
        if start:
            self.start(snip, dom)

    def start(self, snip, dom):
        res = virsh("start", "--paused", dom.name, check=False)
        if res.returncode != 0:
            self.figures["start refused"] += 1
            self.count_message("start", res)
            problem = refusal_problem(res, START_INTERNAL)
            if problem:
                self.finding(snip, "start failed with " + problem, res, "start --paused")
            state = dom.state()
            if state != "shut off":
                self.finding(snip, "start failed, the domain is %r" % state)
            self.check_qemu_log(snip, dom)
            self.check_owners(snip)
            return
        self.figures["started"] += 1
        state = dom.state()
        if state != "paused":
            self.finding(snip, "started paused, the domain is %r" % state)
            return
        dom.check_unprivileged()
        live = spm_targets(virsh("dumpxml", dom.name).stdout)
        qemu = {d["data"]["id"]: memdev_range(d)
                for d in spm_devices(dom.qmp("query-memory-devices"))}
        placed = {alias: (base, base + size) if base is not None else None
                  for alias, base, _, size in live}
        if placed != qemu:
            self.finding(snip, "live XML %r, QEMU %r" % (placed, qemu))
        virsh("destroy", dom.name)
        self.check_qemu_log(snip, dom)
        self.check_owners(snip)

    def check_owners(self, snip):
        for path, was in self.owners.items():
            now = owner(path)
            if now != was:
                self.finding(snip, "%s belongs to %r after the domain stopped, not %r"
                             % (path, now, was))

    def check_qemu_log(self, snip, dom):
        try:
            with open(os.path.join(QEMU_LOG_DIR, dom.name + ".log"), errors="replace") as f:
                text = f.read()
        except FileNotFoundError:
            return
        for line in text.splitlines():
            if QEMU_CRASH.search(line):
                self.finding(snip, "QEMU's log: " + line)
