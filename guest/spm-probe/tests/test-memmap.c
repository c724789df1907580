/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: /sys/firmware/memmap reader
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memmap.h"
#include "testutil.h"

static void add(const char *root, const char *n, const char *start,
                const char *end, const char *type)
{
    char rel[128];

    if (start) {
        snprintf(rel, sizeof(rel), "sys/firmware/memmap/%s/start", n);
        tree_write(root, rel, start);
    }
    if (end) {
        snprintf(rel, sizeof(rel), "sys/firmware/memmap/%s/end", n);
        tree_write(root, rel, end);
    }
    if (type) {
        snprintf(rel, sizeof(rel), "sys/firmware/memmap/%s/type", n);
        tree_write(root, rel, type);
    }
}

static void check_entry(const struct memmap *mm, size_t i, uint64_t start,
                        uint64_t end, const char *type)
{
    if (!CHECK(i < mm->n, "entry %zu exists", i)) {
        return;
    }
    CHECK_U64(mm->items[i].start, start, "start");
    CHECK_U64(mm->items[i].end, end, "end");
    CHECK_STR(mm->items[i].type, type, "type");
}

int main(void)
{
    char *root = tree_new();
    struct errlist err;
    struct memmap mm;

    printf("# no memmap directory (no CONFIG_FIRMWARE_MEMMAP)\n");
    memmap_init(&mm);
    errlist_init(&err);
    CHECK(!memmap_read(root, &mm, &err), "missing directory: false");
    check_nerr(&err, 0, "missing directory is no error");
    CHECK(mm.n == 0, "no entries");
    errlist_free(&err);

    printf("# a memmap that cannot be listed\n");
    tree_write(root, "sys/firmware/memmap", "not a directory\n");
    CHECK(memmap_read(root, &mm, &err), "unlistable memmap: true");
    check_nerr(&err, 1, "unlistable memmap");
    CHECK(err_contains(&err, "memmap: /sys/firmware/memmap: Not a directory"),
          "unlistable memmap is named");
    CHECK(mm.n == 0, "no entries");
    errlist_free(&err);
    {
        char *path = xasprintf("%s/sys/firmware/memmap", root);

        CHECK(remove(path) == 0, "file removed");
        free(path);
    }

    printf("# an empty memmap directory\n");
    tree_mkdir(root, "sys/firmware/memmap");
    CHECK(memmap_read(root, &mm, &err), "empty memmap: true");
    check_nerr(&err, 0, "empty memmap");
    CHECK(mm.n == 0, "no entries");

    printf("# fake memmap, out of order, with broken entries\n");
    /* Directory order differs from address order on purpose. */
    add(root, "0", "0x100000000\n", "0x13fffffff\n", "Soft Reserved\n");
    add(root, "1", "0x0\n", "0x9fbff\n", "System RAM\n");
    add(root, "2", "0x100000\n", "0x7ffdffff\n", "System RAM\n");
    add(root, "10", "0x9fc00\n", "0x9ffff\n", "Reserved\n");
    add(root, "11", "0xfeffc000\n", "0xfeffffff\n", "Reserved\n");
    add(root, "3", "0x200000\n", "0x2fffff\n", NULL);         /* no type */
    add(root, "4", "0xzz\n", "0x1000\n", "System RAM\n");     /* garbled */
    add(root, "5", "0x2000\n", "0x1000\n", "System RAM\n");   /* end<start */
    add(root, "6", "", "", "System RAM\n");                   /* empty */
    tree_mkdir(root, "sys/firmware/memmap/not-a-number");
    CHECK(memmap_read(root, &mm, &err), "fake memmap: true");
    check_nerr(&err, 5, "broken entries");
    CHECK(err_contains(&err, "/sys/firmware/memmap/3/type: No such file"),
          "missing type file reported");
    CHECK(err_contains(&err, "/sys/firmware/memmap/4/start: cannot parse "
                       "\"0xzz\""), "garbled start reported");
    CHECK(err_contains(&err, "/sys/firmware/memmap/5: end 0x1000 is below "
                       "start 0x2000"), "end below start reported");
    CHECK(err_contains(&err, "/sys/firmware/memmap/6/start: cannot parse "
                       "\"\""), "empty start reported");
    CHECK(mm.n == 5, "5 good entries (got %zu)", mm.n);
    check_entry(&mm, 0, 0x0, 0x9fbff, "System RAM");
    check_entry(&mm, 1, 0x9fc00, 0x9ffff, "Reserved");
    check_entry(&mm, 2, 0x100000, 0x7ffdffff, "System RAM");
    check_entry(&mm, 3, 0xfeffc000, 0xfeffffff, "Reserved");
    check_entry(&mm, 4, 0x100000000ull, 0x13fffffffull, "Soft Reserved");

    memmap_free(&mm);
    errlist_free(&err);
    tree_remove(root);
    return test_done();
}
