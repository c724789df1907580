/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the SLIT distances between nodes, as Linux applied them
 */
#ifndef SPM_PROBE_DISTANCE_H
#define SPM_PROBE_DISTANCE_H

#include <stdint.h>

#include "util.h"

/* NODE_SYSFS_PATH/nodeN/distance: the SLIT distance from N to node "to". */
struct node_distance {
    uint32_t node;
    uint32_t to;
    uint32_t value;
};

/* Sorted by node, then to. */
DEFINE_LIST(distance_list, struct node_distance, LIST_ITEM_NO_FREE)

/*
 * Read NODE_SYSFS_PATH/online and every nodeN/distance below @root: the
 * distance file has one value per online node, in node order.  A file
 * that cannot be read or does not match the online nodes is reported in
 * @err and gives no distances of its node.
 */
void distance_read(const char *root, struct distance_list *dl,
                   struct errlist *err);

#endif
