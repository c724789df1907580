# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of the oVirt integration (tests/unit/ovirt-hook).

The hook, integrations/ovirt/before_vm_start.py, runs as VDSM 4.50 runs
it (vdsm_hook.run: custom property "spm" in the environment, the domain
XML in the file _hook_domxml names) on domain XML shaped like what VDSM
hands its before_vm_start hooks (the fixtures, written from the engine's
LibvirtVmXmlBuilder and VDSM's _buildDomainXML: the ovirt-vm and
ovirt-tune metadata, memory in KiB, <maxMemory slots='16'>, the engine's
guest NUMA cells):

- vdsm-4.50-vnuma.xml: a q35 UEFI VM with two vNUMA nodes pinned to host
  node 0 (<numatune>), 2 of 16 vCPUs online, 2 GiB, <maxMemory> 8 GiB;
- vdsm-4.50-default.xml: a q35 VM without vNUMA, which the engine gives
  one node with all vCPUs because it can hot plug memory and CPUs;
- vdsm-4.50-no-numa.xml: an i440fx VM that can hot plug neither: no
  <numa>, no <maxMemory>.

The XML it writes is checked element by element, and that nothing but
the SPM nodes, the spm devices and <maxMemory> changed.  Bad input must
fail with exit code 2 and a message, the file byte for byte as it was.
The engine-config regular expression must accept exactly the values the
hook can parse.
"""

import ast
import importlib.util
import itertools
import os
import random
import re
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

import vdsm_hook
from spm.paths import TOP
from vdsm_hook import HOOK, fixture

ENGINE_CONFIG = os.path.join(TOP, "integrations", "ovirt", "engine-config")
OVIRT_VM = "{http://ovirt.org/vm/1.0}"
OVIRT_TUNE = "{http://ovirt.org/vm/tune/1.0}"
UNITS = {"KiB": 1, "MiB": 1024, "GiB": 1024 ** 2}

# Values the hook refuses, with what its message must say.
NOT_128 = "is not a positive multiple of 128 MiB"
NO_PARSE = "does not parse"
BAD_VALUES = {
    "100": "100 MiB " + NOT_128,
    "0": "0 MiB " + NOT_128,
    "1024,100": "100 MiB " + NOT_128,
    "1024,129": "129 MiB " + NOT_128,
    "1000": "1000 MiB " + NOT_128,
    "": "'' is not a size in MiB",
    "-128": "'-128' is not a size in MiB",
    "+128": "'+128' is not a size in MiB",
    "1G": "'1G' is not a size in MiB",
    "1024M": "'1024M' is not a size in MiB",
    "1024,": "'' is not a size in MiB",
    ",1024": "'' is not a size in MiB",
    "1024,,512": "'' is not a size in MiB",
    " 1024": "' 1024' is not a size in MiB",
    "1024\n": "'1024\\n' is not a size in MiB",
    "1024;512": "'1024;512' is not a size in MiB",
    "1024 512": "'1024 512' is not a size in MiB",
    "0128": "'0128' is not a size in MiB",
    "0x80": "'0x80' is not a size in MiB",
    "2_048": "'2_048' is not a size in MiB",
    "1e3": "'1e3' is not a size in MiB",
    "\u0661\u0662\u0668": NO_PARSE,  # 128 in Arabic-Indic digits: int() takes them
    "spm=1024": NO_PARSE,
}
GOOD_VALUES = ("128", "1024", "1024,512", "131072", "128,128,128", "4096,256,384")


def kib(elem, attr=None):
    """The memory ELEM gives in its ATTR or text, with its unit, in KiB."""
    value = elem.get(attr) if attr else elem.text
    return int(value) * UNITS[elem.get("unit", "KiB")]


def canon(elem):
    """ELEM (with its children) for comparison, whitespace aside."""
    return ET.canonicalize(ET.tostring(elem), strip_text=True)


def cells(root):
    return root.findall("cpu/numa/cell")


def spm_devices(root):
    """(size in KiB, node) of each spm device of domain ROOT."""
    return [(kib(m.find("target/size")), int(m.find("target/node").text))
            for m in root.findall("devices/memory[@model='spm']")]


def load_hook():
    """The hook as a module, for its parser."""
    spec = importlib.util.spec_from_file_location("ovirt_spm_hook", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def engine_regex():
    """The regular expression of the property spm in the engine-config line
    of integrations/ovirt/engine-config."""
    with open(ENGINE_CONFIG) as f:
        lines = [line.strip() for line in f if line.startswith("engine-config ")]
    if len(lines) != 1:
        raise AssertionError("%s has %d engine-config lines" % (ENGINE_CONFIG, len(lines)))
    m = re.fullmatch(r"engine-config -m UserDefinedVMProperties='spm=([^']*)' --cver=4\.7",
                     lines[0])
    if not m:
        raise AssertionError("unexpected engine-config line: %s" % lines[0])
    return m.group(1)


def replace(xml, old, new):
    """Fixture bytes XML with OLD replaced by NEW, which must be there once."""
    if xml.count(old) != 1:
        raise AssertionError("%r is in the fixture %d times" % (old, xml.count(old)))
    return xml.replace(old, new)


class HookTestCase(unittest.TestCase):
    def run_hook(self, xml, value):
        """Run the hook on XML (bytes) with spm=VALUE (None: no property)."""
        return vdsm_hook.run(xml, {} if value is None else {"spm": value})

    def assertRefused(self, xml, value, message):
        """The hook refuses spm=VALUE on XML with exit code 2 and MESSAGE on
        stderr, the file unchanged, nothing left beside it."""
        res = self.run_hook(xml, value)
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn(message, res.stderr)
        self.assertTrue(res.stderr.startswith("spm hook: "), res.stderr)
        self.assertEqual(res.xml, xml, "the hook changed the XML it refused")
        self.assertEqual(res.others, [])
        return res


class AddSpm(HookTestCase):
    def hook(self, xml, value):
        """Run the hook, which must succeed; (XML before, XML after) as
        elements."""
        res = self.run_hook(xml, value)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.others, [], "files left beside the domain XML")
        self.assertEqual(res.mode, 0o600, "VDSM's file lost its permissions")
        # VDSM's metadata keeps its namespace prefixes.
        self.assertIn(b'xmlns:ovirt-vm="http://ovirt.org/vm/1.0"', res.xml)
        self.assertIn(b"<ovirt-vm:vm>", res.xml)
        self.assertNotIn(b"ns0:", res.xml)
        return ET.fromstring(xml), ET.fromstring(res.xml)

    def check(self, xml, value, nodes, max_memory_kib, slots):
        """spm=VALUE on XML adds one spm device per size on NODES, each a
        memory-only cell of its own after the VM's cells, <maxMemory> of
        MAX_MEMORY_KIB and SLOTS, and changes nothing else."""
        before, after = self.hook(xml, value)
        sizes = [int(s) * 1024 for s in value.split(",")]
        self.assertEqual(spm_devices(after), list(zip(sizes, nodes)))

        old = cells(before)
        new = cells(after)
        self.assertEqual(len(new), (len(old) or 1) + len(sizes))
        for cell, node in zip(new[-len(sizes):], nodes):
            self.assertEqual(cell.get("id"), str(node))
            self.assertEqual(kib(cell, "memory"), 0)
            self.assertIsNone(cell.get("cpus"), "an SPM node has no CPUs")
        self.assertEqual([canon(c) for c in new[:len(old)]], [canon(c) for c in old])

        max_memory = after.find("maxMemory")
        self.assertEqual(kib(max_memory), max_memory_kib)
        self.assertEqual(max_memory.get("slots"), str(slots))

        self.check_rest_unchanged(before, after)
        return before, after

    def check_rest_unchanged(self, before, after):
        """AFTER differs from BEFORE only in <maxMemory>, <cpu><numa> and
        the devices appended to <devices>."""
        changed = ("maxMemory", "cpu", "devices")
        self.assertEqual([e.tag for e in after if e.tag != "maxMemory"],
                         [e.tag for e in before if e.tag != "maxMemory"])
        for b, a in zip([e for e in before if e.tag not in changed],
                        [e for e in after if e.tag not in changed]):
            self.assertEqual(canon(a), canon(b))
        self.assertEqual([canon(e) for e in after.find("cpu") if e.tag != "numa"],
                         [canon(e) for e in before.find("cpu") if e.tag != "numa"])
        self.assertEqual(after.find("cpu").attrib, before.find("cpu").attrib)
        old_devices = list(before.find("devices"))
        new_devices = list(after.find("devices"))
        self.assertEqual([canon(e) for e in new_devices[:len(old_devices)]],
                         [canon(e) for e in old_devices])
        self.assertEqual({e.get("model") for e in new_devices[len(old_devices):]}, {"spm"})

    def test_vnuma_one_device(self):
        before, after = self.check(fixture("vdsm-4.50-vnuma"), "1024", [2],
                                   8388608 + 1048576, 16)
        # The metadata VDSM relies on after the start is still there.
        vm = after.find("metadata/%svm" % OVIRT_VM)
        self.assertEqual(vm.find("%sclusterVersion" % OVIRT_VM).text, "4.7")
        self.assertIsNotNone(after.find("metadata/%sqos" % OVIRT_TUNE))
        # The SPM nodes get no host binding of their own.
        self.assertEqual([m.get("cellid") for m in after.findall("numatune/memnode")],
                         ["0", "1"])

    def test_vnuma_several_devices(self):
        self.check(fixture("vdsm-4.50-vnuma"), "1024,512,128", [2, 3, 4],
                   8388608 + 1664 * 1024, 16)

    def test_engine_default_node(self):
        """Without vNUMA the engine gives the VM one node: SPM is node 1."""
        self.check(fixture("vdsm-4.50-default"), "1024", [1], 8388608 + 1048576, 16)

    def test_no_numa_no_max_memory(self):
        """A VM without guest NUMA nodes and <maxMemory> gets node 0 with all
        its vCPUs and memory first, and the <maxMemory> its SPM needs."""
        before, after = self.check(fixture("vdsm-4.50-no-numa"), "256,128,512", [1, 2, 3],
                                   1048576 + 896 * 1024, 1)
        node0 = cells(after)[0]
        self.assertEqual((node0.get("id"), node0.get("cpus"), kib(node0, "memory")),
                         ("0", "0-1", 1048576))

    def test_permissions_kept(self):
        res = vdsm_hook.run(fixture("vdsm-4.50-default"), {"spm": "128"}, mode=0o640)
        self.assertEqual((res.returncode, res.mode, res.others), (0, 0o640, []), res.stderr)

    def test_summary_on_stderr(self):
        """VDSM logs a hook's stderr: what the hook did."""
        res = self.run_hook(fixture("vdsm-4.50-vnuma"), "1024,512")
        self.assertEqual(res.returncode, 0)
        self.assertEqual(res.stderr, "spm hook: 1024 MiB on node 2, 512 MiB on node 3\n")

    def test_without_the_property(self):
        """VDSM runs the hook for every VM: one without spm stays as it is."""
        xml = fixture("vdsm-4.50-vnuma")
        res = self.run_hook(xml, None)
        self.assertEqual((res.returncode, res.stderr, res.xml, res.others), (0, "", xml, []))

    def test_max_memory_too_small_and_in_gib(self):
        """<maxMemory> below what the VM and its SPM need is raised, its
        unit made KiB; the engine's hot plug room stays on top of SPM."""
        xml = replace(fixture("vdsm-4.50-default"), b'<maxMemory slots="16">8388608</maxMemory>',
                      b'<maxMemory slots="16" unit="GiB">1</maxMemory>')
        before, after = self.check(xml, "512", [1], 2097152 + 524288, 16)
        self.assertEqual(after.find("maxMemory").get("unit"), "KiB")

    def test_slots_for_dimms(self):
        """DIMMs need slots, SPM doesn't: too few slots are raised to the
        DIMMs' count, their memory counts into <maxMemory>."""
        dimm = (b'<memory model="dimm"><target><size unit="MiB">256</size>'
                b'<node>0</node></target></memory>')
        xml = replace(fixture("vdsm-4.50-default"), b"    </devices>",
                      dimm + dimm + b"\n    </devices>")
        xml = replace(xml, b'<maxMemory slots="16">8388608', b'<maxMemory slots="1">2097152')
        self.check(xml, "1024", [1], 2097152 + 524288 + 1048576, 2)

    def test_units_and_no_vcpu(self):
        """Memory in other units; without <vcpu> the VM has one vCPU."""
        xml = replace(fixture("vdsm-4.50-no-numa"), b"<memory>1048576</memory>",
                      b'<memory unit="MiB">1024</memory>')
        xml = replace(xml, b'<vcpu current="2">2</vcpu>', b"")
        before, after = self.check(xml, "128", [1], 1048576 + 131072, 1)
        node0 = cells(after)[0]
        self.assertEqual((node0.get("cpus"), kib(node0, "memory")), ("0", 1048576))

    def test_cells_without_ids(self):
        """libvirt numbers cells without an id in their order."""
        xml = replace(fixture("vdsm-4.50-default"), b'<cell id="0" cpus="0-15"',
                      b'<cell cpus="0-15"')
        self.check(xml, "256", [1], 8388608 + 262144, 16)

    def test_cells_before_interconnects(self):
        """The SPM nodes follow the VM's cells, where the schema wants them."""
        xml = replace(fixture("vdsm-4.50-vnuma"), b"        </numa>",
                      b'    <interconnects><latency initiator="0" target="1" type="access" '
                      b'value="20"/></interconnects>\n        </numa>')
        before, after = self.check(xml, "256", [2], 8388608 + 262144, 16)
        self.assertEqual([e.tag for e in after.find("cpu/numa")],
                         ["cell", "cell", "cell", "interconnects"])


class BadInput(HookTestCase):
    def test_bad_values(self):
        xml = fixture("vdsm-4.50-vnuma")
        for value, message in BAD_VALUES.items():
            with self.subTest(value=value):
                res = self.assertRefused(xml, value, message)
                self.assertIn("spm=%r" % value, res.stderr)

    def test_no_cpu(self):
        for name in ("vdsm-4.50-vnuma", "vdsm-4.50-no-numa"):
            with self.subTest(name):
                xml = re.sub(rb"\n *<cpu .*?</cpu>", b"", fixture(name), flags=re.S)
                self.assertIsNone(ET.fromstring(xml).find("cpu"))
                self.assertRefused(xml, "1024", "the domain XML has no <cpu> element")

    def test_bad_xml(self):
        xml = fixture("vdsm-4.50-vnuma")[:500]
        self.assertRefused(xml, "1024", "cannot read the domain XML")

    def test_bad_memory_in_xml(self):
        xml = replace(fixture("vdsm-4.50-default"), b'memory="2097152"', b'memory="2G"')
        self.assertRefused(xml, "1024", "<cell memory=> in the domain XML is not a number: '2G'")

    def test_no_room_for_the_first_node(self):
        """Without NUMA <memory> includes the memory devices, which can't
        take all of it."""
        dimm = (b'<memory model="dimm"><target><size unit="MiB">1024</size>'
                b'<node>0</node></target></memory>')
        xml = replace(fixture("vdsm-4.50-no-numa"), b"    </devices>",
                      dimm + b"\n    </devices>")
        self.assertRefused(xml, "128", "the memory devices of the domain take all of its <memory>")

    def test_not_under_vdsm(self):
        """Without _hook_domxml there is no XML to change."""
        env = dict(os.environ, spm="1024")
        env.pop("_hook_domxml", None)
        res = subprocess.run([HOOK], env=env, capture_output=True, text=True)
        self.assertEqual(res.returncode, 2)
        self.assertIn("_hook_domxml is not set", res.stderr)


class EngineConfig(unittest.TestCase):
    """The engine validates the property's value with the regular
    expression (Java's String.matches: the whole value); the hook parses
    it.  Whatever the one accepts the other must parse, whatever the one
    refuses the other refuses; only the multiple of 128 MiB is the hook's
    alone."""

    @classmethod
    def setUpClass(cls):
        cls.regex = re.compile(engine_regex())
        cls.hook = load_hook()

    def agree(self, value):
        matches = self.regex.fullmatch(value) is not None
        try:
            self.hook.parse_sizes(value)
        except self.hook.HookError as e:
            if matches:
                self.assertIn(NOT_128, str(e), "the regex takes %r, the hook can't" % value)
        else:
            self.assertTrue(matches, "the hook takes %r, the regex doesn't" % value)

    def test_expression(self):
        # ';' separates the properties in UserDefinedVMProperties.
        self.assertNotIn(";", self.regex.pattern)
        for value in GOOD_VALUES:
            self.assertTrue(self.regex.fullmatch(value), value)
        for value, message in BAD_VALUES.items():
            self.assertEqual(self.regex.fullmatch(value) is not None, NOT_128 in message
                             and not value.startswith("0"), value)

    def test_curated(self):
        for value in itertools.chain(GOOD_VALUES, BAD_VALUES):
            with self.subTest(value=value):
                self.agree(value)

    def test_short_strings(self):
        """Every string of up to 5 characters of '0', '1', '2', '8', ','."""
        for n in range(6):
            for chars in itertools.product("0128,", repeat=n):
                self.agree("".join(chars))

    def test_random_strings(self):
        rng = random.Random(19)
        alphabet = "0123456789,,,  -+G_\n;x"
        for _ in range(5000):
            self.agree("".join(rng.choice(alphabet) for _ in range(rng.randrange(12))))

    def test_good_values_run(self):
        """What the regex takes and is a multiple of 128 MiB starts."""
        for value in GOOD_VALUES:
            with self.subTest(value=value):
                res = vdsm_hook.run(fixture("vdsm-4.50-default"), {"spm": value})
                self.assertEqual(res.returncode, 0, res.stderr)


class Package(unittest.TestCase):
    """The hook as VDSM's hooks ship: a Python 3 script of the standard
    library alone, which VDSM runs directly."""

    def test_script(self):
        with open(HOOK) as f:
            source = f.read()
        self.assertTrue(source.startswith("#!/usr/bin/python3\n"))
        self.assertIn("# SPDX-License-Identifier: GPL-2.0-or-later\n", source)
        self.assertTrue(os.access(HOOK, os.X_OK))
        # EL8's VDSM runs Python 3.6.
        tree = ast.parse(source, feature_version=(3, 6))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                modules.add(node.module.split(".")[0])
        self.assertTrue(modules)
        self.assertEqual(modules - sys.stdlib_module_names, set())

    def test_fixtures_are_vdsm_shaped(self):
        for name in ("vdsm-4.50-vnuma", "vdsm-4.50-default", "vdsm-4.50-no-numa"):
            with self.subTest(name):
                xml = fixture(name)
                self.assertTrue(xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n"
                                               b'<domain xmlns:ovirt-tune="'))
                root = ET.fromstring(xml)
                self.assertEqual(root.get("type"), "kvm")
                self.assertIsNone(root.find("memory").get("unit"), "VDSM writes KiB")
                self.assertIsNotNone(root.find("metadata/%sqos" % OVIRT_TUNE))
                vm = root.find("metadata/%svm" % OVIRT_VM)
                self.assertEqual(vm.find("%sclusterVersion" % OVIRT_VM).text, "4.7")
                self.assertIsNotNone(vm.find("%scustom/%sspm" % (OVIRT_VM, OVIRT_VM)))


if __name__ == "__main__":
    unittest.main()
