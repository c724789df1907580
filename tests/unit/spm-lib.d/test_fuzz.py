# SPDX-License-Identifier: GPL-2.0-or-later
"""The fuzz test's own judgement (spm.fuzz), on messages and XML made up
here, without a daemon: each check must catch what it is there for, and
the generator's bookkeeping of what a snippet holds must be right."""

import subprocess
import unittest
import xml.etree.ElementTree as ET

from spm.fuzz import (CRASH, FOREIGN, KiB, QEMU_CRASH, START_INTERNAL, Snippet, dumped_spm,
                      foreign_in, kept_problems, refusal_problem, remove_foreign,
                      rule_problems, scaled, validate_problem)

# how many of the default seed's snippets SpmFuzzChecks looks at
COUNT_CHECKED = 400


class SpmFuzzChecks(unittest.TestCase):
    """The fuzz test's own judgement, on messages and XML made up here:
    each check must catch what it is there for."""

    @staticmethod
    def failed(stderr):
        return subprocess.CompletedProcess(["virsh"], 1, "", stderr)

    def test_refusals(self):
        ok = "error: Failed to define domain from x.xml\nerror: XML error: invalid value\n"
        self.assertIsNone(refusal_problem(self.failed(ok)))
        for bad in ("", "error: Failed to define domain from x.xml\n",
                    "error: Failed to define domain from x.xml\nerror: \n",
                    "error: Failed to define domain from x.xml\n"
                    "error: internal error: unexpected memory model 7\n",
                    "error: Failed to define domain from x.xml\n"
                    "error: An error occurred, but the cause is unknown\n"):
            self.assertIsNotNone(refusal_problem(self.failed(bad)), bad)
        qemu = ("error: Failed to start domain 'd'\nerror: internal error: process exited "
                "while connecting to monitor: 2026-11-30T10:04:54Z qemu-system-x86_64: "
                "-device {}: can't add memory device\n")
        self.assertIsNone(refusal_problem(self.failed(qemu), START_INTERNAL))
        self.assertIsNotNone(refusal_problem(self.failed(qemu)))
        crash = qemu.replace("can't add memory device",
                             "../hw/mem/memory-device.c:42: Assertion `x' failed.")
        self.assertIsNotNone(refusal_problem(self.failed(crash), START_INTERNAL))
        other = ("error: Failed to start domain 'd'\n"
                 "error: internal error: unable to find any master var store\n")
        self.assertIsNotNone(refusal_problem(self.failed(other), START_INTERNAL))

    DUMP = ("<domain><devices><memory model='spm' access='shared'><source>"
            "<path>/x/spm.img</path><alignsize unit='KiB'>2048</alignsize></source>"
            "<target><size unit='KiB'>262144</size><node>1</node>"
            "<address base='0x140000000'/></target></memory>"
            "<memory model='dimm'/></devices></domain>")

    def test_kept(self):
        exp = {"spm": True, "refused": None, "foreign": set(), "size": 262144, "node": 1,
               "base": 0x140000000, "path": "/x/spm.img", "pagesize": None,
               "alignsize": 2048, "nodemask": None, "access": "shared", "discard": None}
        dump = self.DUMP
        self.assertEqual(kept_problems([exp, None], dumped_spm(dump)), [])
        for old, new in (("<node>1", "<node>0"), ("262144", "131072"), ("0x140000000", "0x0"),
                         ("access='shared'", ""), ("/x/spm.img", "/x/other.img"),
                         (">2048<", ">4<"), ("<alignsize unit='KiB'>2048</alignsize>", ""),
                         # an element of another model that was not dropped
                         ("<node>1</node>", "<node>1</node><label><size>128</size></label>"),
                         ("<target>", "<target dynamicMemslots='yes'>"),
                         ("</source>", "<pmem/></source>"),
                         ("<source>", "<uuid>f7a0d6f6-0d5a-4d8e-9a8c-2c0c0b2b6a11</uuid><source>")):
            changed = dump.replace(old, new)
            self.assertNotEqual(changed, dump)
            self.assertEqual(len(kept_problems([exp, None], dumped_spm(changed))), 1, new)
        self.assertEqual(kept_problems([exp, exp], dumped_spm(dump)),
                         ["2 spm devices given, 1 defined"])

    def test_rules(self):
        """What is defined keeps the rules of <source>."""
        self.assertEqual(rule_problems(dumped_spm(self.DUMP)), [])
        gig = self.DUMP.replace(">2048<", ">1048576<").replace("0x140000000", "0x148000000")
        self.assertEqual(rule_problems(dumped_spm(gig)), [
            "spm device 0: defined with a size of 268435456 bytes, not a multiple "
            "of its alignsize 1073741824",
            "spm device 0: defined at 0x148000000, not a multiple of its alignsize 1073741824"])
        aligned = gig.replace("262144", "1048576").replace("0x148000000", "0x140000000")
        self.assertEqual(rule_problems(dumped_spm(aligned)), [])
        nopath = self.DUMP.replace("<path>/x/spm.img</path>", "")
        self.assertEqual(rule_problems(dumped_spm(nopath)),
                         ["spm device 0: defined with <alignsize> but no <path>"])
        pagesize = self.DUMP.replace("<alignsize unit='KiB'>2048</alignsize>",
                                     "<pagesize unit='KiB'>2048</pagesize>")
        # with a path, the page size of the memory behind it
        self.assertEqual(rule_problems(dumped_spm(pagesize)), [])
        hugepages = pagesize.replace("<path>/x/spm.img</path>", "")
        self.assertEqual(rule_problems(dumped_spm(hugepages)), [])
        odd = self.DUMP.replace(">2048<", ">3072<")
        self.assertIn("spm device 0: defined with a <path> and a alignsize of 3145728 bytes, "
                      "not a power of two", rule_problems(dumped_spm(odd)))
        gigpages = hugepages.replace(">2048<", ">1048576<")
        self.assertEqual(rule_problems(dumped_spm(gigpages)), [
            "spm device 0: defined with a size of 268435456 bytes, not a multiple "
            "of its pagesize 1073741824"])

    def test_validate(self):
        """'define --validate' of a snippet with elements of other models."""
        schema = ("error: Failed to define domain from x.xml\nerror: XML document failed to "
                  "validate against schema: Unable to validate doc against /p/domain.rng\n"
                  "Extra element devices in interleave\nElement domain failed to validate "
                  "content\n")
        self.assertIsNone(validate_problem(self.failed(schema)))
        parser = ("error: Failed to define domain from x.xml\nerror: unsupported configuration: "
                  "element <label> is not supported for memory model 'spm'\n")
        self.assertEqual(validate_problem(self.failed(parser)),
                         "refused it without the schema's message")
        internal = schema.replace("XML document", "internal error: XML document")
        self.assertEqual(validate_problem(self.failed(internal)),
                         "refused it with an internal error")
        defined = subprocess.CompletedProcess(["virsh"], 0, "Domain 'd' defined\n", "")
        self.assertEqual(validate_problem(defined), "defined it")

    def test_foreign(self):
        """The generator knows which elements of other models a device holds,
        and without_foreign() takes exactly those out."""
        seen = set()
        for i in range(COUNT_CHECKED):
            snip = Snippet(2026, i, "/nonexistent")
            snip.build("d")
            for el, exp in zip(snip.devices, snip.expect):
                if exp is not None:
                    self.assertEqual(foreign_in(el), exp["foreign"], (i, snip.text()))
                    seen |= exp["foreign"]
            without = ET.fromstring(snip.without_foreign())
            mems = without.findall("./devices/memory")
            self.assertEqual(len(mems), len(snip.devices))
            for el, exp, mem in zip(snip.devices, snip.expect, mems):
                if exp is not None and exp["spm"]:
                    self.assertEqual(foreign_in(mem), set(), i)
                    remove_foreign(el)
                self.assertEqual(ET.tostring(mem), ET.tostring(el), i)
        self.assertEqual(seen, {name for _, _, _, name in FOREIGN})

    def test_valid(self):
        """Which snippets libvirt must define: the default seed has some with
        a source path and an alignsize among them."""
        valid = aligned = 0
        for i in range(120):
            snip = Snippet(2026, i, "/nonexistent")
            snip.build("d")
            if snip.mutations or snip.domain_mutation or None in snip.expect:
                self.assertFalse(snip.valid(), i)
            if snip.valid():
                valid += 1
                aligned += any(e["alignsize"] for e in snip.expect)
        self.assertGreater(valid, 10)
        self.assertGreater(aligned, 0)
        snip = Snippet(2026, 14, "/nonexistent")
        snip.build("d")
        snip.expect.append(dict(snip.expect[0], base=0x100000000))
        snip.expect.append(dict(snip.expect[0], base=0x180000000))
        self.assertFalse(snip.valid())

    def test_alignsize(self):
        """The generator's alignsize is what the element says, in KiB."""
        kept = 0
        for i in range(COUNT_CHECKED):
            snip = Snippet(2026, i, "/nonexistent")
            snip.build("d")
            for el, exp in zip(snip.devices, snip.expect):
                if exp is not None and exp["alignsize"] is not None:
                    align = el.find("source/alignsize")
                    self.assertEqual(scaled(align) // KiB, exp["alignsize"], i)
                    self.assertEqual(len(el.find("source").findall("alignsize")), 1, i)
                    kept += 1
        self.assertGreater(kept, 10)

    def test_reproducible(self):
        """A snippet depends on the seed and its number only."""
        def xml(seed, index):
            return Snippet(seed, index, "/nonexistent").build("d")
        self.assertEqual(xml(5, 3), xml(5, 3))
        self.assertNotEqual([xml(5, i) for i in range(5)], [xml(6, i) for i in range(5)])

    def test_crash_patterns(self):
        for line in ("virtqemud: ../src/conf/domain_conf.c:99: f: Assertion `0' failed.",
                     "(process:1): GLib-CRITICAL **: g_strdup: assertion failed",
                     "free(): double free detected in tcache 2"):
            self.assertRegex(line, CRASH)
        self.assertNotRegex("2026-11-30 10:00:00.000+0000: 1: error : virDomainDefParse: "
                            "XML error: invalid value of memory device node", CRASH)
        self.assertRegex("qemu-system-x86_64: terminating on signal 6", QEMU_CRASH)
        self.assertNotRegex("qemu-system-x86_64: terminating on signal 15 from pid 1 (x)",
                            QEMU_CRASH)


if __name__ == "__main__":
    unittest.main(verbosity=2)
