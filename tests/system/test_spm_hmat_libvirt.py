# SPDX-License-Identifier: GPL-2.0-or-later
"""SPM nodes with HMAT performance through libvirt (<interconnects>,
<distances>), defined and started with virsh, on SeaBIOS and OVMF.

examples/spm-hbm-domain.xml as it is (an HBM-like SPM node), and the same
domain with a second, slow SPM node.  What the guest reports (its HMAT,
access classes, SLIT distances and memory tiers after kmem onlining) must
match the figures of the domain XML, read back from the XML itself.
"""

import os
import unittest
import xml.etree.ElementTree as ET

from spm import libvirt
from spm.check import check_spm
from spm.domainxml import add_firmware, template_element
from spm.hmat import check_performance
from spm.paths import TOP, MiB
from spmtest.case import LibvirtTestCase
from spmtest.suites import LIBVIRT_BUILDS

ORDER = 60
BUILDS = LIBVIRT_BUILDS
PREFIX = "spm-hmat-lv-"
EXAMPLE = os.path.join(TOP, "examples", "spm-hbm-domain.xml")
UNITS = {"B": 1, "bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
         "TiB": 1 << 40}

def perf_of(root):
    """{(initiator, target): (latency ns, bandwidth MiB/s)} of the access
    figures in domain XML ROOT; bandwidth is per second in unit (KiB by
    default), and the guest sees MiB/s."""
    lat, bw = {}, {}
    for e in root.findall("./cpu/numa/interconnects/*"):
        if e.get("type") != "access" or e.get("cache"):
            continue
        key = (int(e.get("initiator")), int(e.get("target")))
        if e.tag == "latency":
            lat[key] = int(e.get("value"))
        elif e.tag == "bandwidth":
            bw[key] = int(e.get("value")) * UNITS[e.get("unit", "KiB")] // MiB
    if set(lat) != set(bw):
        raise ValueError("the XML lacks latency or bandwidth of some pair")
    return {k: (lat[k], bw[k]) for k in lat}


def dist_of(root):
    """{(a, b): distance} for a < b from the cells' <distances>, which
    must be symmetric."""
    dist = {}
    for cell in root.findall("./cpu/numa/cell"):
        a = int(cell.get("id"))
        for s in cell.findall("./distances/sibling"):
            b, val = int(s.get("id")), int(s.get("value"))
            if a != b:
                key = (min(a, b), max(a, b))
                if dist.get(key, val) != val:
                    raise ValueError("asymmetric distances %s" % (key,))
                dist[key] = val
    return dist


def caches_of(root):
    """{node: (size, associativity, policy, line size)} of the level-1
    <cache> of the cells, in spm.hmat's terms."""
    assoc = {"direct": "direct", "full": "complex"}
    policy = {"writeback": "write-back", "writethrough": "write-through"}
    out = {}
    for cell in root.findall("./cpu/numa/cell"):
        for c in cell.findall("cache"):
            if c.get("level") != "1":
                raise ValueError("only level-1 caches are checked")
            size, line = c.find("size"), c.find("line")
            out[int(cell.get("id"))] = (
                int(size.get("value")) * UNITS[size.get("unit")],
                assoc[c.get("associativity")], policy[c.get("policy")],
                int(line.get("value")) * UNITS[line.get("unit")])
    return out


def example(wd, name, firmware):
    """The example domain as an ElementTree root, placeholders filled in,
    named NAME, booted by FIRMWARE."""
    root = template_element(EXAMPLE, wd, name=name)
    add_firmware(root.find("os"), firmware, wd)
    return root


def add_cache(cell, size, size_unit, line, line_unit):
    """A level-1 direct-mapped write-back cache of SIZE and LINE in CELL."""
    cache = ET.SubElement(cell, "cache", level="1", associativity="direct",
                          policy="writeback")
    ET.SubElement(cache, "size", value=size, unit=size_unit)
    ET.SubElement(cache, "line", value=line, unit=line_unit)
    return cache


def add_slow_node(root):
    """Add node 2: a memory-only cell holding only a 512 MiB spm device,
    with 4 x DRAM's latency and a quarter of its bandwidth, 28 from node 0
    and 30 from node 1, behind a 64 MiB direct-mapped write-back
    memory-side cache with 64-byte lines."""
    numa = root.find("./cpu/numa")
    cells = numa.findall("cell")
    far = {0: 28, 1: 30}
    for cell in cells:
        a = int(cell.get("id"))
        ET.SubElement(cell.find("distances"), "sibling", id="2", value=str(far[a]))
    cell = ET.Element("cell", id="2", memory="0", unit="GiB")
    sib = ET.SubElement(cell, "distances")
    for b, val in ((0, 28), (1, 30), (2, 10)):
        ET.SubElement(sib, "sibling", id=str(b), value=str(val))
    add_cache(cell, "64", "MiB", "64", "B")
    numa.insert(len(cells), cell)
    ic = numa.find("interconnects")
    ET.SubElement(ic, "latency", initiator="0", target="2", type="access", value="40")
    ET.SubElement(ic, "bandwidth", initiator="0", target="2", type="access",
                  value="2560", unit="MiB")
    mem = ET.SubElement(root.find("devices"), "memory", model="spm")
    target = ET.SubElement(mem, "target")
    ET.SubElement(target, "size", unit="MiB").text = "512"
    ET.SubElement(target, "node").text = "2"
    root.find("memory").set("unit", "MiB")
    root.find("memory").text = str(2048 + 1024 + 512)


class SpmHmatLibvirt(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    def boot(self, name, firmware, slow_node):
        wd = self.workdir
        root = example(wd, PREFIX + name, firmware)
        if slow_node:
            add_slow_node(root)
        perf, dist, caches = perf_of(root), dist_of(root), caches_of(root)
        res = libvirt.boot(PREFIX + name, root, wd)
        rep = res.report
        nodes = [1, 2] if slow_node else [1]
        check_spm(self, res.memdevs, rep, nodes)
        # libvirt keeps the figures in the live XML.
        live = ET.fromstring(res.cmdline)
        self.assertEqual((perf_of(live), dist_of(live), caches_of(live)),
                         (perf, dist, caches),
                         "the live XML's interconnects, distances and caches")
        tiers = check_performance(self, rep, perf, dist, caches)
        self.assertLess(tiers[1], tiers[0], "HBM-like node 1 is not above DRAM")
        if slow_node:
            self.assertGreater(tiers[2], tiers[0], "slow node 2 is not below DRAM")

    def test_example_seabios(self):
        """examples/spm-hbm-domain.xml as it is."""
        self.boot("example", "seabios", False)

    def test_example_ovmf(self):
        self.boot("example-ovmf", "ovmf", False)

    def test_hbm_and_slow_seabios(self):
        self.boot("two", "seabios", True)

    def test_hbm_and_slow_ovmf(self):
        self.boot("two-ovmf", "ovmf", True)


class SpmHmatLibvirtCacheUnits(LibvirtTestCase):
    DOMAIN_PREFIX = PREFIX

    # libvirt 11.3 ignored the unit of a NUMA cell's <cache> <size> and
    # <line> (it read "./size/unit" and "./line/unit", elements, not the
    # attributes): <size value='64' unit='MiB'/> became 64 KiB, silently.
    # The libvirt queue's numa_conf patch fixes it.
    def test_cache_units_kept(self):
        wd = self.workdir
        name = PREFIX + "units"
        root = example(wd, name, "seabios")
        add_cache(root.find("./cpu/numa/cell[@id='1']"), "64", "MiB", "1", "KiB")
        with libvirt.Domain(name, root, wd) as dom:
            dom.define()
            defined = ET.fromstring(dom.dumpxml())
        self.assertEqual(caches_of(defined), {1: (64 * MiB, "direct", "write-back", 1024)})


if __name__ == "__main__":
    unittest.main()
