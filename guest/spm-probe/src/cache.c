/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: each node's memory-side caches (from the HMAT, as Linux
 * applied it)
 *
 * Linux (drivers/base/node.c) exposes
 * /sys/devices/system/node/nodeN/memory_side_cache/indexK/{size,
 * line_size,indexing,write_policy} for the cache of level K in front of
 * node N's memory; like access classes, only while the node is online.
 */
#include "cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

/* Attribute @attr of cache @index of @dir (shown as @shown), decimal. */
static bool read_cache_attr(const char *dir, const char *shown,
                            const char *index, const char *attr, uint64_t *v,
                            struct errlist *err)
{
    char *value = read_entry_attr(dir, index, attr, "cache", shown, err);
    bool ok;

    if (!value) {
        return false;
    }
    ok = parse_u64(value, 10, v);
    if (!ok) {
        err_add(err, "cache: %s/%s/%s: cannot parse \"%s\"", shown, index,
                attr, value);
    }
    free(value);
    return ok;
}

static void read_node_caches(const char *node_dir, const char *node_name,
                             uint32_t node, void *list, struct errlist *err)
{
    struct cache_list *cl = list;
    char *dir = xasprintf("%s/memory_side_cache", node_dir);
    char *shown = xasprintf("%s/%s/memory_side_cache", NODE_SYSFS_PATH,
                            node_name);
    char **names;
    size_t n;
    int ret;

    ret = list_dir(dir, &names, &n);
    if (ret < 0) {
        if (ret != -ENOENT) {
            err_add(err, "cache: %s: %s", shown, strerror(-ret));
        }
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct node_cache c = { .node = node };

        if (!numbered(names[i], "index", &c.level)) {
            continue;       /* power, uevent */
        }
        if (read_cache_attr(dir, shown, names[i], "size", &c.size, err) &&
            read_cache_attr(dir, shown, names[i], "line_size", &c.line_size,
                            err) &&
            read_cache_attr(dir, shown, names[i], "indexing", &c.indexing,
                            err) &&
            read_cache_attr(dir, shown, names[i], "write_policy",
                            &c.write_policy, err)) {
            *cache_list_push(cl) = c;
        }
    }
    free_names(names, n);
out:
    free(shown);
    free(dir);
}

void cache_read(const char *root, struct cache_list *cl, struct errlist *err)
{
    /* list_dir() sorts naturally: by node, then by level. */
    for_each_node_dir(root, read_node_caches, cl, err);
}
