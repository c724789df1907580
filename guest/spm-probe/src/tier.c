/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the memory tiers Linux made of the nodes
 *
 * Linux (mm/memory-tiers.c) exposes
 * /sys/devices/virtual/memory_tiering/memory_tierK/nodelist: the nodes in
 * tier K (a lower K is a faster tier).
 */
#include "tier.h"

#include <stdlib.h>

#include "node.h"

void mem_tier_free(struct mem_tier *t)
{
    free(t->nodelist);
}

void tier_read(const char *root, struct tier_list *tl, struct errlist *err)
{
    char **names;
    size_t n;
    char *dir = list_sysfs_dir(root, MEMORY_TIERING_PATH, "tier", true,
                               &names, &n, err);

    if (!dir) {
        return;
    }
    /* list_dir() sorts names naturally: memory_tier4 before memory_tier22. */
    for (size_t i = 0; i < n; i++) {
        char *value;
        uint32_t id, *ids;
        size_t count;
        struct mem_tier *t;

        if (!numbered(names[i], "memory_tier", &id)) {
            continue;
        }
        value = read_entry_attr(dir, names[i], "nodelist", "tier",
                                MEMORY_TIERING_PATH, err);
        if (!value) {
            continue;
        }
        if (!parse_node_list(value, NODE_LIST_MAX, &ids, &count)) {
            err_add(err, "tier: %s/%s/nodelist: cannot parse \"%s\"",
                    MEMORY_TIERING_PATH, names[i], value);
            free(value);
            continue;
        }
        free(ids);
        t = tier_list_push(tl);
        t->tier = id;
        t->nodelist = value;
    }
    free_names(names, n);
    free(dir);
}
