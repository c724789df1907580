/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: /sys/firmware/memmap (the firmware memory map, e.g. E820)
 */
#ifndef SPM_PROBE_MEMMAP_H
#define SPM_PROBE_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define MEMMAP_SYSFS_PATH "/sys/firmware/memmap"

struct memmap_entry {
    uint64_t start;
    uint64_t end;           /* inclusive, as in sysfs */
    char *type;
};

void memmap_entry_free(struct memmap_entry *e);

/* Sorted by start, then end. */
DEFINE_LIST(memmap, struct memmap_entry, memmap_entry_free)

/*
 * Read every MEMMAP_SYSFS_PATH/N below @root.  An entry with a missing or
 * unparsable attribute is left out and reported in @err.  Returns false,
 * without an error, when there is no MEMMAP_SYSFS_PATH at all (a kernel
 * without CONFIG_FIRMWARE_MEMMAP: the caller falls back on the E820 lines
 * of the kernel log); else true.
 */
bool memmap_read(const char *root, struct memmap *mm, struct errlist *err);

#endif
