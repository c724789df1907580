/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: dax device and NUMA node readers on a fake tree
 */
#include <stdlib.h>
#include <string.h>

#include "dax.h"
#include "node.h"
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
    CHECK_STR(dl->d[i].name, name, "name");
    CHECK_U64(dl->d[i].start, start, "start");
    CHECK_U64(dl->d[i].size, size, "size");
    CHECK(dl->d[i].target_node == node, "target_node %lld (got %lld)",
          (long long)node, (long long)dl->d[i].target_node);
    CHECK_STR(dl->d[i].driver, driver, "driver");
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
    CHECK(nl.count == 3, "3 nodes (got %zu)", nl.count);
    if (nl.count == 3) {
        CHECK(nl.n[0].node == 0 && nl.n[0].memtotal_kb == 2031464,
              "node 0: 2031464 kB");
        CHECK(nl.n[1].node == 2 && nl.n[1].memtotal_kb == 0,
              "node 2: 0 kB");
        CHECK(nl.n[2].node == 10 && nl.n[2].memtotal_kb == 1048576,
              "node 10: 1048576 kB (sorted numerically)");
    }
    node_list_free(&nl);
    errlist_free(&err);
    tree_remove(root);
}

int main(void)
{
    test_dax();
    test_node();
    return test_done();
}
