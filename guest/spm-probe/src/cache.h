/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: each node's memory-side caches (from the HMAT, as Linux
 * applied it)
 */
#ifndef SPM_PROBE_CACHE_H
#define SPM_PROBE_CACHE_H

#include <stdint.h>

#include "util.h"

/*
 * NODE_SYSFS_PATH/nodeN/memory_side_cache/indexK: the memory-side cache of
 * level K in front of node N's memory (from the HMAT), with Linux's codes
 * (indexing 0: direct mapped, 1: indexed, 2: other; write_policy 0:
 * write-back, 1: write-through, 2: other).
 */
struct node_cache {
    uint32_t node;
    uint32_t level;
    uint64_t size;          /* bytes */
    uint64_t line_size;     /* bytes */
    uint64_t indexing;
    uint64_t write_policy;
};

/* Sorted by node, then level. */
DEFINE_LIST(cache_list, struct node_cache, LIST_ITEM_NO_FREE)

/*
 * Read every memory_side_cache/indexK of every node below @root.  A cache
 * with a missing or garbled attribute is left out and reported in @err;
 * a node without memory_side_cache, or one without indexK, has none.
 */
void cache_read(const char *root, struct cache_list *cl, struct errlist *err);

#endif
