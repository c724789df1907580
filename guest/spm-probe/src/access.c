/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: each node's access classes (the HMAT as Linux applied it)
 *
 * Linux (drivers/base/node.c) exposes
 * /sys/devices/system/node/nodeN/accessK/initiators/{read,write}_
 * {latency,bandwidth} (ns, MB/s) and one "nodeM" link per initiator; a
 * node gets them only while it is online with memory.
 */
#include "access.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

void node_access_free(struct node_access *a)
{
    free(a->initiators);
}

/* Attribute @attr of @dir (shown as @shown) as a decimal number. */
static bool read_u64_attr(const char *dir, const char *shown,
                          const char *attr, uint64_t *v, struct errlist *err)
{
    char *value = read_entry_attr(dir, "initiators", attr, "access", shown,
                                  err);
    bool ok;

    if (!value) {
        return false;
    }
    ok = parse_u64(value, 10, v);
    if (!ok) {
        err_add(err, "access: %s/initiators/%s: cannot parse \"%s\"", shown,
                attr, value);
    }
    free(value);
    return ok;
}

/* The "nodeM" links of @dir as "M1,M2,...", or NULL after an error. */
static char *read_initiators(const char *dir, const char *shown,
                             struct errlist *err)
{
    char **names;
    size_t n, len = 0;
    char *out;
    int ret;

    ret = list_dir(dir, &names, &n);
    if (ret < 0) {
        err_add(err, "access: %s: %s", shown, strerror(-ret));
        return NULL;
    }
    out = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        uint32_t id;
        char *next;

        if (!numbered(names[i], "node", &id)) {
            continue;       /* the attribute files */
        }
        next = xasprintf("%s%s%" PRIu32, out, len ? "," : "", id);
        free(out);
        out = next;
        len = strlen(out);
    }
    free_names(names, n);
    return out;
}

static void read_node_access(const char *node_dir, const char *node_name,
                             uint32_t node, void *list, struct errlist *err)
{
    struct access_list *al = list;
    char **names;
    size_t n;

    /* A node directory that cannot be listed is node_read()'s to report. */
    if (list_dir(node_dir, &names, &n) < 0) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct node_access a = { .node = node };
        char *dir, *shown, *init_dir, *init_shown;
        bool ok;

        if (!numbered(names[i], "access", &a.class)) {
            continue;
        }
        dir = xasprintf("%s/%s", node_dir, names[i]);
        shown = xasprintf("%s/%s/%s", NODE_SYSFS_PATH, node_name, names[i]);
        init_dir = xasprintf("%s/initiators", dir);
        init_shown = xasprintf("%s/initiators", shown);
        ok = read_u64_attr(dir, shown, "read_latency", &a.read_latency,
                           err) &&
             read_u64_attr(dir, shown, "write_latency", &a.write_latency,
                           err) &&
             read_u64_attr(dir, shown, "read_bandwidth", &a.read_bandwidth,
                           err) &&
             read_u64_attr(dir, shown, "write_bandwidth",
                           &a.write_bandwidth, err);
        if (ok) {
            a.initiators = read_initiators(init_dir, init_shown, err);
        }
        if (ok && a.initiators) {
            *access_list_push(al) = a;
        }
        free(init_shown);
        free(init_dir);
        free(shown);
        free(dir);
    }
    free_names(names, n);
}

static int access_cmp(const void *a, const void *b)
{
    const struct node_access *x = a, *y = b;

    if (x->node != y->node) {
        return x->node < y->node ? -1 : 1;
    }
    return x->class < y->class ? -1 : x->class > y->class;
}

void access_read(const char *root, struct access_list *al,
                 struct errlist *err)
{
    for_each_node_dir(root, read_node_access, al, err);
    qsort(al->items, al->n, sizeof(*al->items), access_cmp);
}
