/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: NUMA nodes and their memory (/sys/devices/system/node), and
 * the guest-physical ranges of each node from its memory block links
 */
#ifndef SPM_PROBE_NODE_H
#define SPM_PROBE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define NODE_SYSFS_PATH "/sys/devices/system/node"
#define MEMORY_SYSFS_PATH "/sys/devices/system/memory"

struct node_mem {
    uint32_t node;
    uint64_t memtotal_kb;
};

struct node_list {
    struct node_mem *n;     /* sorted by node */
    size_t count;
    size_t cap;
};

void node_list_init(struct node_list *nl);
void node_list_free(struct node_list *nl);

/*
 * Find "Node @node MemTotal: <kb> kB" in the text of a node's meminfo.
 */
bool node_parse_meminfo(const char *text, uint32_t node, uint64_t *kb);

/*
 * Read every NODE_SYSFS_PATH/nodeN below @root.  A node whose meminfo
 * cannot be read or parsed is left out and reported in @err.
 */
void node_read(const char *root, struct node_list *nl, struct errlist *err);

/*
 * A run of consecutive memory blocks of one node in one state.  Block M
 * covers [M * block_size, (M + 1) * block_size).
 */
struct node_range {
    uint32_t node;
    uint64_t start;
    uint64_t end;           /* inclusive */
    char *state;            /* "online", "offline", ... or "unknown" */
};

struct node_range_list {
    struct node_range *r;   /* sorted by node, then start (after reading) */
    size_t n;
    size_t cap;
};

void node_range_list_init(struct node_range_list *rl);
void node_range_list_free(struct node_range_list *rl);

/*
 * Append block @block of @bs bytes (@bs > 0) of @node in @state, merged
 * into the last range if it directly follows it with the same node and
 * state.  Returns false, adding nothing, if the block does not fit in the
 * 64-bit address space.
 */
bool node_range_add(struct node_range_list *rl, uint32_t node, uint64_t block,
                    uint64_t bs, const char *state);

/* Sort by node, then start, and merge the ranges that follow each other. */
void node_range_sort(struct node_range_list *rl);

/*
 * Read the block size (MEMORY_SYSFS_PATH/block_size_bytes), then for every
 * NODE_SYSFS_PATH/nodeN below @root its "memoryM" entries and the state of
 * each block (MEMORY_SYSFS_PATH/memoryM/state; "unknown" if missing).  A
 * missing or garbled block size is one error in @err and gives no ranges;
 * a node without memory blocks has no ranges.  Blocks beyond the 64-bit
 * address space are reported in @err; other entries are ignored.
 */
void node_ranges_read(const char *root, struct node_range_list *rl,
                      struct errlist *err);

#endif
