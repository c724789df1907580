/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: kmem binding and memory block onlining on a fake tree
 *
 * A fake tree does not react to writes, so the tests check what was
 * written and how results are judged from the tree's (static) state.
 */
#include <stdlib.h>
#include <string.h>

#include "online.h"
#include "testutil.h"

static void add_block(const char *root, unsigned n, const char *state)
{
    char rel[128];

    snprintf(rel, sizeof(rel), "sys/devices/system/memory/memory%u/state", n);
    tree_write(root, rel, state);
}

static void add_dev(struct dax_list *dl, const char *name, uint64_t start,
                    uint64_t size)
{
    struct dax_dev *d = dax_list_push(dl);

    d->name = xstrdup(name);
    d->start = start;
    d->size = size;
    d->target_node = 1;
    d->driver = xstrdup("none");
    d->region_id = -1;
    d->region_size = 0;
    d->provider = xstrdup("none");
}

static void check_file(const char *root, const char *rel, const char *want)
{
    char *got = tree_read(root, rel);

    CHECK_STR(got, want, rel);
    free(got);
}

int main(void)
{
    char *root = tree_new();
    struct online_list ol;
    struct dax_list dl;
    char *e;

    /* 128 MiB blocks; dax0.0 (kmem) spans blocks 32..39, 38 is offline. */
    tree_write(root, "sys/devices/system/memory/block_size_bytes",
               "8000000\n");
    for (unsigned b = 31; b <= 40; b++) {
        add_block(root, b, b == 34 || b == 38 || b == 31 || b == 40 ?
                  "offline\n" : "online\n");
    }
    tree_mkdir(root, "sys/bus/dax/drivers/kmem");
    tree_mkdir(root, "sys/bus/dax/drivers/device_dax");
    tree_write(root, "sys/bus/dax/drivers/kmem/new_id", "");
    tree_write(root, "sys/bus/dax/drivers/kmem/bind", "");
    tree_mkdir(root, "sys/devices/dax0.0");
    tree_symlink(root, "sys/devices/dax0.0/driver",
                 "../../bus/dax/drivers/kmem");
    tree_symlink(root, "sys/bus/dax/devices/dax0.0", "../../../devices/dax0.0");
    tree_mkdir(root, "sys/devices/dax1.0");
    tree_symlink(root, "sys/devices/dax1.0/driver",
                 "../../bus/dax/drivers/device_dax");
    tree_write(root, "sys/bus/dax/drivers/device_dax/unbind", "");
    tree_symlink(root, "sys/bus/dax/devices/dax1.0", "../../../devices/dax1.0");

    printf("# online_memory: only offline blocks inside the range\n");
    e = online_memory(root, 0x100000000ull, 0x40000000);
    CHECK(e == NULL, "no error (%s)", e ? e : "none");
    free(e);
    check_file(root, "sys/devices/system/memory/memory34/state", "online");
    check_file(root, "sys/devices/system/memory/memory38/state", "online");
    check_file(root, "sys/devices/system/memory/memory35/state", "online\n");
    check_file(root, "sys/devices/system/memory/memory31/state", "offline\n");
    check_file(root, "sys/devices/system/memory/memory40/state", "offline\n");

    printf("# online_memory: unaligned range, partial blocks missing\n");
    e = online_memory(root, 0x13c000000ull, 0x8000000);   /* blocks 39, 40 */
    CHECK(e == NULL, "no error (%s)", e ? e : "none");
    free(e);
    check_file(root, "sys/devices/system/memory/memory40/state", "online");
    e = online_memory(root, 0x200000000ull, 0x8000000);
    CHECK(e && strstr(e, "no memory block in [0x200000000, 0x207ffffff]"),
          "range without blocks is an error (%s)", e ? e : "none");
    free(e);
    e = online_memory(root, 0xfffffffffffff000ull, 0x2000);
    CHECK(e && strstr(e, "wraps around"), "wrapping range is an error");
    free(e);

    printf("# online_dax: kmem-bound device ok, device_dax one rebound\n");
    dax_list_init(&dl);
    add_dev(&dl, "dax0.0", 0x100000000ull, 0x40000000);
    add_dev(&dl, "dax1.0", 0x140000000ull, 0x8000000);
    online_list_init(&ol);
    online_dax(root, &dl, &ol);
    CHECK(ol.n == 2, "two results");
    if (ol.n == 2) {
        CHECK_STR(ol.items[0].name, "dax0.0", "first result");
        CHECK(ol.items[0].error == NULL, "dax0.0 (already kmem) ok (%s)",
              ol.items[0].error ? ol.items[0].error : "");
        CHECK_STR(ol.items[1].name, "dax1.0", "second result");
        /* The fake driver link does not move, so binding "fails". */
        CHECK_STR(ol.items[1].error, "still bound to device_dax after binding "
                  "to kmem", "dax1.0 error");
    }
    check_file(root, "sys/bus/dax/drivers/device_dax/unbind", "dax1.0");
    check_file(root, "sys/bus/dax/drivers/kmem/new_id", "dax1.0");
    check_file(root, "sys/bus/dax/drivers/kmem/bind", "");
    online_list_free(&ol);

    printf("# online_dax: no kmem driver\n");
    tree_write(root, "sys/devices/system/memory/block_size_bytes", "zz\n");
    {
        char *path = xasprintf("%s/sys/bus/dax/drivers/kmem", root);
        char *nid = xasprintf("%s/new_id", path);
        char *bind = xasprintf("%s/bind", path);

        CHECK(remove(nid) == 0 && remove(bind) == 0 && remove(path) == 0,
              "kmem driver removed");
        free(nid);
        free(bind);
        free(path);
    }
    online_dax(root, &dl, &ol);
    if (CHECK(ol.n == 2, "two results")) {
        CHECK_STR(ol.items[0].error,
                  "/sys/devices/system/memory/block_size_bytes:"
                  " cannot parse \"zz\"", "dax0.0 error");
        CHECK_STR(ol.items[1].error,
                  "kmem: new_id: No such file or directory; "
                  "bind: No such file or directory", "dax1.0 error");
    }
    online_list_free(&ol);

    printf("# kmem_load with a missing module file\n");
    {
        struct errlist err;

        errlist_init(&err);
        kmem_load(root, "/nonexistent/kmem.ko", &err);
        check_nerr(&err, 1, "missing module");
        CHECK(err_contains(&err, "kmem: /nonexistent/kmem.ko: No such file"),
              "error names the module path");
        errlist_free(&err);
    }

    dax_list_free(&dl);
    tree_remove(root);
    return test_done();
}
