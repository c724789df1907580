# SPDX-License-Identifier: GPL-2.0-or-later
"""Assertions on what a guest reports of the memory performance it was given.

Shared by the QEMU and the libvirt HMAT tests.  A configuration is PERF,
{(initiator, target): (access latency in ns, access bandwidth in MiB/s)},
DIST, {(a, b): SLIT distance} for a < b, and CACHES, {node: (size in
bytes, associativity, write policy, line size in bytes)} for level-1
memory-side caches, associativity "direct" or "complex", policy
"write-back" or "write-through"; node ids are proximity domains, and the
guest's Linux node ids must equal them.
"""

# HMAT codes (ACPI 6.5, Table 5.150) and Linux's (include/linux/node.h,
# enum cache_indexing and cache_write_policy, as drivers/acpi/numa/hmat.c
# translates them).
ASSOCIATIVITY = {"direct": (1, 0), "complex": (2, 1)}
WRITE_POLICY = {"write-back": (1, 0), "write-through": (2, 1)}

# Linux 6.12, include/linux/memory-tiers.h: a tier spans 2^MEMTIER_CHUNK_BITS
# of abstract distance; boot DRAM has MEMTIER_ADISTANCE_DRAM, in tier 4.
MEMTIER_CHUNK_BITS = 7
MEMTIER_ADISTANCE_DRAM = 4 * (1 << MEMTIER_CHUNK_BITS) + (1 << MEMTIER_CHUNK_BITS) // 2


def node_list(text):
    """The ids of a kernel node list such as "0-1,3"."""
    ids = []
    for part in filter(None, str(text).split(",")):
        lo, _, hi = part.partition("-")
        ids += range(int(lo), int(hi or lo) + 1)
    return ids


def expected_tier(perf, node, dram=0):
    """The memory tier Linux 6.12 puts NODE in, seen from initiator DRAM
    (the node of the CPUs and of boot DRAM).

    Boot DRAM gets MEMTIER_ADISTANCE_DRAM.  kmem asks the HMAT for the
    abstract distance of the memory it onlines (mt_calc_adistance ->
    hmat_calculate_adistance -> mt_perf_to_adistance, mm/memory-tiers.c),
    in proportion to its latency and inversely to its bandwidth, with boot
    DRAM's figures (its CPU access class) as the base; in integer
    arithmetic, left to right:

        adist = MEMTIER_ADISTANCE_DRAM * (rlat + wlat) / (dram rlat + wlat)
                * (dram rbw + wbw) / (rbw + wbw)

    (access latency and bandwidth set both read and write), and the tier is
    adist >> MEMTIER_CHUNK_BITS (memory_tierK, a lower K is faster): faster
    memory than DRAM gets a lower tier id, slower memory a higher one.
    """
    if node == dram:
        return MEMTIER_ADISTANCE_DRAM >> MEMTIER_CHUNK_BITS
    lat, bw = perf[(dram, node)]
    dram_lat, dram_bw = perf[(dram, dram)]
    adist = MEMTIER_ADISTANCE_DRAM * (2 * lat) // (2 * dram_lat) * (2 * dram_bw) // (2 * bw)
    return adist >> MEMTIER_CHUNK_BITS


def distance(dist, a, b):
    return 10 if a == b else dist[(min(a, b), max(a, b))]


def tiers_of(rep, phase):
    """{node: tier} from the tier lines of PHASE."""
    out = {}
    for t in rep["tier"]:
        if t["phase"] == phase:
            for node in node_list(t["nodelist"]):
                out[node] = t["tier"]
    return out


def check_hmat_table(tc, rep, perf):
    """The firmware's HMAT holds every pair of PERF, and nothing else, at
    the memory level; every target has memory in the SRAT."""
    lbs = [e for e in rep["hmat_lb"] if e["hierarchy"] == "memory"]
    for (init, target), (lat, bw) in perf.items():
        for kind, unit, want in (("access_latency", "ps", lat * 1000),
                                 ("access_bandwidth", "MBps", bw)):
            got = [e for e in lbs if e["type"] == kind and e["initiator_pd"] == init
                   and e["target_pd"] == target]
            tc.assertEqual(len(got), 1, "HMAT %s entries %d -> %d: %s"
                           % (kind, init, target, got))
            tc.assertEqual((got[0]["value"], got[0]["unit"]), (want, unit),
                           "HMAT %s %d -> %d" % (kind, init, target))
    tc.assertEqual({e["initiator_pd"] for e in lbs}, {i for i, _ in perf},
                   "HMAT initiators")
    tc.assertEqual({e["target_pd"] for e in lbs}, {t for _, t in perf}, "HMAT targets")
    srat_pds = {e["pxm"] for e in rep["srat"] if e["enabled"] and e["length"]}
    tc.assertLessEqual({e["target_pd"] for e in lbs}, srat_pds,
                       "HMAT targets without SRAT memory")


def check_access(tc, rep, perf, boot_nodes, initiator=0):
    """Linux's access classes (0: any initiator, 1: CPUs) from INITIATOR,
    the only one: the nodes of BOOT_NODES from boot, all targets once the
    SPM is online (Linux registers a node's figures only while it is
    online with memory)."""
    targets = sorted(t for _, t in perf)
    for phase, nodes in (("boot", sorted(boot_nodes)), ("after", targets)):
        got = {(a["node"], a["class"]): a for a in rep["access"] if a["phase"] == phase}
        tc.assertEqual(sorted(got), [(n, c) for n in nodes for c in (0, 1)],
                       "access classes in phase %s" % phase)
        for (node, cls), a in got.items():
            lat, bw = perf[(initiator, node)]
            tc.assertEqual(
                (node_list(a["initiators"]), a["read_latency"], a["write_latency"],
                 a["read_bandwidth"], a["write_bandwidth"]),
                ([initiator], lat, lat, bw, bw),
                "node %d access%d in phase %s" % (node, cls, phase))


def check_distances(tc, rep, dist, nodes):
    """Every online node's SLIT distances: all of NODES once online."""
    after = {(d["node"], d["to"]): d["value"] for d in rep["distance"]
             if d["phase"] == "after"}
    tc.assertEqual(after, {(a, b): distance(dist, a, b) for a in nodes for b in nodes},
                   "SLIT distances once every node is online")
    for d in rep["distance"]:
        if d["phase"] == "boot":
            tc.assertEqual(d["value"], distance(dist, d["node"], d["to"]),
                           "boot distance %s" % d)


def check_tiers(tc, rep, perf, dram=0):
    """Boot DRAM in the DRAM tier; after onlining every node where Linux
    6.12's abstract distance puts it."""
    tc.assertEqual(tiers_of(rep, "boot").get(dram), expected_tier(perf, dram, dram),
                   "boot DRAM is not in the DRAM tier")
    after = tiers_of(rep, "after")
    want = {t: expected_tier(perf, t, dram) for i, t in perf if i == dram}
    tc.assertEqual(after, want, "memory tiers after onlining")
    return after


def check_caches(tc, rep, caches):
    """The firmware's HMAT describes exactly CACHES, and Linux shows each
    once its node is online (never before: all cached nodes are SPM)."""
    got = {c["memory_pd"]: (c["size"], c["total_levels"], c["level"], c["associativity"],
                            c["write_policy"], c["line_size"], c["smbios_handles"])
           for c in rep["hmat_cache"]}
    tc.assertEqual(len(got), len(rep["hmat_cache"]), "two HMAT caches of one node")
    tc.assertEqual(got, {n: (size, 1, 1, ASSOCIATIVITY[assoc][0], WRITE_POLICY[policy][0],
                             line, 0)
                         for n, (size, assoc, policy, line) in caches.items()},
                   "the HMAT's memory side cache structures")
    linux = {(c["phase"], c["node"], c["level"]): (c["size"], c["line_size"], c["indexing"],
                                                   c["write_policy"])
             for c in rep["cache"]}
    tc.assertEqual(linux, {("after", n, 1): (size, line, ASSOCIATIVITY[assoc][1],
                                             WRITE_POLICY[policy][1])
                           for n, (size, assoc, policy, line) in caches.items()},
                   "Linux's memory-side caches")


def check_performance(tc, rep, perf, dist, caches=None, dram=0):
    """All of the above for a guest whose SPM nodes were onlined (CACHES
    None: no memory-side caches); returns {node: tier} after onlining."""
    check_hmat_table(tc, rep, perf)
    check_caches(tc, rep, caches or {})
    check_access(tc, rep, perf, [dram])
    check_distances(tc, rep, dist, sorted({t for _, t in perf}))
    return check_tiers(tc, rep, perf, dram)
