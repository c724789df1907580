/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: /sys/firmware/memmap (the firmware memory map, e.g. E820)
 */
#include "memmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void memmap_entry_free(struct memmap_entry *e)
{
    free(e->type);
}

static int memmap_cmp(const void *a, const void *b)
{
    const struct memmap_entry *x = a, *y = b;

    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    if (x->end != y->end) {
        return x->end < y->end ? -1 : 1;
    }
    return strcmp(x->type, y->type);
}

static bool memmap_addr(const char *dir, const char *name, const char *attr,
                        uint64_t *addr, struct errlist *err)
{
    char *value = read_entry_attr(dir, name, attr, "memmap",
                                  MEMMAP_SYSFS_PATH, err);
    bool ok;

    if (!value) {
        return false;
    }
    ok = parse_u64(value, 16, addr);
    if (!ok) {
        err_add(err, "memmap: %s/%s/%s: cannot parse \"%s\"",
                MEMMAP_SYSFS_PATH, name, attr, value);
    }
    free(value);
    return ok;
}

bool memmap_read(const char *root, struct memmap *mm, struct errlist *err)
{
    char *full = path_join(root, MEMMAP_SYSFS_PATH);
    struct stat st;
    char **names;
    size_t n;
    char *dir;

    if (lstat(full, &st) < 0 && errno == ENOENT) {
        free(full);
        return false;
    }
    free(full);
    dir = list_sysfs_dir(root, MEMMAP_SYSFS_PATH, "memmap", false, &names,
                         &n, err);
    if (!dir) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        bool ok_start, ok_end;
        uint64_t start, end;
        char *type;
        struct memmap_entry *e;

        if (name[strspn(name, "0123456789")] != '\0') {
            continue;
        }
        /* Evaluate all three so that every problem gets reported. */
        ok_start = memmap_addr(dir, name, "start", &start, err);
        ok_end = memmap_addr(dir, name, "end", &end, err);
        type = read_entry_attr(dir, name, "type", "memmap",
                               MEMMAP_SYSFS_PATH, err);
        if (!ok_start || !ok_end || !type) {
            free(type);
            continue;
        }
        if (end < start) {
            err_add(err, "memmap: %s/%s: end 0x%" PRIx64 " is below start "
                    "0x%" PRIx64, MEMMAP_SYSFS_PATH, name, end, start);
            free(type);
            continue;
        }
        e = memmap_push(mm);
        e->start = start;
        e->end = end;
        e->type = type;
    }
    free_names(names, n);
    free(dir);
    qsort(mm->items, mm->n, sizeof(*mm->items), memmap_cmp);
    return true;
}
