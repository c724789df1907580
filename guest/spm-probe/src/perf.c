/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: what Linux made of the memory performance it was given:
 * each node's access classes (HMAT), SLIT distances and memory tiers
 *
 * Linux (drivers/base/node.c, mm/memory-tiers.c) exposes
 * - /sys/devices/system/node/nodeN/accessK/initiators/{read,write}_
 *   {latency,bandwidth} (ns, MB/s) and one "nodeM" link per initiator;
 *   a node gets them only while it is online with memory;
 * - /sys/devices/system/node/nodeN/distance: the distance to every
 *   online node, in node order, separated by spaces;
 * - /sys/devices/virtual/memory_tiering/memory_tierK/nodelist: the nodes
 *   in tier K (a lower K is a faster tier).
 */
#include "perf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

/* Most node ids a node list may hold (Linux's MAX_NUMNODES on x86-64). */
#define NODE_LIST_MAX 1024

/* The id of @name if it is @prefix followed by decimal digits only. */
static bool numbered(const char *name, const char *prefix, uint32_t *id)
{
    size_t len = strlen(prefix);
    uint64_t v;

    if (strncmp(name, prefix, len) || !parse_u64(name + len, 10, &v) ||
        v > UINT32_MAX) {
        return false;
    }
    *id = (uint32_t)v;
    return true;
}

bool parse_node_list(const char *s, size_t max, uint32_t **ids, size_t *n)
{
    uint32_t *out = NULL;
    size_t count = 0, cap = 0;
    int64_t last = -1;
    const char *p = s;

    while (*p) {
        uint64_t lo, hi;
        size_t len = strspn(p, "0123456789");
        char num[16];

        if (len == 0 || len >= sizeof(num)) {
            goto bad;
        }
        memcpy(num, p, len);
        num[len] = '\0';
        if (!parse_u64(num, 10, &lo) || lo > UINT32_MAX) {
            goto bad;
        }
        p += len;
        hi = lo;
        if (*p == '-') {
            p++;
            len = strspn(p, "0123456789");
            if (len == 0 || len >= sizeof(num)) {
                goto bad;
            }
            memcpy(num, p, len);
            num[len] = '\0';
            if (!parse_u64(num, 10, &hi) || hi > UINT32_MAX || hi < lo) {
                goto bad;
            }
            p += len;
        }
        if ((int64_t)lo <= last || hi - lo >= max - count) {
            goto bad;
        }
        for (uint64_t v = lo; v <= hi; v++) {
            grow_array((void **)&out, &cap, count, sizeof(*out));
            out[count++] = (uint32_t)v;
        }
        last = (int64_t)hi;
        if (*p == ',') {
            p++;
            if (*p == '\0') {
                goto bad;
            }
        } else if (*p) {
            goto bad;
        }
    }
    *ids = out;
    *n = count;
    return true;
bad:
    free(out);
    return false;
}

/* --- access classes ------------------------------------------------------ */

void access_list_init(struct access_list *al)
{
    al->a = NULL;
    al->n = 0;
    al->cap = 0;
}

void access_list_free(struct access_list *al)
{
    for (size_t i = 0; i < al->n; i++) {
        free(al->a[i].initiators);
    }
    free(al->a);
    access_list_init(al);
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
            grow_array((void **)&al->a, &al->cap, al->n, sizeof(*al->a));
            al->a[al->n++] = a;
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

/*
 * Call @fn for every nodeN directory below @root, in list_dir()'s natural
 * order, with the directory's path, its name and N.  A missing node
 * directory is node_read()'s to report.
 */
static void for_each_node_dir(const char *root,
                              void (*fn)(const char *node_dir,
                                         const char *node_name,
                                         uint32_t node, void *list,
                                         struct errlist *err),
                              void *list, struct errlist *err)
{
    char *dir = path_join(root, NODE_SYSFS_PATH);
    char **names;
    size_t n;

    if (list_dir(dir, &names, &n) < 0) {
        free(dir);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t id;
        char *node_dir;

        if (!numbered(names[i], "node", &id)) {
            continue;
        }
        node_dir = xasprintf("%s/%s", dir, names[i]);
        fn(node_dir, names[i], id, list, err);
        free(node_dir);
    }
    free_names(names, n);
    free(dir);
}

void access_read(const char *root, struct access_list *al,
                 struct errlist *err)
{
    for_each_node_dir(root, read_node_access, al, err);
    qsort(al->a, al->n, sizeof(*al->a), access_cmp);
}

/* --- memory-side caches ------------------------------------------------- */

void cache_list_init(struct cache_list *cl)
{
    cl->c = NULL;
    cl->n = 0;
    cl->cap = 0;
}

void cache_list_free(struct cache_list *cl)
{
    free(cl->c);
    cache_list_init(cl);
}

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
            grow_array((void **)&cl->c, &cl->cap, cl->n, sizeof(*cl->c));
            cl->c[cl->n++] = c;
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

/* --- distances ----------------------------------------------------------- */

void distance_list_init(struct distance_list *dl)
{
    dl->d = NULL;
    dl->n = 0;
    dl->cap = 0;
}

void distance_list_free(struct distance_list *dl)
{
    free(dl->d);
    distance_list_init(dl);
}

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
            grow_array((void **)&dl->d, &dl->cap, dl->n, sizeof(*dl->d));
            dl->d[dl->n].node = node;
            dl->d[dl->n].to = online[count];
            dl->d[dl->n].value = (uint32_t)v;
            dl->n++;
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

/* --- memory tiers -------------------------------------------------------- */

void tier_list_init(struct tier_list *tl)
{
    tl->t = NULL;
    tl->n = 0;
    tl->cap = 0;
}

void tier_list_free(struct tier_list *tl)
{
    for (size_t i = 0; i < tl->n; i++) {
        free(tl->t[i].nodelist);
    }
    free(tl->t);
    tier_list_init(tl);
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
        grow_array((void **)&tl->t, &tl->cap, tl->n, sizeof(*tl->t));
        tl->t[tl->n].tier = id;
        tl->t[tl->n].nodelist = value;
        tl->n++;
    }
    free_names(names, n);
    free(dir);
}
