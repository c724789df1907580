/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: NUMA nodes and their memory (/sys/devices/system/node)
 */
#ifndef SPM_PROBE_NODE_H
#define SPM_PROBE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define NODE_SYSFS_PATH "/sys/devices/system/node"

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

#endif
