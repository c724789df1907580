/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: PXM -> node mapping from the kernel log
 */
#include <stdlib.h>
#include <string.h>

#include "klog.h"
#include "testutil.h"

static const char sample[] =
    "<6>[    0.000000] Linux version 6.12.17-amd64\n"
    "<6>[    0.004000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]\n"
    "<6>[    0.004001] ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x7fffffff]\n"
    "<6>[    0.004002] ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff]\n"
    "<6>[    0.004003] ACPI: SRAT: Node 3 PXM 7 [mem 0x140000000-0x3ffffffff] "
    "hotplug\n"
    "<6>[    0.004004] ACPI: SRAT: Node 4 PXM 9 [mem 0x400000000-0x4ffffffff] "
    "non-volatile\n"
    "<6>[    0.004010] SRAT: PXM 0 -> APIC 0x00 -> Node 0\n"
    "<6>[    0.004011] SRAT: PXM 0 -> APIC 0x01 -> Node 0\n"
    "<6>[    0.004012] SRAT: PXM 2 -> X2APIC 0x100 -> Node 2\n"
    "<6>[    0.004013][    T0] SRAT: PXM 12 -> APIC 0x02 -> Node 10\n"
    "ACPI: SRAT: Node 5 PXM 11 [mem 0x500000000-0x5ffffffff]\n"
    "<4>[    0.004020] SRAT: PXM 1 -> APIC 0x03 -> Node 6\n"
    "<6>[    0.005000] NUMA: Node 0 PXM 8 is not an SRAT line\n"
    "<6>[    0.005001] SRAT: PXM x -> APIC 0x00 -> Node 0\n"
    "<6>[    0.005002] SRAT: PXM 13 -> APIC 0x00 -> Node\n"
    "<6>[    0.005003] SRAT: Node -1 PXM 14 [mem 0x0-0x1]\n"
    "<6>[    0.005004] SRAT: PXM 99999999999 -> Node 1\n"
    "\x01\x02garbage \xff\xfe SRAT: PXM\n"
    "<6>[    0.005005 truncated prefix SRAT: PXM 15 -> Node 15\n"
    "SRAT: PXM 16 -> Node 16";

static void check_line(const char *line, bool want, uint32_t pxm,
                       uint32_t node)
{
    uint32_t p = 0xdead, n = 0xbeef;
    bool got = klog_parse_line(line, &p, &n);

    if (want) {
        CHECK(got && p == pxm && n == node, "\"%s\" -> PXM %u node %u "
              "(got %d, %u, %u)", line, pxm, node, got, p, n);
    } else {
        CHECK(!got, "\"%s\" is not a mapping", line);
    }
}

int main(void)
{
    static const uint32_t want[][2] = {
        { 0, 0 }, { 1, 1 }, { 2, 2 }, { 7, 3 }, { 9, 4 }, { 11, 5 },
        { 12, 10 }, { 15, 15 }, { 16, 16 },
    };
    struct pxm_map map;
    struct errlist err;

    printf("# prefix stripping\n");
    CHECK_STR(klog_strip_prefix("<6>[    0.000000] SRAT: x"), "SRAT: x",
              "level and timestamp");
    CHECK_STR(klog_strip_prefix("<6>[    1.5][  T1] a"), "a",
              "level, timestamp and caller id");
    CHECK_STR(klog_strip_prefix("[    0.000000] b"), "b", "timestamp only");
    CHECK_STR(klog_strip_prefix("<12> c"), " c", "level only");
    CHECK_STR(klog_strip_prefix("<x>[ 0.1 d"), "<x>[ 0.1 d",
              "malformed prefix kept");
    CHECK_STR(klog_strip_prefix(""), "", "empty line");

    printf("# single lines\n");
    check_line("<6>[    0.004002] ACPI: SRAT: Node 1 PXM 1 "
               "[mem 0x100000000-0x13fffffff]", true, 1, 1);
    check_line("ACPI: SRAT: Node 3 PXM 7 [mem 0x140000000-0x3ffffffff] "
               "hotplug", true, 7, 3);
    check_line("SRAT: PXM 0 -> APIC 0x00 -> Node 0", true, 0, 0);
    check_line("SRAT: PXM 4 -> X2APIC 0x1ff -> Node 3", true, 4, 3);
    check_line("SRAT: PXM 5 -> GI 0000:00:01.0 -> Node 6", true, 5, 6);
    check_line("NUMA: Node 0 PXM 8 no SRAT token", false, 0, 0);
    check_line("SRAT: PXM 13 -> APIC 0x00 -> Node", false, 0, 0);
    check_line("SRAT: PXM 99999999999 -> Node 1", false, 0, 0);
    check_line("SRAT: PXM", false, 0, 0);
    check_line("", false, 0, 0);

    printf("# a whole log with duplicates, conflicts and garbage\n");
    pxm_map_init(&map);
    errlist_init(&err);
    klog_parse(sample, sizeof(sample) - 1, &map, &err);
    check_nerr(&err, 1, "conflicting PXM 1");
    CHECK(err_contains(&err, "klog: PXM 1 is logged both on node 1 and on "
                       "node 6"), "conflict names PXM and both nodes");
    CHECK(map.n == ARRAY_SIZE(want), "%zu distinct PXMs (got %zu)",
          ARRAY_SIZE(want), map.n);
    for (size_t i = 0; i < ARRAY_SIZE(want) && i < map.n; i++) {
        CHECK(map.items[i].pxm == want[i][0] &&
              map.items[i].node == want[i][1],
              "entry %zu: PXM %u -> node %u (got PXM %u -> node %u)", i,
              want[i][0], want[i][1], map.items[i].pxm, map.items[i].node);
    }
    CHECK(pxm_map_lookup(&map, 7) == 3, "lookup PXM 7 -> node 3");
    CHECK(pxm_map_lookup(&map, 3) == -1, "lookup of unknown PXM 3 is -1");
    pxm_map_free(&map);
    errlist_free(&err);

    printf("# log with embedded NUL and no mapping\n");
    klog_parse("abc\0SRAT: PXM 3 -> Node 3\n", 26, &map, &err);
    check_nerr(&err, 0, "NUL");
    CHECK(map.n == 0, "text after a NUL in a line is ignored (got %zu)",
          map.n);
    pxm_map_free(&map);
    errlist_free(&err);
    return test_done();
}
