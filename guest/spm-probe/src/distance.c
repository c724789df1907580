/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the SLIT distances between nodes, as Linux applied them
 *
 * Linux (drivers/base/node.c) exposes /sys/devices/system/node/nodeN/
 * distance: the distance to every online node, in node order, separated
 * by spaces.
 */
#include "distance.h"

#include <stdlib.h>
#include <string.h>

#include "node.h"

/* Parse @text, the distances of @node to the @n_online nodes @online. */
static void parse_distances(const char *text, const char *shown,
                            uint32_t node, const uint32_t *online,
                            size_t n_online, struct distance_list *dl,
                            struct errlist *err)
{
    size_t first = dl->n, count = 0;
    const char *p = text;

    for (;;) {
        size_t len;
        uint64_t v;
        char num[16];

        p += strspn(p, " ");
        if (*p == '\0') {
            break;
        }
        len = strcspn(p, " ");
        if (len < sizeof(num)) {
            memcpy(num, p, len);
        }
        num[len < sizeof(num) ? len : 0] = '\0';
        if (!parse_u64(num, 10, &v) || v > UINT32_MAX) {
            err_add(err, "distance: %s: cannot parse \"%s\"", shown, text);
            dl->n = first;
            return;
        }
        if (count < n_online) {
            struct node_distance *d = distance_list_push(dl);

            d->node = node;
            d->to = online[count];
            d->value = (uint32_t)v;
        }
        count++;
        p += strcspn(p, " ");
    }
    if (count != n_online) {
        err_add(err, "distance: %s: %zu value(s) for %zu online node(s)",
                shown, count, n_online);
        dl->n = first;
    }
}

void distance_read(const char *root, struct distance_list *dl,
                   struct errlist *err)
{
    char *dir = path_join(root, NODE_SYSFS_PATH);
    char *path, *text;
    uint32_t *online;
    size_t n_online;
    char **names;
    size_t n;
    int ret;

    /* A missing node directory is node_read()'s to report. */
    if (list_dir(dir, &names, &n) < 0) {
        free(dir);
        return;
    }
    path = xasprintf("%s/online", dir);
    ret = read_attr(path, &text);
    free(path);
    if (ret < 0) {
        err_add(err, "distance: %s/online: %s", NODE_SYSFS_PATH,
                strerror(-ret));
        goto out;
    }
    if (!parse_node_list(text, NODE_LIST_MAX, &online, &n_online)) {
        err_add(err, "distance: %s/online: cannot parse \"%s\"",
                NODE_SYSFS_PATH, text);
        free(text);
        goto out;
    }
    free(text);
    for (size_t i = 0; i < n; i++) {
        uint32_t id;
        char *shown;

        if (!numbered(names[i], "node", &id)) {
            continue;
        }
        path = xasprintf("%s/%s/distance", dir, names[i]);
        shown = xasprintf("%s/%s/distance", NODE_SYSFS_PATH, names[i]);
        ret = read_attr(path, &text);
        if (ret < 0) {
            err_add(err, "distance: %s: %s", shown, strerror(-ret));
        } else {
            parse_distances(text, shown, id, online, n_online, dl, err);
            free(text);
        }
        free(shown);
        free(path);
    }
    free(online);
out:
    free_names(names, n);
    free(dir);
}
