/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: dax device and NUMA node readers on a fake tree
 */
#include <stdlib.h>
#include <string.h>

#include "dax.h"
#include "node.h"
#include "report.h"
#include "testutil.h"

static void add_dax(const char *root, const char *name, const char *resource,
                    const char *size, const char *target_node,
                    const char *driver)
{
    char rel[256];

    /* In sysfs, the bus entries are symlinks to the device directories. */
    snprintf(rel, sizeof(rel), "sys/devices/platform/hmem/%s/resource", name);
    tree_write(root, rel, resource);
    snprintf(rel, sizeof(rel), "sys/devices/platform/hmem/%s/size", name);
    tree_write(root, rel, size);
    if (target_node) {
        snprintf(rel, sizeof(rel), "sys/devices/platform/hmem/%s/target_node",
                 name);
        tree_write(root, rel, target_node);
    }
    if (driver) {
        char target[128];

        snprintf(rel, sizeof(rel), "sys/devices/platform/hmem/%s/driver",
                 name);
        snprintf(target, sizeof(target), "../../../../bus/dax/drivers/%s",
                 driver);
        tree_symlink(root, rel, target);
    }
    snprintf(rel, sizeof(rel), "sys/bus/dax/devices/%s", name);
    {
        char target[128];

        snprintf(target, sizeof(target), "../../../devices/platform/hmem/%s",
                 name);
        tree_symlink(root, rel, target);
    }
}

static void check_dax(const struct dax_list *dl, size_t i, const char *name,
                      uint64_t start, uint64_t size, int64_t node,
                      const char *driver)
{
    if (!CHECK(i < dl->n, "device %zu exists", i)) {
        return;
    }
    CHECK_STR(dl->items[i].name, name, "name");
    CHECK_U64(dl->items[i].start, start, "start");
    CHECK_U64(dl->items[i].size, size, "size");
    CHECK(dl->items[i].target_node == node, "target_node %lld (got %lld)",
          (long long)node, (long long)dl->items[i].target_node);
    CHECK_STR(dl->items[i].driver, driver, "driver");
}

static void test_dax(void)
{
    char *root = tree_new();
    struct dax_list dl;
    struct errlist err;

    printf("# no dax bus: no devices, no error\n");
    dax_list_init(&dl);
    errlist_init(&err);
    dax_read(root, &dl, &err);
    check_nerr(&err, 0, "no /sys/bus/dax");
    CHECK(dl.n == 0, "no devices");

    printf("# fake dax devices\n");
    tree_mkdir(root, "sys/bus/dax/drivers/device_dax");
    tree_mkdir(root, "sys/bus/dax/drivers/kmem");
    add_dax(root, "dax10.0", "0x300000000\n", "268435456\n", "3\n", NULL);
    add_dax(root, "dax0.0", "0x100000000\n", "1073741824\n", "1\n",
            "device_dax");
    add_dax(root, "dax2.0", "0x200000000\n", "536870912\n", "2\n", "kmem");
    add_dax(root, "dax3.0", "0\n", "0\n", "-1\n", NULL);
    add_dax(root, "dax4.0", "0x400000000\n", "12x\n", "1\n", NULL);
    add_dax(root, "dax5.0", "0x500000000\n", "4096\n", NULL, NULL);
    dax_read(root, &dl, &err);
    check_nerr(&err, 2, "broken devices");
    CHECK(err_contains(&err, "dax: /sys/bus/dax/devices/dax4.0/size: cannot "
                       "parse \"12x\""), "garbled size reported");
    CHECK(err_contains(&err, "dax: /sys/bus/dax/devices/dax5.0/target_node: "
                       "No such file"), "missing target_node reported");
    CHECK(dl.n == 4, "4 good devices (got %zu)", dl.n);
    check_dax(&dl, 0, "dax0.0", 0x100000000ull, 0x40000000, 1, "device_dax");
    check_dax(&dl, 1, "dax2.0", 0x200000000ull, 0x20000000, 2, "kmem");
    check_dax(&dl, 2, "dax3.0", 0, 0, -1, "none");
    check_dax(&dl, 3, "dax10.0", 0x300000000ull, 0x10000000, 3, "none");
    dax_list_free(&dl);
    errlist_free(&err);
    tree_remove(root);
}

/*
 * Device @name in sysfs directory @devdir (below sys/devices/platform),
 * bound to no driver.
 */
static void add_dax_at(const char *root, const char *devdir,
                       const char *name, const char *resource,
                       const char *size)
{
    char rel[256], target[256];

    snprintf(rel, sizeof(rel), "sys/devices/platform/%s/%s/resource", devdir,
             name);
    tree_write(root, rel, resource);
    snprintf(rel, sizeof(rel), "sys/devices/platform/%s/%s/size", devdir,
             name);
    tree_write(root, rel, size);
    snprintf(rel, sizeof(rel), "sys/devices/platform/%s/%s/target_node",
             devdir, name);
    tree_write(root, rel, "1\n");
    snprintf(rel, sizeof(rel), "sys/bus/dax/devices/%s", name);
    snprintf(target, sizeof(target), "../../../devices/platform/%s/%s",
             devdir, name);
    tree_symlink(root, rel, target);
}

/* The dax_region attributes of @devdir; NULL @id or @size: no file. */
static void add_region(const char *root, const char *devdir, const char *id,
                       const char *size)
{
    static const char *const other[][2] = {
        { "align", "2097152\n" }, { "available_size", "0\n" },
        { "create", "dax0.1\n" }, { "seed", "dax0.1\n" }, { "delete", "" },
    };
    char rel[256];

    snprintf(rel, sizeof(rel), "sys/devices/platform/%s/dax_region", devdir);
    tree_mkdir(root, rel);
    if (id) {
        snprintf(rel, sizeof(rel), "sys/devices/platform/%s/dax_region/id",
                 devdir);
        tree_write(root, rel, id);
    }
    if (size) {
        snprintf(rel, sizeof(rel), "sys/devices/platform/%s/dax_region/size",
                 devdir);
        tree_write(root, rel, size);
    }
    for (size_t i = 0; i < ARRAY_SIZE(other); i++) {
        snprintf(rel, sizeof(rel), "sys/devices/platform/%s/dax_region/%s",
                 devdir, other[i][0]);
        tree_write(root, rel, other[i][1]);
    }
}

static void check_region(const struct dax_list *dl, size_t i,
                         const char *name, int64_t id, uint64_t size,
                         const char *provider)
{
    if (!CHECK(i < dl->n, "device %zu exists", i)) {
        return;
    }
    CHECK_STR(dl->items[i].name, name, "name");
    CHECK(dl->items[i].region_id == id, "%s: region %lld (got %lld)", name,
          (long long)id, (long long)dl->items[i].region_id);
    CHECK_U64(dl->items[i].region_size, size, "region size");
    CHECK_STR(dl->items[i].provider, provider, "provider");
}

static void test_dax_region(void)
{
    char *root = tree_new();
    struct dax_list dl;
    struct errlist err;
    char *out = NULL;
    size_t len = 0;
    FILE *f;

    printf("# dax regions: the 6.12 and 7.2 layouts, other providers\n");
    tree_mkdir(root, "sys/bus/dax/drivers/device_dax");
    /* Linux 6.12: the hmem device right below platform. */
    add_dax_at(root, "hmem.0", "dax0.0", "0x100000000\n", "1073741824\n");
    add_region(root, "hmem.0", "0\n", "1073741824\n");
    /* Linux 7.2: below hmem_platform.0; a region with two devices. */
    add_dax_at(root, "hmem_platform.0/hmem.1", "dax1.0", "0x140000000\n",
               "268435456\n");
    add_dax_at(root, "hmem_platform.0/hmem.1", "dax1.1", "0x150000000\n",
               "268435456\n");
    add_region(root, "hmem_platform.0/hmem.1", "1\n", "536870912\n");
    /* A provider without a region directory: no region, no error. */
    add_dax_at(root, "other.0", "dax2.0", "0x200000000\n", "4096\n");
    /* A bus entry that is a directory, not a link. */
    tree_write(root, "sys/bus/dax/devices/dax3.0/resource", "0x300000000\n");
    tree_write(root, "sys/bus/dax/devices/dax3.0/size", "4096\n");
    tree_write(root, "sys/bus/dax/devices/dax3.0/target_node", "-1\n");
    /* Regions that exist but are broken. */
    add_dax_at(root, "hmem.4", "dax4.0", "0x400000000\n", "4096\n");
    add_region(root, "hmem.4", "four\n", "4096\n");
    add_dax_at(root, "hmem.5", "dax5.0", "0x500000000\n", "4096\n");
    add_region(root, "hmem.5", "5\n", NULL);
    add_dax_at(root, "hmem.6", "dax6.0", "0x600000000\n", "4096\n");
    add_region(root, "hmem.6", "-6\n", "4k\n");
    add_dax_at(root, "hmem.7", "dax7.0", "0x700000000\n", "4096\n");
    tree_write(root, "sys/devices/platform/hmem.7/dax_region", "a file\n");

    dax_list_init(&dl);
    errlist_init(&err);
    dax_read(root, &dl, &err);
    check_nerr(&err, 5, "broken regions");
    CHECK(err_contains(&err, "dax: /sys/devices/platform/hmem.4/dax_region/"
                       "id: cannot parse \"four\""), "garbled id reported");
    CHECK(err_contains(&err, "dax: /sys/devices/platform/hmem.5/dax_region/"
                       "size: No such file"), "missing size reported");
    CHECK(err_contains(&err, "dax: /sys/devices/platform/hmem.6/dax_region/"
                       "id: cannot parse \"-6\""), "negative id reported");
    CHECK(err_contains(&err, "dax: /sys/devices/platform/hmem.6/dax_region/"
                       "size: cannot parse \"4k\""), "garbled size reported");
    CHECK(err_contains(&err, "dax: /sys/devices/platform/hmem.7/dax_region: "
                       "not a directory"), "region file reported");
    CHECK(dl.n == 9, "every device kept (got %zu)", dl.n);
    check_region(&dl, 0, "dax0.0", 0, 0x40000000, "hmem.0");
    check_region(&dl, 1, "dax1.0", 1, 0x20000000, "hmem.1");
    check_region(&dl, 2, "dax1.1", 1, 0x20000000, "hmem.1");
    check_region(&dl, 3, "dax2.0", -1, 0, "none");
    check_region(&dl, 4, "dax3.0", -1, 0, "none");
    check_region(&dl, 5, "dax4.0", -1, 0, "none");
    check_region(&dl, 6, "dax5.0", -1, 0, "none");
    check_region(&dl, 7, "dax6.0", -1, 0, "none");
    check_region(&dl, 8, "dax7.0", -1, 0, "none");

    printf("# dax report lines\n");
    f = open_memstream(&out, &len);
    if (CHECK(f != NULL, "open_memstream")) {
        struct dax_list first4 = { dl.items, 4, 4 };

        report_dax(f, &first4);
        fclose(f);
        CHECK_STR(out,
                  "dax name=dax0.0 start=0x100000000 size=0x40000000 "
                  "target_node=1 driver=none region=0 provider=hmem.0\n"
                  "dax name=dax1.0 start=0x140000000 size=0x10000000 "
                  "target_node=1 driver=none region=1 provider=hmem.1\n"
                  "dax name=dax1.1 start=0x150000000 size=0x10000000 "
                  "target_node=1 driver=none region=1 provider=hmem.1\n"
                  "dax name=dax2.0 start=0x200000000 size=0x1000 "
                  "target_node=1 driver=none region=-1 provider=none\n",
                  "report_dax");
        free(out);
    }
    dax_list_free(&dl);
    errlist_free(&err);
    tree_remove(root);
}

static void test_node(void)
{
    char *root = tree_new();
    struct node_list nl;
    struct errlist err;
    uint64_t kb = 0;

    printf("# meminfo parsing\n");
    CHECK(node_parse_meminfo("Node 1 MemTotal:        1048576 kB\n"
                             "Node 1 MemFree:          1000000 kB\n", 1, &kb)
          && kb == 1048576, "Node 1 MemTotal 1048576 kB (got %llu)",
          (unsigned long long)kb);
    CHECK(!node_parse_meminfo("Node 1 MemTotal:  1048576 kB\n", 2, &kb),
          "line for another node is not taken");
    CHECK(!node_parse_meminfo("Node 1 MemTotal:  lots kB\n", 1, &kb),
          "non-numeric value rejected");
    CHECK(!node_parse_meminfo("Node 1 MemTotal:  12 MB\n", 1, &kb),
          "unit other than kB rejected");
    CHECK(!node_parse_meminfo("Node 1 MemTotal:  99999999999999999999999 kB",
                              1, &kb), "overflow rejected");
    CHECK(!node_parse_meminfo("", 0, &kb), "empty meminfo");

    printf("# fake nodes\n");
    node_list_init(&nl);
    errlist_init(&err);
    node_read(root, &nl, &err);
    check_nerr(&err, 1, "no node directory");

    errlist_free(&err);
    tree_write(root, "sys/devices/system/node/node0/meminfo",
               "Node 0 MemTotal:        2031464 kB\n"
               "Node 0 MemFree:         1900000 kB\n");
    tree_write(root, "sys/devices/system/node/node10/meminfo",
               "Node 10 MemFree:              0 kB\n"
               "Node 10 MemTotal:       1048576 kB\n");
    tree_write(root, "sys/devices/system/node/node2/meminfo",
               "Node 2 MemTotal:              0 kB\n");
    tree_write(root, "sys/devices/system/node/node3/meminfo",
               "Node 3 MemTotal: garbage\n");
    tree_mkdir(root, "sys/devices/system/node/node4");
    tree_write(root, "sys/devices/system/node/possible", "0-10\n");
    tree_mkdir(root, "sys/devices/system/node/nodeX");
    node_read(root, &nl, &err);
    check_nerr(&err, 2, "broken nodes");
    CHECK(err_contains(&err, "node: /sys/devices/system/node/node3/meminfo: "
                       "no valid \"Node 3 MemTotal:\" line"),
          "garbled meminfo reported");
    CHECK(err_contains(&err, "node: /sys/devices/system/node/node4/meminfo: "
                       "No such file"), "missing meminfo reported");
    CHECK(nl.n == 3, "3 nodes (got %zu)", nl.n);
    if (nl.n == 3) {
        CHECK(nl.items[0].node == 0 && nl.items[0].memtotal_kb == 2031464,
              "node 0: 2031464 kB");
        CHECK(nl.items[1].node == 2 && nl.items[1].memtotal_kb == 0,
              "node 2: 0 kB");
        CHECK(nl.items[2].node == 10 && nl.items[2].memtotal_kb == 1048576,
              "node 10: 1048576 kB (sorted numerically)");
    }
    node_list_free(&nl);
    errlist_free(&err);
    tree_remove(root);
}

static void check_range(const struct node_range_list *rl, size_t i,
                        uint32_t node, uint64_t start, uint64_t end,
                        const char *state)
{
    if (!CHECK(i < rl->n, "range %zu exists", i)) {
        return;
    }
    CHECK(rl->items[i].node == node, "range %zu: node %u (got %u)", i,
          (unsigned)node, (unsigned)rl->items[i].node);
    CHECK_U64(rl->items[i].start, start, "start");
    CHECK_U64(rl->items[i].end, end, "end");
    CHECK_STR(rl->items[i].state, state, "state");
}

/* Link memory block @block into node @node, with @state (NULL: no file). */
static void add_block(const char *root, unsigned node, const char *block,
                      const char *state)
{
    char rel[128], target[64];

    snprintf(rel, sizeof(rel), "sys/devices/system/node/node%u/%s", node,
             block);
    snprintf(target, sizeof(target), "../../memory/%s", block);
    tree_symlink(root, rel, target);
    if (state) {
        snprintf(rel, sizeof(rel), "sys/devices/system/memory/%s/state",
                 block);
        tree_write(root, rel, state);
    }
}

static void test_node_range_merge(void)
{
    struct node_range_list rl;
    char *out = NULL;
    size_t len = 0;
    FILE *f;

    printf("# node_range_add and node_range_sort\n");
    node_range_list_init(&rl);
    CHECK(node_range_add(&rl, 1, 3, 0x1000, "online"), "block 3 added");
    CHECK(node_range_add(&rl, 1, 4, 0x1000, "online"), "block 4 added");
    CHECK(rl.n == 1, "block 4 merged into block 3 (got %zu ranges)", rl.n);
    CHECK(node_range_add(&rl, 1, 5, 0x1000, "offline"), "block 5 added");
    CHECK(node_range_add(&rl, 0, 6, 0x1000, "offline"), "block 6 added");
    CHECK(node_range_add(&rl, 1, 1, 0x1000, "online"), "block 1 added");
    CHECK(node_range_add(&rl, 1, 2, 0x1000, "online"), "block 2 added");
    CHECK(node_range_add(&rl, 0, 8, 0x1000, "offline"), "block 8 added");
    CHECK(rl.n == 5, "5 ranges before sorting (got %zu)", rl.n);
    node_range_sort(&rl);
    CHECK(rl.n == 4, "4 ranges after sorting (got %zu)", rl.n);
    check_range(&rl, 0, 0, 0x6000, 0x6fff, "offline");
    check_range(&rl, 1, 0, 0x8000, 0x8fff, "offline");
    check_range(&rl, 2, 1, 0x1000, 0x4fff, "online");
    check_range(&rl, 3, 1, 0x5000, 0x5fff, "offline");

    printf("# overflow of block * block size\n");
    CHECK(!node_range_add(&rl, 2, 1, 0, "online"), "block size 0 refused");
    CHECK(node_range_add(&rl, 2, 0x0fffffffffffffffull, 0x10, "online"),
          "last block of the address space added");
    CHECK(!node_range_add(&rl, 2, 0x1000000000000000ull, 0x10, "online"),
          "block past the address space refused");
    CHECK(!node_range_add(&rl, 2, UINT64_MAX, 0x8000000, "online"),
          "huge block number refused");
    node_range_sort(&rl);
    CHECK(rl.n == 5, "5 ranges (got %zu)", rl.n);
    check_range(&rl, 4, 2, 0xfffffffffffffff0ull, UINT64_MAX, "online");

    printf("# report lines\n");
    CHECK(node_range_add(&rl, 3, 0, 0x8000000, "weird \"state\""),
          "block with an odd state added");
    f = open_memstream(&out, &len);
    if (CHECK(f != NULL, "open_memstream")) {
        report_node_ranges(f, "boot", &rl);
        fclose(f);
        CHECK_STR(out,
                  "noderange phase=boot node=0 start=0x6000 end=0x6fff "
                  "state=offline\n"
                  "noderange phase=boot node=0 start=0x8000 end=0x8fff "
                  "state=offline\n"
                  "noderange phase=boot node=1 start=0x1000 end=0x4fff "
                  "state=online\n"
                  "noderange phase=boot node=1 start=0x5000 end=0x5fff "
                  "state=offline\n"
                  "noderange phase=boot node=2 start=0xfffffffffffffff0 "
                  "end=0xffffffffffffffff state=online\n"
                  "noderange phase=boot node=3 start=0x0 end=0x7ffffff "
                  "state=weird??state?\n", "report_node_ranges");
        free(out);
    }
    node_range_list_free(&rl);
    CHECK(rl.n == 0 && rl.items == NULL, "list freed");
}

static void test_node_ranges(void)
{
    char *root = tree_new();
    struct node_range_list rl;
    struct errlist err;

    printf("# node ranges: block size missing or garbled\n");
    add_block(root, 0, "memory0", "online\n");
    add_block(root, 0, "memory1", "online\n");
    node_range_list_init(&rl);
    errlist_init(&err);
    node_ranges_read(root, &rl, &err);
    check_nerr(&err, 1, "no block_size_bytes");
    CHECK(err_contains(&err, "noderange: /sys/devices/system/memory/"
                       "block_size_bytes: No such file"),
          "missing block size reported");
    CHECK(rl.n == 0, "no ranges (got %zu)", rl.n);
    errlist_free(&err);

    tree_write(root, "sys/devices/system/memory/block_size_bytes",
               "8000000x\n");
    node_ranges_read(root, &rl, &err);
    check_nerr(&err, 1, "garbled block_size_bytes");
    CHECK(err_contains(&err, "noderange: /sys/devices/system/memory/"
                       "block_size_bytes: cannot parse \"8000000x\""),
          "garbled block size reported");
    CHECK(rl.n == 0, "no ranges (got %zu)", rl.n);
    errlist_free(&err);

    tree_write(root, "sys/devices/system/memory/block_size_bytes", "0\n");
    node_ranges_read(root, &rl, &err);
    check_nerr(&err, 1, "zero block_size_bytes");
    CHECK(err_contains(&err, "block_size_bytes: cannot parse \"0\""),
          "zero block size reported");
    CHECK(rl.n == 0, "no ranges (got %zu)", rl.n);
    errlist_free(&err);

    printf("# node ranges: merging, states, gaps, odd entries\n");
    tree_write(root, "sys/devices/system/memory/block_size_bytes",
               "8000000\n");
    /* Node 0: blocks 0-3 online, 4 offline, 5 online, 7 online. */
    add_block(root, 0, "memory2", "online\n");
    add_block(root, 0, "memory3", "online\n");
    add_block(root, 0, "memory4", "offline\n");
    add_block(root, 0, "memory5", "online\n");
    add_block(root, 0, "memory7", "online\n");
    tree_write(root, "sys/devices/system/node/node0/meminfo", "");
    tree_mkdir(root, "sys/devices/system/node/node0/cpu0");
    tree_mkdir(root, "sys/devices/system/node/node0/memory_side_cache");
    tree_write(root, "sys/devices/system/node/node0/memory", "");
    tree_write(root, "sys/devices/system/node/node0/memoryX", "");
    tree_write(root, "sys/devices/system/node/node0/memory6x", "");
    tree_write(root, "sys/devices/system/node/node0/memory-6", "");
    /* Node 1: 32-35 online, 36-37 going-offline, 38-39 unknown. */
    for (unsigned b = 32; b <= 37; b++) {
        char name[32];

        snprintf(name, sizeof(name), "memory%u", b);
        add_block(root, 1, name, b < 36 ? "online\n" : "going-offline\n");
    }
    add_block(root, 1, "memory38", NULL);
    add_block(root, 1, "memory39", NULL);
    tree_mkdir(root, "sys/devices/system/memory/memory39/state");
    /* Node 2: no memory. */
    tree_write(root, "sys/devices/system/node/node2/meminfo", "");
    /* Node 10: the last block of the address space, and two past it. */
    add_block(root, 10, "memory137438953471", "online\n");
    add_block(root, 10, "memory137438953472", "online\n");
    add_block(root, 10, "memory99999999999999999999999", "online\n");
    /* Not nodes. */
    tree_symlink(root, "sys/devices/system/node/nodeX/memory9",
                 "../../memory/memory9");
    tree_write(root, "sys/devices/system/memory/memory9/state", "online\n");
    tree_write(root, "sys/devices/system/node/possible", "0-10\n");

    node_ranges_read(root, &rl, &err);
    check_nerr(&err, 3, "memory blocks");
    CHECK(err_contains(&err, "noderange: /sys/devices/system/memory/"
                       "memory39/state: Is a directory"),
          "unreadable state reported");
    CHECK(err_contains(&err, "noderange: /sys/devices/system/node/node10/"
                       "memory137438953472: block beyond the 64-bit address "
                       "space (block size 0x8000000)"),
          "block past the address space reported");
    CHECK(err_contains(&err, "noderange: /sys/devices/system/node/node10/"
                       "memory99999999999999999999999: block beyond"),
          "unparsable block number reported");
    CHECK(rl.n == 8, "8 ranges (got %zu)", rl.n);
    check_range(&rl, 0, 0, 0x0, 0x1fffffff, "online");
    check_range(&rl, 1, 0, 0x20000000, 0x27ffffff, "offline");
    check_range(&rl, 2, 0, 0x28000000, 0x2fffffff, "online");
    check_range(&rl, 3, 0, 0x38000000, 0x3fffffff, "online");
    check_range(&rl, 4, 1, 0x100000000ull, 0x11fffffffull, "online");
    check_range(&rl, 5, 1, 0x120000000ull, 0x12fffffffull, "going-offline");
    check_range(&rl, 6, 1, 0x130000000ull, 0x13fffffffull, "unknown");
    check_range(&rl, 7, 10, 0xfffffffff8000000ull, UINT64_MAX, "online");
    node_range_list_free(&rl);
    errlist_free(&err);

    printf("# node ranges: no node directory\n");
    {
        char *dir = xasprintf("%s/sys/devices/system/node", root);
        char *tmp = xasprintf("%s/sys/devices/system/node-moved", root);

        CHECK(rename(dir, tmp) == 0, "node directory moved away");
        node_ranges_read(root, &rl, &err);
        check_nerr(&err, 0, "no node directory (node_read reports it)");
        CHECK(rl.n == 0, "no ranges (got %zu)", rl.n);
        CHECK(rename(tmp, dir) == 0, "node directory moved back");
        free(dir);
        free(tmp);
    }
    node_range_list_free(&rl);
    errlist_free(&err);
    tree_remove(root);
}

int main(void)
{
    test_dax();
    test_dax_region();
    test_node();
    test_node_range_merge();
    test_node_ranges();
    return test_done();
}
