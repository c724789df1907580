/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: NUMA nodes and their memory (/sys/devices/system/node), and
 * the guest-physical ranges of each node from its memory block links;
 * also what the access class, cache, distance and tier readers share: the
 * walk over the nodeN directories and the kernel's node lists
 */
#ifndef SPM_PROBE_NODE_H
#define SPM_PROBE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define NODE_SYSFS_PATH "/sys/devices/system/node"
#define MEMORY_SYSFS_PATH "/sys/devices/system/memory"

/* Most node ids a node list may hold (Linux's MAX_NUMNODES on x86-64). */
#define NODE_LIST_MAX 1024

struct node_mem {
    uint32_t node;
    uint64_t memtotal_kb;
};

/* Sorted by node. */
DEFINE_LIST(node_list, struct node_mem, LIST_ITEM_NO_FREE)

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

void node_range_free(struct node_range *r);

/* Sorted by node, then start (after reading). */
DEFINE_LIST(node_range_list, struct node_range, node_range_free)

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

/*
 * Call @fn for every nodeN directory below @root, in list_dir()'s natural
 * order, with the directory's path, its name, N and @list.  A missing
 * node directory is node_read()'s to report.
 */
void for_each_node_dir(const char *root,
                       void (*fn)(const char *node_dir,
                                  const char *node_name,
                                  uint32_t node, void *list,
                                  struct errlist *err),
                       void *list, struct errlist *err);

/*
 * Parse a kernel node list ("", "3", "0-2,5") into an allocated array of
 * ids in increasing order.  False (nothing allocated) if @s is not one,
 * or lists more than @max ids.
 */
bool parse_node_list(const char *s, size_t max, uint32_t **ids, size_t *n);

#endif
