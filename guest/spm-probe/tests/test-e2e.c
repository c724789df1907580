/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: run the spm-probe binary on fake trees and compare its
 * whole report with the expected files in tests/data.
 *
 * Usage: test-e2e SPM_PROBE_BINARY DATA_DIR
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* A guest with RAM on node 0 and two SPM ranges on nodes 1 and 2. */
static void build_good(const char *root)
{
    static const char *const memmap[][3] = {
        { "0x0", "0x9fbff", "System RAM" },
        { "0x9fc00", "0x9ffff", "Reserved" },
        { "0xf0000", "0xfffff", "Reserved" },
        { "0x100000", "0x7ffdffff", "System RAM" },
        { "0x7ffe0000", "0x7fffffff", "Reserved" },
        { "0xfeffc000", "0xfeffffff", "Reserved" },
        { "0xfffc0000", "0xffffffff", "Reserved" },
        { "0x100000000", "0x13fffffff", "Soft Reserved" },
        { "0x140000000", "0x15fffffff", "Soft Reserved" },
    };
    struct srat_builder b;

    /* Directory names 0..8, but not in address order: 8 is listed first. */
    for (size_t i = 0; i < ARRAY_SIZE(memmap); i++) {
        size_t n = (i + 1) % ARRAY_SIZE(memmap);
        char rel[64], *v;

        for (int k = 0; k < 3; k++) {
            static const char *const attr[] = { "start", "end", "type" };

            snprintf(rel, sizeof(rel), "sys/firmware/memmap/%zu/%s", n,
                     attr[k]);
            v = xasprintf("%s\n", memmap[i][k]);
            tree_write(root, rel, v);
            free(v);
        }
    }

    tree_write(root, "proc/sys/kernel/osrelease", "6.12.17-amd64\n");
    tree_write(root, "proc/iomem",
               IOMEM_Q35_LOW
               "  2b000000-2bffffff : Kernel code\n"
               "  2c000000-2c5fffff : Kernel rodata\n"
               "7ffe0000-7fffffff : Reserved\n"
               "80000000-afffffff : PCI Bus 0000:00\n"
               "fee00000-fee00fff : Local APIC\n"
               "  fee00000-fee00fff : Reserved\n"
               "fffc0000-ffffffff : Reserved\n"
               "100000000-13fffffff : Soft Reserved\n"
               "  100000000-13fffffff : dax0.0\n"
               "140000000-15fffffff : Soft Reserved\n"
               "  140000000-15fffffff : dax1.0\n"
               "380000000000-3807ffffffff : PCI Bus 0000:00\n");

    srat_begin(&b);
    srat_add_raw(&b, 0, 16);
    srat_add_raw(&b, 0, 16);
    srat_add_mem(&b, 0, 0x0, 0xa0000, 0x1);
    srat_add_mem(&b, 0, 0x100000, 0x7ff00000, 0x1);
    srat_add_mem(&b, 1, 0x100000000ull, 0x40000000, 0x1);
    srat_add_mem(&b, 2, 0x140000000ull, 0x20000000, 0x1);
    srat_add_mem(&b, 2, 0x160000000ull, 0x2a0000000ull, 0x3);
    srat_add_mem(&b, 0, 0x0, 0x0, 0x0);
    srat_finish(&b);
    tree_write_bin(root, "sys/firmware/acpi/tables/SRAT", b.buf, b.len);

    tree_write(root, "klog",
               "<5>[    0.000000] Linux version 6.12.17-amd64\n"
               "<6>[    0.008721] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]\n"
               "<6>[    0.008722] ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x7fffffff]\n"
               "<6>[    0.008723] ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff]\n"
               "<6>[    0.008724] ACPI: SRAT: Node 2 PXM 2 [mem 0x140000000-0x15fffffff]\n"
               "<6>[    0.008725] ACPI: SRAT: Node 2 PXM 2 [mem 0x160000000-0x3ffffffff] hotplug\n"
               "<6>[    0.008801] SRAT: PXM 0 -> APIC 0x00 -> Node 0\n"
               "<6>[    0.008802] SRAT: PXM 0 -> APIC 0x01 -> Node 0\n"
               "<6>[    1.234567] dax_hmem: probe of hmem.0 failed with error -22\n");

    tree_mkdir(root, "sys/bus/dax/drivers/device_dax");
    tree_mkdir(root, "sys/devices/platform/hmem.0/dax0.0");
    tree_write(root, "sys/devices/platform/hmem.0/dax0.0/resource",
               "0x100000000\n");
    tree_write(root, "sys/devices/platform/hmem.0/dax0.0/size",
               "1073741824\n");
    tree_write(root, "sys/devices/platform/hmem.0/dax0.0/target_node", "1\n");
    tree_symlink(root, "sys/bus/dax/devices/dax0.0",
                 "../../../devices/platform/hmem.0/dax0.0");
    tree_write(root, "sys/devices/platform/hmem.1/dax1.0/resource",
               "0x140000000\n");
    tree_write(root, "sys/devices/platform/hmem.1/dax1.0/size",
               "536870912\n");
    tree_write(root, "sys/devices/platform/hmem.1/dax1.0/target_node", "2\n");
    tree_symlink(root, "sys/devices/platform/hmem.1/dax1.0/driver",
                 "../../../../bus/dax/drivers/device_dax");
    tree_symlink(root, "sys/bus/dax/devices/dax1.0",
                 "../../../devices/platform/hmem.1/dax1.0");

    tree_write(root, "sys/devices/system/node/node0/meminfo",
               "Node 0 MemTotal:        2030992 kB\n"
               "Node 0 MemFree:         1950000 kB\n");
    tree_write(root, "sys/devices/system/node/node1/meminfo",
               "Node 1 MemTotal:              0 kB\n");
    tree_write(root, "sys/devices/system/node/node2/meminfo",
               "Node 2 MemTotal:              0 kB\n");

    /*
     * 128 MiB memory blocks: node 0 has blocks 0-15 (the first 2 GiB), the
     * SPM nodes have none before kmem adds them.  Links made in reverse.
     */
    tree_write(root, "sys/devices/system/memory/block_size_bytes",
               "8000000\n");
    tree_write(root, "sys/devices/system/memory/auto_online_blocks",
               "offline\n");
    for (unsigned m = 16; m-- > 0;) {
        char rel[64], target[64];

        snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/state",
                 m);
        tree_write(root, rel, "online\n");
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node0/memory%u", m);
        snprintf(target, sizeof(target), "../../memory/memory%u", m);
        tree_symlink(root, rel, target);
    }
    tree_mkdir(root, "sys/devices/system/node/node0/cpu0");
    tree_mkdir(root, "sys/devices/system/node/node1/memory_side_cache");

    /*
     * HMAT: node 0 (CPUs, DRAM), HBM-like SPM on node 1 and slow SPM on
     * node 2, each seen from initiator 0.  Linux gives access classes
     * only to the online node 0; the SPM nodes are offline at boot.
     */
    {
        static const uint32_t inits[] = { 0 }, targets[] = { 0, 1, 2 };
        static const uint16_t lat[] = { 10, 5, 40 };
        static const uint16_t bw[] = { 10240, 40960, 2560 };
        struct hmat_builder h;

        hmat_begin(&h);
        hmat_add_mpda(&h, 1, 0, 0);
        hmat_add_lb(&h, 0, 0, 1000, 1, inits, 3, targets, lat);
        hmat_add_lb(&h, 0, 3, 1, 1, inits, 3, targets, bw);
        hmat_finish(&h);
        tree_write_bin(root, "sys/firmware/acpi/tables/HMAT", h.buf, h.len);
    }
    for (int class = 0; class < 2; class++) {
        static const char *const attrs[][2] = {
            { "read_latency", "10\n" }, { "write_latency", "10\n" },
            { "read_bandwidth", "10240\n" }, { "write_bandwidth", "10240\n" },
        };
        char rel[96];

        for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
            snprintf(rel, sizeof(rel), "sys/devices/system/node/node0/"
                     "access%d/initiators/%s", class, attrs[i][0]);
            tree_write(root, rel, attrs[i][1]);
        }
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node0/"
                 "access%d/initiators/node0", class);
        tree_symlink(root, rel, "../../../node0");
    }
    /* The SPM nodes are not online: distances to node 0 only. */
    tree_write(root, "sys/devices/system/node/online", "0\n");
    tree_write(root, "sys/devices/system/node/node0/distance", "10\n");
    tree_write(root, "sys/devices/system/node/node1/distance", "21\n");
    tree_write(root, "sys/devices/system/node/node2/distance", "31\n");
    tree_write(root, "sys/devices/virtual/memory_tiering/memory_tier4/"
               "nodelist", "0\n");
}

/*
 * The healthy guest for --online: a kmem driver to which dax0.0 is bound
 * already, with its blocks online, dax1.0 on device_dax, which the fake
 * tree cannot rebind, and a memory-side cache in front of node 0.  The tree does not change, so the after phase
 * repeats the boot phase: what this shows is the order of the records.
 */
static void build_online(const char *root)
{
    build_good(root);
    tree_mkdir(root, "sys/bus/dax/drivers/kmem");
    tree_symlink(root, "sys/devices/platform/hmem.0/dax0.0/driver",
                 "../../../../bus/dax/drivers/kmem");
    for (unsigned m = 32; m < 40; m++) {
        char rel[64];

        snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/state",
                 m);
        tree_write(root, rel, "online\n");
    }
    tree_write(root, "sys/devices/system/node/node0/memory_side_cache/"
               "index1/size", "268435456\n");
    tree_write(root, "sys/devices/system/node/node0/memory_side_cache/"
               "index1/line_size", "64\n");
    tree_write(root, "sys/devices/system/node/node0/memory_side_cache/"
               "index1/indexing", "0\n");
    tree_write(root, "sys/devices/system/node/node0/memory_side_cache/"
               "index1/write_policy", "0\n");
}

/* The same guest with damage everywhere. */
static void build_broken(const char *root)
{
    struct srat_builder b;

    tree_write(root, "sys/firmware/memmap/0/start", "0x0\n");
    tree_write(root, "sys/firmware/memmap/0/end", "0x9fbff\n");
    tree_write(root, "sys/firmware/memmap/0/type", "Odd \"quoted\\\" \x01type");
    tree_write(root, "sys/firmware/memmap/1/start", "0x100000\n");
    tree_write(root, "sys/firmware/memmap/1/end", "0x7ffdffff\n");
    tree_write(root, "sys/firmware/memmap/2/start", "0xnope\n");
    tree_write(root, "sys/firmware/memmap/2/end", "0x1\n");
    tree_write(root, "sys/firmware/memmap/2/type", "System RAM\n");

    tree_write(root, "proc/iomem",
               "00001000-0009fbff : System RAM\n"
               "junk \\ \"line\"\n"
               "100000000-13fffffff : Soft Reserved\n");

    srat_begin(&b);
    srat_add_mem(&b, 0, 0x0, 0xa0000, 0x1);
    srat_add_mem(&b, 5, 0x100000000ull, 0x40000000, 0x5);
    srat_add_mem(&b, 1, 0x140000000ull, 0x40000000, 0x1);
    srat_finish(&b);
    tree_write_bin(root, "sys/firmware/acpi/tables/SRAT", b.buf, 120);

    tree_write(root, "klog",
               "<6>[    0.008721] ACPI: SRAT: Node 0 PXM 0 [mem 0x0-0x9ffff]\n"
               "<6>[    0.008801] SRAT: PXM 0 -> APIC 0x00 -> Node 0\n"
               "<6>[    0.008802] SRAT: PXM 0 -> APIC 0x01 -> Node 3\n");

    tree_write(root, "sys/bus/dax/devices/dax0.0/resource", "0x100000000\n");
    tree_write(root, "sys/bus/dax/devices/dax0.0/size", "1073741824\n");
    tree_write(root, "sys/bus/dax/devices/dax0.0/target_node", "-1\n");
    tree_write(root, "sys/bus/dax/devices/dax0.1/resource", "garbage\n");
    tree_write(root, "sys/bus/dax/devices/dax0.1/size", "0\n");
    tree_write(root, "sys/bus/dax/devices/dax0.1/target_node", "-1\n");

    tree_write(root, "sys/devices/system/node/node0/meminfo",
               "Node 0 MemTotal:        2030992 kB\n");
    tree_write(root, "sys/devices/system/node/node1/meminfo", "\n");

    /*
     * Node 0: blocks 0-1 online, 2 without a state file, 3 in an odd
     * state, a block number past the address space, a name that is not a
     * block; node 1 has no blocks.
     */
    tree_write(root, "sys/devices/system/memory/block_size_bytes",
               "8000000\n");
    tree_write(root, "sys/devices/system/memory/memory0/state", "online\n");
    tree_write(root, "sys/devices/system/memory/memory1/state", "online\n");
    tree_mkdir(root, "sys/devices/system/memory/memory2");
    tree_write(root, "sys/devices/system/memory/memory3/state", "off line\n");
    tree_symlink(root, "sys/devices/system/node/node0/memory0",
                 "../../memory/memory0");
    tree_symlink(root, "sys/devices/system/node/node0/memory1",
                 "../../memory/memory1");
    tree_symlink(root, "sys/devices/system/node/node0/memory2",
                 "../../memory/memory2");
    tree_symlink(root, "sys/devices/system/node/node0/memory3",
                 "../../memory/memory3");
    tree_symlink(root, "sys/devices/system/node/node0/memory200000000000",
                 "../../memory/memory200000000000");
    tree_symlink(root, "sys/devices/system/node/node0/memoryfoo",
                 "../../memory/memoryfoo");

    /*
     * An HMAT cut in its latency structure, an access class and a cache
     * with a garbled attribute, a distance file with a value too many, a
     * tier whose node list is not one.
     */
    {
        static const uint32_t inits[] = { 0 }, targets[] = { 0, 1 };
        static const uint16_t lat[] = { 10, 5 };
        struct hmat_builder h;

        hmat_begin(&h);
        hmat_add_mpda(&h, 1, 0, 0);
        hmat_add_lb(&h, 0, 0, 1000, 1, inits, 2, targets, lat);
        hmat_finish(&h);
        tree_write_bin(root, "sys/firmware/acpi/tables/HMAT", h.buf,
                       h.len - 3);
    }
    tree_write(root, "sys/devices/system/node/node0/access0/initiators/"
               "read_latency", "-1\n");
    tree_write(root, "sys/devices/system/node/node0/memory_side_cache/"
               "index1/size", "64M\n");
    tree_write(root, "sys/devices/system/node/online", "0-1\n");
    tree_write(root, "sys/devices/system/node/node0/distance", "10 20\n");
    tree_write(root, "sys/devices/system/node/node1/distance", "20 10 30\n");
    tree_write(root, "sys/devices/virtual/memory_tiering/memory_tier4/"
               "nodelist", "0-\n");
}

/*
 * The firmware memory map of a q35 guest with 2 GiB of RAM below 4 GiB
 * and SPM from 4 GiB on (the last @n_spm entries of @spm), as
 * /sys/firmware/memmap shows it.
 */
struct fw_range {
    const char *start, *end;
};

static const struct fw_range q35_low[] = {
    { "0x0", "0x9fbff" },                   /* System RAM */
    { "0x9fc00", "0x9ffff" },
    { "0xf0000", "0xfffff" },
    { "0x100000", "0x7ffdffff" },           /* System RAM */
    { "0x7ffe0000", "0x7fffffff" },
    { "0xb0000000", "0xbfffffff" },
    { "0xfed1c000", "0xfed1ffff" },
    { "0xfeffc000", "0xfeffffff" },
    { "0xfffc0000", "0xffffffff" },
};

static void add_memmap(const char *root, const struct fw_range *spm,
                       size_t n_spm)
{
    static const char *const attr[] = { "start", "end", "type" };
    size_t n = ARRAY_SIZE(q35_low) + n_spm;

    for (size_t i = 0; i < n; i++) {
        const struct fw_range *r = i < ARRAY_SIZE(q35_low) ? &q35_low[i] :
                                   &spm[i - ARRAY_SIZE(q35_low)];
        const char *value[3] = {
            r->start, r->end,
            i >= ARRAY_SIZE(q35_low) ? "Soft Reserved" :
            i == 0 || i == 3 ? "System RAM" : "Reserved",
        };

        for (size_t k = 0; k < ARRAY_SIZE(attr); k++) {
            char rel[64], *v = xasprintf("%s\n", value[k]);

            snprintf(rel, sizeof(rel), "sys/firmware/memmap/%zu/%s", i,
                     attr[k]);
            tree_write(root, rel, v);
            free(v);
        }
    }
}

/*
 * Nodes 0 (CPU and 2 GiB of RAM online in 128 MiB blocks) to @n_nodes - 1
 * (SPM only, offline at boot), distances, memory tier 4.
 */
static void add_q35_nodes(const char *root, unsigned n_nodes)
{
    tree_write(root, "sys/devices/system/node/node0/meminfo",
               "Node 0 MemTotal:        2030992 kB\n");
    tree_mkdir(root, "sys/devices/system/node/node0/cpu0");
    tree_write(root, "sys/devices/system/node/node0/distance", "10\n");
    for (unsigned n = 1; n < n_nodes; n++) {
        char rel[64], *v;

        snprintf(rel, sizeof(rel), "sys/devices/system/node/node%u/meminfo",
                 n);
        v = xasprintf("Node %u MemTotal:              0 kB\n", n);
        tree_write(root, rel, v);
        free(v);
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node%u/distance",
                 n);
        tree_write(root, rel, "20\n");
    }
    tree_write(root, "sys/devices/system/node/online", "0\n");
    tree_write(root, "sys/devices/system/memory/block_size_bytes",
               "8000000\n");
    for (unsigned m = 0; m < 16; m++) {
        char rel[64], target[64];

        snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/state",
                 m);
        tree_write(root, rel, "online\n");
        snprintf(rel, sizeof(rel), "sys/devices/system/node/node0/memory%u", m);
        snprintf(target, sizeof(target), "../../memory/memory%u", m);
        tree_symlink(root, rel, target);
    }
    tree_write(root, "sys/devices/virtual/memory_tiering/memory_tier4/"
               "nodelist", "0\n");
}

/*
 * An hmem dax device @name of @size bytes (decimal) at @resource on
 * @node, in sysfs directory @devdir (below sys/devices/platform), alone in
 * region @region; bound to @driver unless NULL.
 */
static void add_hmem_dax(const char *root, const char *devdir,
                         const char *name, const char *resource,
                         const char *end, const char *size, const char *node,
                         const char *region, const char *driver)
{
    const char *attrs[][2] = {
        { "resource", resource }, { "size", size }, { "target_node", node },
        { "align", "2097152" }, { "mapping0/start", resource },
        { "mapping0/end", end }, { "mapping0/page_offset", "0x0" },
        { "dax_region/id", region }, { "dax_region/size", size },
        { "dax_region/align", "2097152" }, { "dax_region/available_size", "0" },
        { "dax_region/create", "dax0.1" }, { "dax_region/seed", "dax0.1" },
    };
    char rel[160], target[160], *v;
    int depth = 4;

    for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
        bool of_region = !strncmp(attrs[i][0], "dax_region/", 11);

        snprintf(rel, sizeof(rel), "sys/devices/platform/%s%s%s/%s", devdir,
                 of_region ? "" : "/", of_region ? "" : name, attrs[i][0]);
        v = xasprintf("%s\n", attrs[i][1]);
        tree_write(root, rel, v);
        free(v);
    }
    /* Write-only in sysfs. */
    snprintf(rel, sizeof(rel), "sys/devices/platform/%s/dax_region/delete",
             devdir);
    tree_write(root, rel, "");
    snprintf(rel, sizeof(rel), "sys/bus/dax/devices/%s", name);
    snprintf(target, sizeof(target), "../../../devices/platform/%s/%s",
             devdir, name);
    tree_symlink(root, rel, target);
    if (driver) {
        for (const char *p = devdir; *p; p++) {
            depth += *p == '/';
        }
        snprintf(rel, sizeof(rel), "sys/devices/platform/%s/%s/driver",
                 devdir, name);
        snprintf(target, sizeof(target), "%.*sbus/dax/drivers/%s",
                 3 * depth, "../../../../../../../../../../", driver);
        tree_symlink(root, rel, target);
    }
}

/* The E820 entries and the SRAT mapping of build_612()'s kernel log. */
#define KLOG_612_E820 \
    "<6>[    0.000000] BIOS-provided physical RAM map:\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff] usable\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x000000007ffe0000-0x000000007fffffff] reserved\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x00000000b0000000-0x00000000bfffffff] reserved\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] reserved\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved\n" \
    "<6>[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff] soft reserved\n"

#define KLOG_612_REST \
    "<6>[    0.000000] NX (Execute Disable) protection: active\n" \
    "<6>[    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved\n" \
    "<6>[    0.000000] e820: remove [mem 0x000a0000-0x000fffff] usable\n" \
    "<6>[    0.008721] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]\n" \
    "<6>[    0.008722] ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x7fffffff]\n" \
    "<6>[    0.008723] ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff]\n" \
    "<6>[    0.008801] SRAT: PXM 0 -> APIC 0x00 -> Node 0\n"

/* /proc/iomem of the q35 guests of build_612 and build_72 below 4 GiB */
#define IOMEM_Q35_BELOW_4G \
    IOMEM_Q35_LOW \
    "  2b000000-2bffffff : Kernel code\n" \
    "7ffe0000-7fffffff : Reserved\n" \
    "80000000-afffffff : PCI Bus 0000:00\n" \
    "b0000000-bfffffff : PCI ECAM 0000 [bus 00-ff]\n" \
    "  b0000000-bfffffff : Reserved\n" \
    "fed1c000-fed1ffff : Reserved\n" \
    "feffc000-feffffff : Reserved\n" \
    "fffc0000-ffffffff : Reserved\n"

/*
 * A Debian Linux 6.12 guest with 1 GiB of SPM on node 1: "Soft Reserved"
 * in /proc/iomem, hmem.0 right below platform, its dax0.0 unbound.
 */
static void build_612(const char *root)
{
    static const struct fw_range spm[] = {
        { "0x100000000", "0x13fffffff" },
    };
    struct srat_builder b;

    tree_write(root, "proc/sys/kernel/osrelease", "6.12.17-amd64\n");
    add_memmap(root, spm, ARRAY_SIZE(spm));
    tree_write(root, "klog",
               "<5>[    0.000000] Linux version 6.12.17-amd64 "
               "(debian-kernel@lists.debian.org)\n"
               KLOG_612_E820 KLOG_612_REST);
    tree_write(root, "proc/iomem",
               IOMEM_Q35_BELOW_4G
               "100000000-13fffffff : Soft Reserved\n"
               "380000000000-3807ffffffff : PCI Bus 0000:00\n");

    srat_begin(&b);
    srat_add_mem(&b, 0, 0x0, 0xa0000, 0x1);
    srat_add_mem(&b, 0, 0x100000, 0x7ff00000, 0x1);
    srat_add_mem(&b, 1, 0x100000000ull, 0x40000000, 0x1);
    srat_finish(&b);
    tree_write_bin(root, "sys/firmware/acpi/tables/SRAT", b.buf, b.len);

    tree_mkdir(root, "sys/bus/dax/drivers/device_dax");
    tree_mkdir(root, "sys/bus/dax/drivers/kmem");
    add_hmem_dax(root, "hmem.0", "dax0.0", "0x100000000", "0x13fffffff",
                 "1073741824", "1", "0", NULL);
    add_q35_nodes(root, 2);
}

/*
 * A Debian Linux 7.2 guest with SPM of 512 MiB on node 1 and 256 MiB on
 * node 2: no "Soft Reserved" in /proc/iomem, the hmem devices below
 * hmem_platform.0, the 7.2 E820 log (two spaces, gaps, other type names).
 */
static void build_72(const char *root)
{
    static const struct fw_range spm[] = {
        { "0x100000000", "0x11fffffff" },
        { "0x120000000", "0x12fffffff" },
    };
    struct srat_builder b;

    tree_write(root, "proc/sys/kernel/osrelease", "7.2.13+deb14-amd64\n");
    add_memmap(root, spm, ARRAY_SIZE(spm));
    tree_write(root, "klog",
        "<5>[    0.000000] Linux version 7.2.13+deb14-amd64 "
        "(debian-kernel@lists.debian.org)\n"
        "<6>[    0.000000] BIOS-provided physical RAM map:\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff]  System RAM\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff]  device reserved\n"
        "<6>[    0.000000] BIOS-e820: [gap 0x00000000000a0000-0x00000000000effff]\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff]  device reserved\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007ffdffff]  System RAM\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x000000007ffe0000-0x000000007fffffff]  device reserved\n"
        "<6>[    0.000000] BIOS-e820: [gap 0x0000000080000000-0x00000000afffffff]\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x00000000b0000000-0x00000000bfffffff]  device reserved\n"
        "<6>[    0.000000] BIOS-e820: [gap 0x00000000c0000000-0x00000000fed1bfff]\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff]  device reserved\n"
        "<6>[    0.000000] BIOS-e820: [gap 0x00000000fed20000-0x00000000feffbfff]\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff]  device reserved\n"
        "<6>[    0.000000] BIOS-e820: [gap 0x00000000ff000000-0x00000000fffbffff]\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff]  device reserved\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000011fffffff]  soft reserved\n"
        "<6>[    0.000000] BIOS-e820: [mem 0x0000000120000000-0x000000012fffffff]  soft reserved\n"
        "<6>[    0.000000] BIOS-e820: [gap 0x0000000130000000-0x000000fcffffffff]\n"
        "<6>[    0.000000] e820: update [mem 0x00000000-0x00000fff] System RAM ==> device reserved\n"
        "<6>[    0.000000] e820: remove [mem 0x000a0000-0x000fffff] System RAM\n"
        "<6>[    0.008721] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]\n"
        "<6>[    0.008722] ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x7fffffff]\n"
        "<6>[    0.008723] ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x11fffffff]\n"
        "<6>[    0.008724] ACPI: SRAT: Node 2 PXM 2 [mem 0x120000000-0x12fffffff]\n"
        "<6>[    0.008801] SRAT: PXM 0 -> APIC 0x00 -> Node 0\n");
    tree_write(root, "proc/iomem",
               IOMEM_Q35_BELOW_4G
               "380000000000-3807ffffffff : PCI Bus 0000:00\n");

    srat_begin(&b);
    srat_add_mem(&b, 0, 0x0, 0xa0000, 0x1);
    srat_add_mem(&b, 0, 0x100000, 0x7ff00000, 0x1);
    srat_add_mem(&b, 1, 0x100000000ull, 0x20000000, 0x1);
    srat_add_mem(&b, 2, 0x120000000ull, 0x10000000, 0x1);
    srat_finish(&b);
    tree_write_bin(root, "sys/firmware/acpi/tables/SRAT", b.buf, b.len);

    tree_mkdir(root, "sys/bus/dax/drivers/device_dax");
    tree_mkdir(root, "sys/bus/dax/drivers/kmem");
    add_hmem_dax(root, "hmem_platform.0/hmem.0", "dax0.0", "0x100000000",
                 "0x11fffffff", "536870912", "1", "0", "device_dax");
    add_hmem_dax(root, "hmem_platform.0/hmem.1", "dax1.0", "0x120000000",
                 "0x12fffffff", "268435456", "2", "1", "device_dax");
    add_q35_nodes(root, 3);
}

/* build_612() on a kernel without CONFIG_FIRMWARE_MEMMAP: the log only. */
static void build_no_memmap(const char *root)
{
    build_612(root);
    tree_remove(xasprintf("%s/sys/firmware/memmap", root));
}

/* Neither /sys/firmware/memmap nor BIOS-e820 lines (but other e820 ones). */
static void build_no_fwmap(const char *root)
{
    build_no_memmap(root);
    tree_write(root, "klog",
               "<5>[    0.000000] Linux version 6.12.17-amd64\n"
               KLOG_612_REST);
}

/* Run @argv with stdout to @out_path; returns the exit status or -1. */
static int run(char *const argv[], const char *out_path)
{
    pid_t pid;
    int status;

    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        if (!freopen(out_path, "w", stdout)) {
            _exit(127);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *slurp(const char *path)
{
    size_t len;
    char *buf;

    return read_file(path, 1u << 20, &buf, &len) < 0 ? NULL : buf;
}

/* The expected files start with an SPDX comment line, not in the report. */
static const char *skip_license(const char *text)
{
    if (!strncmp(text, "# SPDX-License-Identifier:", 26)) {
        text += strcspn(text, "\n");
        text += *text == '\n';
    }
    return text;
}

/* Compare line by line, printing the first difference. */
static bool same_report(const char *got, const char *want)
{
    unsigned line = 1;

    while (*got || *want) {
        size_t lg = strcspn(got, "\n"), lw = strcspn(want, "\n");

        if (lg != lw || strncmp(got, want, lg) != 0) {
            printf("   line %u differs:\n   got:  %.*s\n   want: %.*s\n",
                   line, (int)lg, got, (int)lw, want);
            return false;
        }
        got += lg + (got[lg] == '\n');
        want += lw + (want[lw] == '\n');
        line++;
    }
    return true;
}

/* Run @probe on a tree made by @build, with option @extra unless NULL. */
static void check_report(const char *probe, const char *data,
                         void (*build)(const char *), const char *extra,
                         const char *expected)
{
    char *root = tree_new();
    char *out = xasprintf("%s/report.out", root);
    char *want_path = xasprintf("%s/%s", data, expected);
    char *argv[] = { (char *)probe, (char *)"--root", root, (char *)extra,
                     NULL };
    char *got, *want;
    int status;

    build(root);
    status = run(argv, out);
    CHECK(status == 0, "%s: exit status 0 (got %d)", expected, status);
    got = slurp(out);
    want = slurp(want_path);
    CHECK(got && want && same_report(got, skip_license(want)),
          "%s: report matches %s", expected, want_path);
    if (got && want && strcmp(got, skip_license(want)) &&
        getenv("SPM_PROBE_SHOW")) {
        fputs(got, stdout);
    }
    free(got);
    free(want);
    free(want_path);
    free(out);
    tree_remove(root);
}

int main(int argc, char **argv)
{
    char *tmp;

    if (argc != 3) {
        fprintf(stderr, "usage: %s SPM_PROBE DATA_DIR\n", argv[0]);
        return 99;
    }

    printf("# a healthy guest\n");
    check_report(argv[1], argv[2], build_good, NULL, "e2e-good.expected");
    printf("# --online: the phases and their records in order\n");
    check_report(argv[1], argv[2], build_online, "--online",
                 "e2e-online.expected");
    printf("# a damaged tree: errors reported, escaping, exit status 0\n");
    check_report(argv[1], argv[2], build_broken, NULL,
                 "e2e-broken.expected");
    printf("# Linux 6.12: Soft Reserved in memmap, e820, iomem and dax\n");
    check_report(argv[1], argv[2], build_612, NULL, "e2e-612.expected");
    printf("# Linux 7.2: no Soft Reserved in iomem, hmem_platform\n");
    check_report(argv[1], argv[2], build_72, NULL, "e2e-72.expected");
    printf("# no /sys/firmware/memmap: the e820 lines of the log\n");
    check_report(argv[1], argv[2], build_no_memmap, NULL,
                 "e2e-no-memmap.expected");
    printf("# no firmware memory map at all: an error\n");
    check_report(argv[1], argv[2], build_no_fwmap, NULL,
                 "e2e-no-fwmap.expected");

    printf("# usage errors exit with 1\n");
    tmp = tree_new();
    {
        char *out = xasprintf("%s/out", tmp);
        char *bad1[] = { argv[1], (char *)"--bogus", NULL };
        char *bad2[] = { argv[1], (char *)"--root", NULL };
        char *bad3[] = { argv[1], (char *)"extra", NULL };
        char *bad4[] = { argv[1], (char *)"--online=", NULL };
        char *bad5[] = { argv[1], (char *)"--pattern=check",
                         (char *)"--online", NULL };
        char *bad6[] = { argv[1], (char *)"--pattern=write:1x", NULL };
        char *bad7[] = { argv[1], (char *)"--pattern=erase", NULL };
        char *help[] = { argv[1], (char *)"--help", NULL };
        char *report;

        CHECK(run(bad1, out) == 1, "--bogus exits 1");
        report = slurp(out);
        CHECK(report && report[0] == '\0', "and prints no report");
        free(report);
        CHECK(run(bad2, out) == 1, "--root without DIR exits 1");
        CHECK(run(bad3, out) == 1, "a positional argument exits 1");
        CHECK(run(bad4, out) == 1, "--online= with an empty path exits 1");
        CHECK(run(bad5, out) == 1, "--pattern with --online exits 1");
        report = slurp(out);
        CHECK(report && report[0] == '\0', "and prints no report");
        free(report);
        CHECK(run(bad6, out) == 1, "--pattern with a bad SEED exits 1");
        CHECK(run(bad7, out) == 1, "--pattern with an unknown mode exits 1");
        CHECK(run(help, out) == 0, "--help exits 0");
        free(out);
    }
    tree_remove(tmp);
    return test_done();
}
