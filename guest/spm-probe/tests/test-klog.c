/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: PXM -> node mapping and E820 table from the kernel log
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

/* A BIOS-e820 log of Linux 6.12 (one space before the type). */
static const char e820_612[] =
    "<5>[    0.000000] Linux version 6.12.17-amd64\n"
    "<6>[    0.000000] BIOS-provided physical RAM map:\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]"
    " usable\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff]"
    " reserved\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff]"
    " ACPI NVS\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff]"
    " soft reserved\n"
    "<6>[    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> "
    "reserved\n"
    "<6>[    0.000000] e820: remove [mem 0x000a0000-0x000fffff] usable\n"
    "<6>[    0.008723] ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff]\n"
    "<6>[    0.008801] SRAT: PXM 0 -> APIC 0x00 -> Node 0\n";

/*
 * A BIOS-e820 log of Linux 7.2 (two spaces, other type names, gaps), with
 * a broken entry and one without a type.
 */
static const char e820_72[] =
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]"
    "  System RAM\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff]"
    "  device reserved\n"
    "<6>[    0.000000] BIOS-e820: [gap 0x00000000000a0000-0x00000000000effff]"
    "\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000011fffffff]"
    "  soft reserved\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000120000000-0x000000011fffffff]"
    "  soft reserved\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000120000000-0x000000012fffffff]"
    "  soft reserved\n"
    "<6>[    0.000000] BIOS-e820: [gap 0x0000000130000000-0x000000fcffffffff]"
    "\n"
    "<6>[    0.000000] BIOS-e820: [mem 0x000000fd00000000-0x000000ffffffffff]"
    "\n"
    "<6>[    0.000000] e820: update [mem 0x00000000-0x00000fff] System RAM ==> "
    "device reserved\n"
    "<6>[    0.008723] ACPI: SRAT: Node 2 PXM 2 [mem 0x120000000-0x12fffffff]\n"
    "<6>[    0.008801] SRAT: PXM 0 -> APIC 0x00 -> Node 0";

static void check_e820(const char *line, enum klog_e820 want, uint64_t start,
                       uint64_t end, const char *type)
{
    struct e820_entry e = { 0xdead, 0xbeef, NULL };
    enum klog_e820 got = klog_parse_e820_line(line, &e);

    if (want == KLOG_E820_ENTRY) {
        CHECK(got == want && e.start == start && e.end == end && e.type &&
              !strcmp(e.type, type), "\"%s\" -> [0x%llx, 0x%llx] \"%s\" "
              "(got %d, [0x%llx, 0x%llx] \"%s\")", line,
              (unsigned long long)start, (unsigned long long)end, type, got,
              (unsigned long long)e.start, (unsigned long long)e.end,
              e.type ? e.type : "(null)");
        e820_entry_free(&e);
    } else {
        CHECK(got == want && e.start == 0xdead && e.type == NULL,
              "\"%s\" is %s (got %d)", line,
              want == KLOG_E820_BAD ? "a bad entry" : "not an entry", got);
    }
}

static void check_e820_entry(const struct e820_list *el, size_t i,
                             uint64_t start, uint64_t end, const char *type)
{
    if (!CHECK(i < el->n, "e820 entry %zu exists", i)) {
        return;
    }
    CHECK_U64(el->items[i].start, start, "start");
    CHECK_U64(el->items[i].end, end, "end");
    CHECK_STR(el->items[i].type, type, "type");
}

static void test_e820(void)
{
    struct e820_list el;
    struct pxm_map map;
    struct errlist err;

    printf("# e820 lines, Linux 6.12 spacing\n");
    check_e820("<6>[    0.000000] BIOS-e820: [mem 0x0000000100000000-"
               "0x000000013fffffff] soft reserved", KLOG_E820_ENTRY,
               0x100000000ull, 0x13fffffffull, "soft reserved");
    check_e820("[    0.000000] BIOS-e820: [mem 0x0000000000000000-"
               "0x000000000009fbff] usable", KLOG_E820_ENTRY, 0, 0x9fbff,
               "usable");
    check_e820("BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] "
               "ACPI NVS", KLOG_E820_ENTRY, 0xfed1c000, 0xfed1ffff,
               "ACPI NVS");
    check_e820("BIOS-e820: [mem 0x0000000180000000-0x00000001bfffffff] "
               "persistent (type 12)", KLOG_E820_ENTRY, 0x180000000ull,
               0x1bfffffffull, "persistent (type 12)");

    printf("# e820 lines, Linux 7.2 spacing and names\n");
    check_e820("<6>[    0.000000] BIOS-e820: [mem 0x0000000100000000-"
               "0x000000013fffffff]  soft reserved", KLOG_E820_ENTRY,
               0x100000000ull, 0x13fffffffull, "soft reserved");
    check_e820("[    0.000000] BIOS-e820: [mem 0x0000000000000000-"
               "0x000000000009fbff]  System RAM", KLOG_E820_ENTRY, 0, 0x9fbff,
               "System RAM");
    check_e820("[    0.000000][    T0] BIOS-e820: [mem 0x000000000009fc00-"
               "0x000000000009ffff]  device reserved", KLOG_E820_ENTRY,
               0x9fc00, 0x9ffff, "device reserved");
    check_e820("BIOS-e820: [mem 0x1000-0x1000] \t reserved \t\r",
               KLOG_E820_ENTRY, 0x1000, 0x1000, "reserved");
    check_e820("BIOS-e820: [mem 0x0-0xffffffffffffffff]  device reserved",
               KLOG_E820_ENTRY, 0, UINT64_MAX, "device reserved");

    printf("# lines that are no e820 entries\n");
    check_e820("[    0.000000] BIOS-e820: [gap 0x0000000140000000-"
               "0x000000fcffffffff]", KLOG_E820_NONE, 0, 0, NULL);
    check_e820("[    0.000000] e820: update [mem 0x00000000-0x00000fff] "
               "System RAM ==> device reserved", KLOG_E820_NONE, 0, 0, NULL);
    check_e820("[    0.000000] e820: remove [mem 0x000a0000-0x000fffff] "
               "System RAM", KLOG_E820_NONE, 0, 0, NULL);
    check_e820("[    0.000000] modified: [mem 0x0000000000000000-"
               "0x0000000000000fff] reserved", KLOG_E820_NONE, 0, 0, NULL);
    check_e820("[    0.000000] BIOS-provided physical RAM map:",
               KLOG_E820_NONE, 0, 0, NULL);
    check_e820("NUMA: BIOS-e820: [mem 0x0-0x1] usable", KLOG_E820_NONE, 0, 0,
               NULL);
    check_e820("\x01\x02garbage \xff BIOS-e820: [mem", KLOG_E820_NONE, 0, 0,
               NULL);
    check_e820("BIOS-e820 [mem 0x0-0x1] usable", KLOG_E820_NONE, 0, 0, NULL);
    check_e820("", KLOG_E820_NONE, 0, 0, NULL);

    printf("# bad e820 entries\n");
    check_e820("BIOS-e820: [mem 0x0000000000002000-0x0000000000001fff] "
               "usable", KLOG_E820_BAD, 0, 0, NULL);
    check_e820("BIOS-e820: [mem 0xzz-0x1000] usable", KLOG_E820_BAD, 0, 0,
               NULL);
    check_e820("BIOS-e820: [mem 0x-0x1000] usable", KLOG_E820_BAD, 0, 0,
               NULL);
    check_e820("BIOS-e820: [mem 0x1000 0x2000] usable", KLOG_E820_BAD, 0, 0,
               NULL);
    check_e820("BIOS-e820: [mem 0x1000-0x2000 usable", KLOG_E820_BAD, 0, 0,
               NULL);
    check_e820("BIOS-e820: [mem 0x0-0x10000000000000000] usable",
               KLOG_E820_BAD, 0, 0, NULL);
    check_e820("BIOS-e820: [mem 0x0-0x1fff]", KLOG_E820_BAD, 0, 0, NULL);
    check_e820("BIOS-e820: [mem 0x0-0x1fff]  \t", KLOG_E820_BAD, 0, 0, NULL);
    check_e820("BIOS-e820: [mem ", KLOG_E820_BAD, 0, 0, NULL);

    printf("# a 6.12 log: e820 and pxm lines from one pass\n");
    pxm_map_init(&map);
    e820_list_init(&el);
    errlist_init(&err);
    klog_parse(e820_612, sizeof(e820_612) - 1, &map, &el, &err);
    check_nerr(&err, 0, "6.12 log");
    CHECK(el.n == 4, "4 e820 entries (got %zu)", el.n);
    check_e820_entry(&el, 0, 0, 0x9fbff, "usable");
    check_e820_entry(&el, 1, 0x9fc00, 0x9ffff, "reserved");
    check_e820_entry(&el, 2, 0xfed1c000, 0xfed1ffff, "ACPI NVS");
    check_e820_entry(&el, 3, 0x100000000ull, 0x13fffffffull,
                     "soft reserved");
    CHECK(map.n == 2 && pxm_map_lookup(&map, 0) == 0 &&
          pxm_map_lookup(&map, 1) == 1, "and the 2 PXMs (got %zu)", map.n);
    pxm_map_free(&map);
    e820_list_free(&el);

    printf("# a 7.2 log: gaps skipped, log order kept, bad lines reported\n");
    klog_parse(e820_72, sizeof(e820_72) - 1, &map, &el, &err);
    check_nerr(&err, 2, "7.2 log");
    CHECK(err_contains(&err, "klog: cannot parse BIOS-e820 line \"BIOS-e820: "
                       "[mem 0x0000000120000000-0x000000011fffffff]  soft "
                       "reserved\""), "end below start reported");
    CHECK(err_contains(&err, "klog: cannot parse BIOS-e820 line \"BIOS-e820: "
                       "[mem 0x000000fd00000000-0x000000ffffffffff]\""),
          "entry without a type reported");
    CHECK(el.n == 4, "4 e820 entries (got %zu)", el.n);
    check_e820_entry(&el, 0, 0, 0x9fbff, "System RAM");
    check_e820_entry(&el, 1, 0x9fc00, 0x9ffff, "device reserved");
    check_e820_entry(&el, 2, 0x100000000ull, 0x11fffffffull,
                     "soft reserved");
    check_e820_entry(&el, 3, 0x120000000ull, 0x12fffffffull,
                     "soft reserved");
    CHECK(map.n == 2 && pxm_map_lookup(&map, 2) == 2, "and the 2 PXMs "
          "(got %zu)", map.n);
    pxm_map_free(&map);
    e820_list_free(&el);
    errlist_free(&err);
}

int main(void)
{
    static const uint32_t want[][2] = {
        { 0, 0 }, { 1, 1 }, { 2, 2 }, { 7, 3 }, { 9, 4 }, { 11, 5 },
        { 12, 10 }, { 15, 15 }, { 16, 16 },
    };
    struct e820_list el;
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
    e820_list_init(&el);
    errlist_init(&err);
    klog_parse(sample, sizeof(sample) - 1, &map, &el, &err);
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
    CHECK(el.n == 0, "no e820 entries (got %zu)", el.n);
    pxm_map_free(&map);
    errlist_free(&err);

    printf("# log with embedded NUL and no mapping\n");
    klog_parse("abc\0SRAT: PXM 3 -> Node 3\n", 26, &map, &el, &err);
    check_nerr(&err, 0, "NUL");
    CHECK(map.n == 0, "text after a NUL in a line is ignored (got %zu)",
          map.n);
    pxm_map_free(&map);
    errlist_free(&err);

    test_e820();
    return test_done();
}
