# SPDX-License-Identifier: GPL-2.0-or-later
"""Assertions on what a guest reports about its Specific Purpose Memory.

Shared by the QEMU and the libvirt system tests: whatever started the
guest, the guest must see each SPM device exactly where QEMU put it (and
libvirt's live XML must say where that is).
"""

import os

from spm.domainxml import spm_targets, spm_xml
from spm.paths import GUEST_KERNEL
from spm.report import memdev_range

SPM_TYPES = ("spm-memory", "sp-mem")


def spm_devices(memdevs):
    return [d for d in memdevs if d["type"] in SPM_TYPES]


def check_spm(tc, memdevs, rep, nodes, online=True, same_node_ids=True):
    """Check report REP of a guest whose QEMU reported MEMDEVS.

    NODES lists the configured node of every SPM device, in the order of
    query-memory-devices.  With ONLINE, the guest onlined every dax device
    through kmem and each node must have grown by exactly its SPM.
    SAME_NODE_IDS: Linux's node ids must equal the configured ones; without
    it, the Linux node of each device's proximity domain is used instead
    (Linux numbers nodes in the order the SRAT first names them).
    """
    spms = spm_devices(memdevs)
    tc.assertEqual([d["data"]["node"] for d in spms], nodes,
                   "QEMU reports other SPM devices than configured")
    tc.assertEqual(rep["error"], [], "the probe reported errors")
    check_kernel(tc, rep)

    ranges = sorted(memdev_range(d) for d in spms)
    tc.assertEqual(sorted(rep.soft_reserved()), ranges,
                   "Soft Reserved ranges differ from the SPM devices")
    for s, e in ranges:
        # the firmware's memory map and the dax region of dax_hmem say so
        # on every kernel; /proc/iomem only on some (not on 7.2)
        found = rep.soft_reserved_found(s, e)
        tc.assertIn("memmap", found, "[%#x, %#x): not in the firmware memory map" % (s, e))
        tc.assertIn("dax", found, "[%#x, %#x): no hmem dax region" % (s, e))
        for ram in rep.iomem("System RAM"):
            tc.assertFalse(ram[0] < e and s < ram[1],
                           "System RAM %s overlaps SPM [%#x, %#x)" % (ram, s, e))

    linux_node = {}
    for d in spms:
        s, e = memdev_range(d)
        node = d["data"]["node"]
        what = "SPM %s [%#x, %#x) node %d" % (d["data"].get("id"), s, e, node)
        srat = rep.srat_covering(s, e)
        tc.assertEqual(len(srat), 1, "%s: SRAT entries over it: %s" % (what, srat))
        tc.assertEqual((srat[0]["start"], srat[0]["start"] + srat[0]["length"]), (s, e),
                       what + ": its SRAT entry covers another range")
        tc.assertEqual((srat[0]["enabled"], srat[0]["hotplug"]), (1, 0),
                       what + ": SRAT flags")
        tc.assertEqual(srat[0]["pxm"], node, what + ": proximity domain")
        linux = linux_node[node] = rep.node_of_pxm(node)
        if same_node_ids:
            tc.assertEqual(linux, node, what + ": Linux node id")
        tc.assertIsNotNone(linux, what + ": Linux knows no node for its domain")

        daxes = [x for x in rep["dax"] if s <= x["start"] and x["start"] + x["size"] <= e]
        tc.assertTrue(daxes, what + ": no dax device")
        tc.assertEqual(sum(x["size"] for x in daxes), e - s, what + ": dax sizes")
        for x in daxes:
            tc.assertEqual(x["target_node"], linux, "%s: %s target_node" % (what, x["name"]))

    if online:
        tc.assertTrue(rep["online"], "nothing was onlined")
        for o in rep["online"]:
            tc.assertEqual(o["result"], "ok", "onlining %s: %s" % (o["name"], o))
        before = rep.memtotal_kb("before")
        after = rep.memtotal_kb("after")
        for node in set(nodes):
            linux = linux_node[node]
            want = sum(e - s for d in spms if d["data"]["node"] == node
                       for s, e in [memdev_range(d)])
            grown = (after.get(linux, 0) - before.get(linux, 0)) * 1024
            tc.assertEqual(grown, want, "node %d grew by %d bytes, its SPM is %d"
                           % (linux, grown, want))
            for d in spms:
                s, e = memdev_range(d)
                if d["data"]["node"] == node:
                    tc.assertTrue(any(a <= s and e <= b for a, b in
                                      rep.node_ranges(linux, phase="after")),
                                  "SPM [%#x, %#x) is not online memory of node %d"
                                  % (s, e, linux))


def check_kernel(tc, rep):
    """The guest of report REP ran the kernel chosen (KERNEL, lib/lib.sh)."""
    release = rep.kernel_release()
    tc.assertIsNotNone(release, "the report names no kernel release")
    tc.assertTrue(release.startswith(GUEST_KERNEL + "."),
                  "the guest ran Linux %s, not the %s chosen" % (release, GUEST_KERNEL))


def contains(ranges, start, end):
    """[START, END) lies within one of RANGES ([start, end) pairs)."""
    return any(s <= start and end <= e for s, e in ranges)


def check_dimms(tc, memdevs, rep):
    """Every pc-dimm in MEMDEVS is System RAM of its node in report REP."""
    for d in memdevs:
        if d["type"] == "dimm":
            s, e = memdev_range(d)
            node = d["data"]["node"]
            tc.assertTrue(contains(rep.iomem("System RAM"), s, e))
            tc.assertTrue(contains(rep.node_ranges(node), s, e),
                          "DIMM [%#x, %#x) is not memory of node %d" % (s, e, node))


def check_live_xml(tc, memdevs, live_xml):
    """Domain XML LIVE_XML names the spm devices spm0.. and holds the
    address and node QEMU (query-memory-devices: MEMDEVS) gave each."""
    spms = spm_devices(memdevs)
    targets = spm_targets(live_xml)
    tc.assertEqual([t[0] for t in targets], ["spm%d" % i for i in range(len(spms))])
    by_id = {d["data"]["id"]: d for d in spms}
    tc.assertEqual(sorted(by_id), sorted(t[0] for t in targets))
    for alias, base, node, size in targets:
        tc.assertEqual((base, base + size), memdev_range(by_id[alias]),
                       "%s: live XML address differs from QEMU's" % alias)
        tc.assertEqual(node, by_id[alias]["data"]["node"], alias)


def check_hotplug_refused(tc, d, attach_flags=(("--live",), ())):
    """Attaching an spm device to running domain D and detaching its first
    one both fail with the error naming spm; the domain keeps running and
    neither libvirt nor QEMU changed anything."""
    live = spm_targets(d.live_xml)
    tc.assertTrue(live, "the domain has no spm device")
    new = os.path.join(d.workdir, "new-spm.xml")
    with open(new, "w") as f:
        f.write(spm_xml(256, live[0][2]))
    for flags in attach_flags:
        r = d.virsh("attach-device", d.name, new, *flags, check=False)
        tc.assertNotEqual(r.returncode, 0, flags)
        tc.assertIn("hotplug is not supported for the spm device", r.stderr)
        tc.assertEqual(d.state(), "running")
    old = os.path.join(d.workdir, "old-spm.xml")
    with open(old, "w") as f:
        f.write(spm_xml(live[0][3] >> 20, live[0][2], base=live[0][1]))
    r = d.virsh("detach-device", d.name, old, "--live", check=False)
    tc.assertNotEqual(r.returncode, 0)
    tc.assertIn("hot-unplug is not supported for the spm device", r.stderr)
    tc.assertEqual(d.state(), "running")
    tc.assertEqual(spm_targets(d.dumpxml()), live)
    tc.assertEqual(d.qmp("query-memory-devices"), d.memdevs)
