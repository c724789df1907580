/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the memory tiers Linux made of the nodes
 */
#ifndef SPM_PROBE_TIER_H
#define SPM_PROBE_TIER_H

#include <stdint.h>

#include "util.h"

#define MEMORY_TIERING_PATH "/sys/devices/virtual/memory_tiering"

/* MEMORY_TIERING_PATH/memory_tierK/nodelist. */
struct mem_tier {
    uint32_t tier;
    char *nodelist;         /* as the kernel prints it, e.g. "0-1,3" */
};

void mem_tier_free(struct mem_tier *t);

/* Sorted by tier. */
DEFINE_LIST(tier_list, struct mem_tier, mem_tier_free)

/*
 * Read every memory_tierK below @root.  No MEMORY_TIERING_PATH (a kernel
 * without memory tiers) is not an error; a tier whose nodelist cannot be
 * read or is not a node list is left out and reported in @err.
 */
void tier_read(const char *root, struct tier_list *tl, struct errlist *err);

#endif
