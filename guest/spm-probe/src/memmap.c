/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: /sys/firmware/memmap (the firmware memory map, e.g. E820)
 */
#include "memmap.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void memmap_init(struct memmap *mm)
{
    mm->e = NULL;
    mm->n = 0;
    mm->cap = 0;
}

void memmap_free(struct memmap *mm)
{
    for (size_t i = 0; i < mm->n; i++) {
        free(mm->e[i].type);
    }
    free(mm->e);
    memmap_init(mm);
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

void memmap_read(const char *root, struct memmap *mm, struct errlist *err)
{
    char **names;
    size_t n;
    char *dir = list_sysfs_dir(root, MEMMAP_SYSFS_PATH, "memmap", false,
                               &names, &n, err);

    if (!dir) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        bool ok_start, ok_end;
        uint64_t start, end;
        char *type;

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
        grow_array((void **)&mm->e, &mm->cap, mm->n, sizeof(*mm->e));
        mm->e[mm->n].start = start;
        mm->e[mm->n].end = end;
        mm->e[mm->n].type = type;
        mm->n++;
    }
    free_names(names, n);
    free(dir);
    qsort(mm->e, mm->n, sizeof(*mm->e), memmap_cmp);
}
