/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: each node's access classes (the HMAT as Linux applied it)
 */
#ifndef SPM_PROBE_ACCESS_H
#define SPM_PROBE_ACCESS_H

#include <stdint.h>

#include "util.h"

/*
 * NODE_SYSFS_PATH/nodeN/accessK/initiators: the performance of memory
 * node N seen from its best initiators of access class K (0: any
 * initiator, 1: CPUs only), and those initiators.
 */
struct node_access {
    uint32_t node;
    uint32_t class;
    char *initiators;       /* initiator node ids, e.g. "0,2" ("" if none) */
    uint64_t read_latency;  /* ns */
    uint64_t write_latency;
    uint64_t read_bandwidth;    /* MB/s */
    uint64_t write_bandwidth;
};

void node_access_free(struct node_access *a);

/* Sorted by node, then class. */
DEFINE_LIST(access_list, struct node_access, node_access_free)

/*
 * Read every accessK/initiators directory of every node below @root.  An
 * access class with a missing or garbled attribute is left out and
 * reported in @err; a node without access classes has none.
 */
void access_read(const char *root, struct access_list *al,
                 struct errlist *err);

#endif
