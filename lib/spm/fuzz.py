# SPDX-License-Identifier: GPL-2.0-or-later
"""Random <memory model='spm'> snippets, and the rules that judge what
libvirt makes of them: the generator and the judges of
system/spm-libvirt-fuzz (tests/system/test_spm_libvirt_fuzz.py says what
is tried and what must hold), kept apart from the daemon so that unit/spm-lib
checks the judgement itself.

Snippet(seed, index, workdir) is one domain, the rig's guest
(spm.domainxml.domain_element) with one to three memory devices, mostly
spm, each valid or mutated (MUTATIONS, DOMAIN_MUTATIONS), and the
bookkeeping of what it holds (valid(), foreign()).  The judges say what is
wrong, or None: refusal_problem and validate_problem of a virsh refusal,
rule_problems and kept_problems of a defined domain's dumpxml,
DaemonWatch of the daemon's process and logs, CRASH, QEMU_CRASH and
START_INTERNAL of log lines and messages.
"""

import copy
import os
import random
import re
import xml.etree.ElementTree as ET

from spm import domainxml, libvirt
from spm.domainxml import cells
from spm.libvirt import virsh
from spm.paths import LIBVIRT_LOGS, GiB, MiB

KiB = 1 << 10
# node 0 with the CPUs and 2 GiB, nodes 1 and 2 memory-only; with
# domain_element's 16 GiB of maxMemory, device memory starts at 4 GiB
CELLS = cells(2)
DEVICE_MEMORY = 0x100000000
ALIGN = 128 * MiB               # what libvirt requires of spm sizes and addresses

# What 'virsh define --validate' says when the RNG schema refuses a document.
SCHEMA = "XML document failed to validate against schema"

# The elements and attributes of other memory models that libvirt does not
# read for spm: (parent under <memory> or None, element or None, attribute or
# None, name).  Only the first <target> and <source> count, as libvirt reads
# only those.
FOREIGN = tuple([("target", tag, None, "<target><%s>" % tag)
                 for tag in ("label", "readonly", "block", "requested", "current")]
                + [("source", "pmem", None, "<source><pmem/>"), (None, "uuid", None, "<uuid>"),
                   ("target", None, "dynamicMemslots", "<target dynamicMemslots>")])

RUN_DIR = os.path.dirname(libvirt.RUN_QEMU)
LOG_DIR = LIBVIRT_LOGS
DAEMON_LOGS = [os.path.join(LOG_DIR, f) for f in ("virtqemud.log", "virtqemud.stderr")]
QEMU_LOG_DIR = os.path.join(LOG_DIR, "qemu")

# What libvirt's own units mean (virScaleInteger); the generator writes sizes
# in these so that what a defined device must keep is known.
UNITS = {"b": 1, "bytes": 1, "KiB": KiB, "k": KiB, "KB": 1000, "MiB": MiB, "M": MiB,
         "MB": 1000 ** 2, "GiB": GiB, "G": GiB, "GB": 1000 ** 3, "TiB": 1 << 40}

# A daemon log or stderr line that means a crash, an assertion or a bug.
CRASH = re.compile(r"assert|Segmentation|SIGSEGV|SIGABRT|Aborted|core dumped|stack smashing|"
                   r"double free|corrupted|malloc\(\)|CRITICAL|should not be reached|"
                   r"An error occurred, but the cause is unknown", re.I)
# QEMU's log of a domain: what a crashing QEMU leaves there.
QEMU_CRASH = re.compile(r"Assertion|Aborted|core dumped|Segmentation|stack smashing|"
                        r"\*\* ERROR|qemu: fatal|terminating on signal (?!15 )", re.I)
# The internal errors a start may legitimately end with: QEMU refused the
# configuration and said why (libvirt reports QEMU's exit as an internal
# error, with QEMU's last message), and libvirt's long-standing wording for
# huge pages without a hugetlbfs mount (qemuGetDomainHupageMemPath, the same
# for every memory model).
START_INTERNAL = re.compile(r"internal error: (process exited while connecting to monitor|"
                            r"QEMU unexpectedly closed the monitor).*qemu-system-x86_64: \S.*|"
                            r"internal error: hugetlbfs filesystem is not mounted or disabled "
                            r"by administrator config")


# --- the generator -----------------------------------------------------------

def sub(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = str(text)
    return el


def unit_size(rng, nbytes):
    """(text, unit) that says NBYTES in a unit libvirt knows, whole."""
    units = [u for u, scale in UNITS.items() if nbytes % scale == 0]
    unit = rng.choice(units)
    return str(nbytes // UNITS[unit]), unit


class Snippet:
    """One domain's worth of random memory devices.

    EXPECT holds, per device in order, what a definition must keep of an
    spm device (None for a field a mutation made unpredictable), whether it
    is still an spm device ("spm"), what it holds that libvirt must refuse
    for spm ("refused": never defined), and the names of FOREIGN that it
    holds ("foreign": elements of other models that libvirt does not read
    for spm, so a plain define drops them and 'define --validate' refuses
    them).  It is None for devices of other models.
    """

    def __init__(self, seed, index, workdir):
        self.rng = random.Random("%s/%d" % (seed, index))
        self.index = index
        self.workdir = workdir
        self.devices = []
        self.expect = []
        self.domain_mutation = None
        self.mutations = []
        self.root = None

    def spm(self):
        """A valid spm device, then its mutations."""
        rng = self.rng
        mem = ET.Element("memory", model="spm")
        exp = {"spm": True, "refused": None, "foreign": set()}
        size = rng.choice((1, 1, 2, 2, 3, 4, 8)) * ALIGN
        target = ET.Element("target")
        text, unit = unit_size(rng, size)
        sub(target, "size", text, unit=unit)
        exp["size"] = size // KiB
        node = rng.choice((0, 1, 1, 2))
        sub(target, "node", node)
        exp["node"] = node
        exp["base"] = None
        if rng.random() < 0.3:
            base = DEVICE_MEMORY + rng.randrange(0, 12 * GiB // ALIGN) * ALIGN
            sub(target, "address", base="%#x" % base)
            exp["base"] = base
        exp["path"] = exp["pagesize"] = exp["alignsize"] = exp["nodemask"] = None
        if rng.random() < 0.35:
            source = sub(mem, "source")
            choice = rng.choice((0, 0, 1, 2))
            if choice == 0:
                exp["path"] = os.path.join(self.workdir, "spm.img")
                sub(source, "path", exp["path"])
                if rng.random() < 0.6:
                    # the alignment of the mapping, one that divides ALIGN
                    nbytes = rng.choice((4 * KiB, 2 * MiB, 2 * MiB, ALIGN))
                    text, unit = unit_size(rng, nbytes)
                    sub(source, "alignsize", text, unit=unit)
                    exp["alignsize"] = nbytes // KiB
            elif choice == 1:
                sub(source, "nodemask", "0")
                exp["nodemask"] = "0"
            else:
                sub(source, "pagesize", 2048, unit="KiB")
                exp["pagesize"] = 2048
        mem.append(target)
        exp["access"] = exp["discard"] = None
        if rng.random() < 0.2:
            exp["access"] = rng.choice(("shared", "private"))
            mem.set("access", exp["access"])
        if rng.random() < 0.1 and exp["path"] is None:
            exp["discard"] = rng.choice(("yes", "no"))
            mem.set("discard", exp["discard"])
        if rng.random() < 0.6:
            for _ in range(rng.choice((1, 1, 1, 2, 3))):
                name = rng.choice(sorted(MUTATIONS))
                MUTATIONS[name](self, mem, exp)
                self.mutations.append(name)
        self.devices.append(mem)
        self.expect.append(exp)

    def other(self):
        """A device of another model beside the spm ones."""
        rng = self.rng
        if rng.random() < 0.5:
            mem = ET.Element("memory", model="dimm")
            target = sub(mem, "target")
            sub(target, "size", 128 * rng.choice((1, 2, 4)), unit="MiB")
            sub(target, "node", rng.choice((0, 1)))
        else:
            mem = ET.Element("memory", model="virtio-mem")
            target = sub(mem, "target")
            sub(target, "size", 512, unit="MiB")
            sub(target, "node", rng.choice((0, 1)))
            sub(target, "block", 2048, unit="KiB")
            sub(target, "requested", rng.choice((0, 256)), unit="MiB")
        self.devices.append(mem)
        self.expect.append(None)

    def build(self, name):
        """The domain XML text of the snippet, named NAME."""
        rng = self.rng
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            if rng.random() < 0.85:
                self.spm()
            else:
                self.other()
        if not any(e is not None for e in self.expect):
            self.spm()
        root = domainxml.domain_element(name, self.workdir, cells=CELLS, online=False)
        devices = root.find("devices")
        for mem in self.devices:
            devices.insert(rng.randrange(len(devices) + 1), mem)
        # libvirt keeps memory devices in document order
        order = sorted(range(len(self.devices)),
                       key=lambda i: list(devices).index(self.devices[i]))
        self.devices = [self.devices[i] for i in order]
        self.expect = [self.expect[i] for i in order]
        if rng.random() < 0.15:
            self.domain_mutation = rng.choice(sorted(DOMAIN_MUTATIONS))
            DOMAIN_MUTATIONS[self.domain_mutation](self, root)
        self.root = root
        return ET.tostring(root, encoding="unicode")

    def valid(self):
        """Whether libvirt must define the snippet: spm devices as the
        generator made them (a source path with an alignsize among them), no
        mutation, at most one address given (two could overlap)."""
        return (not self.mutations and not self.domain_mutation
                and all(e is not None for e in self.expect)
                and sum(e["base"] is not None for e in self.expect) <= 1)

    def foreign(self):
        """The names of FOREIGN that the snippet's spm devices hold."""
        return sorted(set().union(*[e["foreign"] for e in self.expect
                                    if e is not None and e["spm"]]))

    def without_foreign(self):
        """The domain XML text of the snippet without what foreign() names:
        the same domain, for libvirt, as it does not read them for spm."""
        root = copy.deepcopy(self.root)
        devices = list(self.root.find("devices"))
        copies = list(root.find("devices"))
        for el, exp in zip(self.devices, self.expect):
            if exp is not None and exp["spm"]:
                remove_foreign(copies[devices.index(el)])
        return ET.tostring(root, encoding="unicode")

    def text(self):
        """The memory devices as XML, for a report."""
        out = "".join(ET.tostring(m, encoding="unicode") for m in self.devices)
        if self.domain_mutation:
            out += "\n(domain mutation: %s)" % self.domain_mutation
        return out


BAD_INTEGERS = ("", "-1", "abc", "1.5", "0x400", " 1", "1e3", "18446744073709551615",
                "18446744073709551616", "9223372036854775808", "4294967295", "4294967296",
                "99999999999999999999999")
BAD_UNITS = ("parsec", "", "KIB", "iB", "kb", "Mi", "EiB", "PB")


def set_size(snip, mem, exp):
    rng = snip.rng
    size = mem.find("target/size")
    if size is None:
        return
    case = rng.randrange(6)
    exp["size"] = None
    if case == 0:
        size.text = rng.choice(BAD_INTEGERS + ("0", "1"))
    elif case == 1:
        size.set("unit", rng.choice(BAD_UNITS))
    elif case == 2:                 # unaligned, in a unit that says it exactly
        text, unit = unit_size(rng, rng.choice((ALIGN + 2 * MiB, 64 * MiB, ALIGN + KiB, 4096,
                                                ALIGN * 3 // 2, 1000 ** 3)))
        size.text, size.attrib["unit"] = text, unit
    elif case == 3:                 # too large for maxMemory, or for anything
        text, unit = unit_size(rng, rng.choice((15 * GiB, 16 * GiB, 1 << 40, 1 << 62, 1 << 63)))
        size.text, size.attrib["unit"] = text, unit
    elif case == 4:
        mem.find("target").remove(size)
    else:                           # a second <size>
        sub(mem.find("target"), "size", 256, unit="MiB")


def set_node(snip, mem, exp):
    node = mem.find("target/node")
    if node is None:
        return
    exp["node"] = None
    choice = snip.rng.choice(("3", "99", "-2", "remove") + BAD_INTEGERS)
    if choice == "remove":
        mem.find("target").remove(node)
    else:
        node.text = choice


def set_address(snip, mem, exp):
    rng = snip.rng
    target = mem.find("target")
    addr = target.find("address")
    if addr is None:
        addr = sub(target, "address")
    exp["base"] = None
    choice = rng.choice(("0x100200000", "0", "0x0", "0xffffffffffffffff", "0xfffffffff8000000",
                         "0x40000000", "0x0fff00000", "0x10000000000000000", "0x", "abc", "",
                         "-1", "4294967296", "0x480000000", "0x500000000", "no-base"))
    if choice == "no-base":
        addr.attrib.pop("base", None)
    else:
        addr.set("base", choice)
    if rng.random() < 0.2:
        addr.set("type", rng.choice(("dimm", "pci", "bogus")))


def foreign_parts(mem):
    """(name, parent, element, attribute) of each FOREIGN that the <memory>
    element MEM holds, where libvirt would read it: the element, or the
    attribute of parent, is the part to remove."""
    out = []
    for parent_tag, tag, attr, name in FOREIGN:
        parent = mem if parent_tag is None else mem.find(parent_tag)
        if parent is None:
            continue
        if attr is not None:
            if attr in parent.attrib:
                out.append((name, parent, None, attr))
        else:
            out += [(name, parent, el, None) for el in parent.findall(tag)]
    return out


def foreign_in(mem):
    """The names of FOREIGN that MEM holds."""
    return {part[0] for part in foreign_parts(mem)}


def remove_foreign(mem):
    for _, parent, el, attr in foreign_parts(mem):
        if el is None:
            parent.attrib.pop(attr)
        else:
            parent.remove(el)


def set_source(snip, mem, exp):
    rng = snip.rng
    source = mem.find("source")
    if source is None:
        source = ET.Element("source")
        mem.insert(0, source)
    wd = snip.workdir
    for _ in range(rng.choice((1, 1, 2))):
        what = rng.randrange(4)
        if what == 0:
            exp["path"] = None
            path = source.find("path")
            if path is None:
                path = sub(source, "path")
            # only paths below the scratch directory: the DAC driver hands
            # what it finds to QEMU's user
            path.text = rng.choice((os.path.join(wd, "spm.img"), os.path.join(wd, "missing.img"),
                                    os.path.join(wd, "private", "spm.img"), wd,
                                    "spmfuzz-relative.img", "",
                                    os.path.join(wd, "x" * 300 + ".img")))
        elif what == 1:
            exp["pagesize"] = None
            sub(source, "pagesize", rng.choice(("4", "2048", "1048576", "0", "3", "-1", "abc",
                                                "2", "1")),
                unit=rng.choice(("KiB", "KiB", "MiB", "b", "GiB", "bogus")))
        elif what == 2:
            exp["nodemask"] = None
            sub(source, "nodemask", rng.choice(("0", "0-1", "1", "5", "", "abc", "0,^0", "-1",
                                                "1000000", "0-", "^0")))
        else:
            mem.remove(source)          # an empty <source/>
            source = ET.Element("source")
            mem.insert(0, source)
            exp["path"] = exp["pagesize"] = exp["alignsize"] = exp["nodemask"] = None
            exp["foreign"] = foreign_in(mem)


# alignments QEMU can map a file with: the first three divide every size and
# address the generator writes, the last two only some
ALIGNSIZES = (4 * KiB, 2 * MiB, ALIGN, 256 * MiB, GiB)
BAD_ALIGNSIZES = (("0", "KiB"), ("3", "KiB"), ("1", "b"), ("3", "MiB"), ("", "KiB"),
                  ("abc", "KiB"), ("-1", "KiB"), ("2048", "bogus"), ("2048", ""),
                  ("18446744073709551615", "KiB"), ("1.5", "MiB"), ("1", "EiB"))


def set_alignsize(snip, mem, exp):
    """<source><alignsize>, the alignment of the mapping of a <path>: with
    and without a path (refused without), valid or broken, with a size or an
    address that is or isn't a multiple of it (refused if isn't)."""
    rng = snip.rng
    source = mem.find("source")
    if source is None:
        source = ET.Element("source")
        mem.insert(0, source)
    if source.find("path") is None and rng.random() < 0.6:
        exp["path"] = os.path.join(snip.workdir, "spm.img")
        sub(source, "path", exp["path"])
    if rng.random() < 0.7:
        nbytes = rng.choice(ALIGNSIZES)
        text, unit = unit_size(rng, nbytes)
        kib = nbytes // KiB
    else:
        (text, unit), kib = rng.choice(BAD_ALIGNSIZES), None
    # a second <alignsize>: which one counts is libvirt's business
    exp["alignsize"] = kib if source.find("alignsize") is None else None
    sub(source, "alignsize", text, unit=unit)
    target = mem.find("target")
    if target is None:
        return
    size, addr = target.find("size"), target.find("address")
    case = rng.randrange(3)
    if case == 0 and size is not None and exp["size"] is not None:
        nbytes = rng.choice((GiB, 2 * GiB, 3 * ALIGN, 5 * ALIGN))
        size.text, size.attrib["unit"] = unit_size(rng, nbytes)
        exp["size"] = nbytes // KiB
    elif case == 1 and (addr is None or exp["base"] is not None):
        if addr is None:
            addr = sub(target, "address")
        base = DEVICE_MEMORY + rng.choice((0, GiB, ALIGN, 3 * ALIGN, 2 * GiB))
        addr.set("base", "%#x" % base)
        exp["base"] = base


def set_attributes(snip, mem, exp):
    rng = snip.rng
    which = rng.randrange(4)
    if which == 0:
        exp["access"] = None
        mem.set("access", rng.choice(("bogus", "", "SHARED", "default")))
    elif which == 1:
        exp["discard"] = None
        mem.set("discard", rng.choice(("yes", "bogus", "", "on")))
    elif which == 2:
        mem.set("model", rng.choice(("SPM", "spm ", "", "sp-mem", "spm-memory")))
        exp["spm"] = False
    else:
        target = mem.find("target")
        if target is not None:
            target.set("dynamicMemslots", rng.choice(("yes", "no", "bogus")))
            exp["foreign"].add("<target dynamicMemslots>")


def other_model_element(snip, mem, exp):
    """An element of nvdimm, virtio-pmem, virtio-mem or dimm, where those
    models have it."""
    rng = snip.rng
    target = mem.find("target")
    if target is None:
        return
    what = rng.randrange(9)
    if what == 0:
        label = sub(target, "label")
        sub(label, "size", 128, unit="KiB")
        exp["foreign"].add("<target><label>")
    elif what in (1, 2, 3, 4):
        tag = ("readonly", "block", "requested", "current")[what - 1]
        sub(target, tag, *(() if tag == "readonly" else (128,)),
            **({} if tag == "readonly" else {"unit": "MiB"}))
        exp["foreign"].add("<target><%s>" % tag)
    elif what == 5:
        source = mem.find("source")
        if source is None:
            source = ET.Element("source")
            mem.insert(0, source)
        el = sub(source, "pmem")
        if rng.random() < 0.3:
            el.text = "2048"
            el.set("unit", "KiB")
        exp["foreign"].add("<source><pmem/>")
    elif what == 6:
        sub(mem, "uuid", rng.choice(("f7a0d6f6-0d5a-4d8e-9a8c-2c0c0b2b6a11", "not-a-uuid")))
        exp["foreign"].add("<uuid>")
    elif what == 7:
        sub(mem, "address", type="dimm", slot=rng.choice(("0", "1", "99")),
            **({"base": "0x100000000"} if rng.random() < 0.5 else {}))
        exp["refused"] = "<address type='dimm'>"
    else:
        # an alias: user aliases (ua-) are allowed for every device
        sub(mem, "alias", name=rng.choice(("ua-spm", "ua-", "spm0", "dimm0", "bad name")))


def duplicate_element(snip, mem, exp):
    """A second <target> or <source>: libvirt reads the first one."""
    rng = snip.rng
    tag = rng.choice(("target", "source"))
    el = mem.find(tag)
    if el is None:
        return
    copy = ET.fromstring(ET.tostring(el))
    node = copy.find("node")
    if node is not None:
        node.text = "2"
    mem.append(copy)


MUTATIONS = {"size": set_size, "node": set_node, "address": set_address,
             "source": set_source, "alignsize": set_alignsize, "attributes": set_attributes,
             "other-model": other_model_element, "duplicate": duplicate_element}


def dom_slots(snip, root):
    root.find("maxMemory").set("slots", snip.rng.choice(("0", "1", "2", "300", "-1", "abc")))


def dom_maxmem(snip, root):
    rng = snip.rng
    maxmem = root.find("maxMemory")
    if rng.random() < 0.3:
        root.remove(maxmem)
    else:
        maxmem.set("unit", "MiB")
        maxmem.text = rng.choice(("2048", "2560", "4096", "1048576", "0"))


def dom_numa(snip, root):
    rng = snip.rng
    numa = root.find("cpu/numa")
    if rng.random() < 0.3:
        root.remove(root.find("cpu"))
        return
    cells = numa.findall("cell")
    case = rng.randrange(3)
    if case == 0:
        numa.remove(cells[-1])                  # nodes 0 and 1 only
    elif case == 1:
        cells[1].set("memory", "0")
        cells[1].set("unit", rng.choice(("GiB", "b", "KiB")))
    else:
        # a memory-only node with a memory-side cache, as the HMAT tests use
        cache = sub(cells[1], "cache", level="1", associativity="direct", policy="writeback")
        sub(cache, "size", 10, unit="KiB")
        sub(cache, "line", 8, unit="B")


def dom_backing(snip, root):
    rng = snip.rng
    backing = ET.Element("memoryBacking")
    choice = rng.randrange(3)
    if choice == 0:
        sub(backing, "source", type="memfd")
        sub(backing, "access", mode="shared")
    elif choice == 1:
        sub(backing, "hugepages")
    else:
        sub(backing, "source", type=rng.choice(("file", "anonymous")))
        sub(backing, "access", mode=rng.choice(("shared", "private")))
    root.insert(3, backing)


def dom_machine(snip, root):
    root.find("os/type").set("machine", snip.rng.choice(("pc", "pc-i440fx-10.0", "pc-q35-10.0")))


DOMAIN_MUTATIONS = {"slots": dom_slots, "maxmem": dom_maxmem, "numa": dom_numa,
                    "backing": dom_backing, "machine": dom_machine}


# --- checks ------------------------------------------------------------------

def message(res):
    """What virsh said, on one line per error."""
    return res.stderr.strip()


def refusal_problem(res, allowed=None):
    """Why the failed virsh RES is not a clean refusal, or None."""
    msg = message(res)
    lines = [line for line in msg.splitlines() if line.startswith("error: ")]
    if len(lines) < 2 or not lines[-1][len("error: "):].strip():
        return "no message beyond virsh's own line"
    for line in lines[1:]:
        if "internal error" in line and not (allowed and allowed.search(line)):
            return "an internal error"
    if CRASH.search(msg):
        return "a crash or an assertion in the message"
    return None


def validate_problem(res):
    """Why 'virsh define --validate' RES of a snippet that holds elements of
    other models is not the schema's refusal, or None."""
    if res.returncode == 0:
        return "defined it"
    problem = refusal_problem(res)
    if problem:
        return "refused it with " + problem
    if SCHEMA not in message(res):
        return "refused it without the schema's message"
    return None


def last_line(res):
    return message(res).splitlines()[-1] if message(res) else ""


def dumped_spm(xml_text):
    """The spm <memory> elements of domain XML."""
    return ET.fromstring(xml_text).findall("./devices/memory[@model='spm']")


def scaled(el):
    """The bytes an element of libvirt's dumpxml says (a scaled integer)."""
    return int(el.text) * UNITS[el.get("unit", "KiB")]


def rule_problems(dumped):
    """What the DUMPED spm devices of a defined domain hold that libvirt
    must refuse: an <alignsize> without a <path>, a size or an address that
    is not a multiple of the alignsize and the page size, an alignment of a
    path that is not a power of two."""
    out = []
    for i, mem in enumerate(dumped):
        path = mem.find("source/path")
        if mem.find("source/alignsize") is not None and path is None:
            out.append("spm device %d: defined with <alignsize> but no <path>" % i)
        for tag in ("alignsize", "pagesize"):
            el = mem.find("source/" + tag)
            if el is None or not scaled(el):
                continue
            if path is not None and scaled(el) & (scaled(el) - 1):
                out.append("spm device %d: defined with a <path> and a %s of %d bytes, "
                           "not a power of two" % (i, tag, scaled(el)))
            size, addr = mem.find("target/size"), mem.find("target/address")
            if size is not None and scaled(size) % scaled(el):
                out.append("spm device %d: defined with a size of %d bytes, not a multiple "
                           "of its %s %d" % (i, scaled(size), tag, scaled(el)))
            if addr is not None and addr.get("base") and int(addr.get("base"), 16) % scaled(el):
                out.append("spm device %d: defined at %s, not a multiple of its %s %d"
                           % (i, addr.get("base"), tag, scaled(el)))
    return out


def kept_problems(expect, dumped):
    """What a defined domain lost or changed of its spm devices."""
    spms = [e for e in expect if e is not None and e["spm"]]
    if len(dumped) != len(spms):
        return ["%d spm devices given, %d defined" % (len(spms), len(dumped))]
    out = []
    for i, (exp, mem) in enumerate(zip(spms, dumped)):
        size = mem.find("target/size")
        got = {
            "size": scaled(size) // KiB,
            "node": int(mem.find("target/node").text),
            "base": (int(mem.find("target/address").get("base"), 16)
                     if mem.find("target/address") is not None else None),
            "path": mem.findtext("source/path"),
            "pagesize": (int(mem.findtext("source/pagesize"))
                         if mem.find("source/pagesize") is not None else None),
            "alignsize": (scaled(mem.find("source/alignsize")) // KiB
                          if mem.find("source/alignsize") is not None else None),
            "nodemask": mem.findtext("source/nodemask"),
            "access": mem.get("access"), "discard": mem.get("discard"),
        }
        for key, want in exp.items():
            if key in got and want is not None and got[key] != want:
                out.append("spm device %d: %s %r defined as %r" % (i, key, want, got[key]))
        for name in sorted(foreign_in(mem)):
            out.append("spm device %d: defined with %s, which libvirt does not read for spm"
                       % (i, name))
    return out


def owner(path):
    """(uid, gid, mode) of PATH."""
    st = os.stat(path)
    return st.st_uid, st.st_gid, st.st_mode


class DaemonWatch:
    """The daemon's pid and where its logs ended when last looked at."""

    def __init__(self):
        self.pid = self.read_pid()
        if self.pid is None:
            raise RuntimeError("virtqemud runs without a pid file in " + RUN_DIR)
        self.offsets = {p: self.size(p) for p in DAEMON_LOGS}

    @staticmethod
    def read_pid():
        """virtqemud's pid, from its pid file; None without one."""
        try:
            with open(os.path.join(RUN_DIR, "virtqemud.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    @staticmethod
    def size(path):
        try:
            return os.path.getsize(path)
        except OSError:
            return 0

    def new_lines(self):
        """The lines the daemon logged since the last call."""
        out = []
        for path, offset in self.offsets.items():
            try:
                with open(path, errors="replace") as f:
                    f.seek(offset)
                    text = f.read()
                    self.offsets[path] = f.tell()
            except OSError:
                continue
            out += text.splitlines()
        return out

    def problems(self, started):
        """What says the daemon crashed, or hit a bug, since the last call.
        STARTED: a start was tried, so QEMU's refusals may be in the log."""
        out = []
        if not self.alive():
            out.append("virtqemud (pid %d) is gone" % self.pid)
        elif self.read_pid() != self.pid:
            out.append("virtqemud's pid file says %s, not %d" % (self.read_pid(), self.pid))
        res = virsh("version", check=False, timeout=30)
        if res.returncode != 0 or "Running hypervisor" not in res.stdout:
            out.append("virsh version fails: %s" % message(res))
        for line in self.new_lines():
            if CRASH.search(line):
                out.append("daemon log: " + line)
            elif "internal error" in line and not (started and START_INTERNAL.search(line)):
                out.append("daemon log: " + line)
        return out

    def alive(self):
        return os.path.exists("/proc/%d" % self.pid)
