/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: /proc/iomem parser
 */
#ifndef SPM_PROBE_IOMEM_H
#define SPM_PROBE_IOMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define IOMEM_PROC_PATH "/proc/iomem"

struct iomem_entry {
    uint64_t start;
    uint64_t end;           /* inclusive */
    unsigned depth;         /* 0 for top-level entries */
    char *name;
};

void iomem_entry_free(struct iomem_entry *e);

/* In file order. */
DEFINE_LIST(iomem, struct iomem_entry, iomem_entry_free)

/*
 * Parse /proc/iomem text: lines "START-END : NAME", indented by two spaces
 * per nesting level.  Lines that do not parse are reported in @err (with
 * their line number) and skipped; empty lines are skipped silently.
 */
void iomem_parse(const char *text, struct iomem *io, struct errlist *err);

/* Read IOMEM_PROC_PATH below @root and parse it. */
void iomem_read(const char *root, struct iomem *io, struct errlist *err);

/* True for the entries the report lists: top-level RAM and Soft Reserved. */
bool iomem_is_reported(const struct iomem_entry *e);

#endif
