/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: NUMA nodes and their memory (/sys/devices/system/node), and
 * the guest-physical ranges of each node from its memory block links;
 * also what the access class, cache, distance and tier readers share: the
 * walk over the nodeN directories and the kernel's node lists
 *
 * Each /sys/devices/system/node/nodeN holds a symlink "memoryM" to
 * /sys/devices/system/memory/memoryM for every memory block M of the node.
 */
#include "node.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int node_cmp(const void *a, const void *b)
{
    const struct node_mem *x = a, *y = b;

    return x->node < y->node ? -1 : x->node > y->node;
}

bool node_parse_meminfo(const char *text, uint32_t node, uint64_t *kb)
{
    char *prefix = xasprintf("Node %" PRIu32 " MemTotal:", node);
    size_t plen = strlen(prefix);
    const char *p = text;
    bool found = false;

    while (*p) {
        size_t len = strcspn(p, "\n");

        if (len > plen && !strncmp(p, prefix, plen)) {
            const char *v = p + plen + strspn(p + plen, " \t");
            size_t digits = strspn(v, "0123456789");
            char buf[24];

            if (digits > 0 && digits < sizeof(buf) &&
                !strncmp(v + digits, " kB", 3) &&
                (v[digits + 3] == '\n' || v[digits + 3] == '\0')) {
                memcpy(buf, v, digits);
                buf[digits] = '\0';
                found = parse_u64(buf, 10, kb);
            }
            break;
        }
        p += len;
        if (*p == '\n') {
            p++;
        }
    }
    free(prefix);
    return found;
}

void node_read(const char *root, struct node_list *nl, struct errlist *err)
{
    char **names;
    size_t n;
    char *dir = list_sysfs_dir(root, NODE_SYSFS_PATH, "node", false, &names,
                               &n, err);

    if (!dir) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        uint64_t id, kb;
        char *path, *text;
        size_t len;
        int ret;

        if (strncmp(name, "node", 4) ||
            !parse_u64(name + 4, 10, &id) || id > UINT32_MAX) {
            continue;
        }
        path = xasprintf("%s/%s/meminfo", dir, name);
        ret = read_file(path, 1u << 20, &text, &len);
        free(path);
        if (ret < 0) {
            err_add(err, "node: %s/%s/meminfo: %s", NODE_SYSFS_PATH,
                    name, strerror(-ret));
            continue;
        }
        if (!node_parse_meminfo(text, (uint32_t)id, &kb)) {
            err_add(err, "node: %s/%s/meminfo: no valid \"Node %" PRIu64
                    " MemTotal:\" line", NODE_SYSFS_PATH, name, id);
        } else {
            struct node_mem *m = node_list_push(nl);

            m->node = (uint32_t)id;
            m->memtotal_kb = kb;
        }
        free(text);
    }
    free_names(names, n);
    free(dir);
    qsort(nl->items, nl->n, sizeof(*nl->items), node_cmp);
}

void node_range_free(struct node_range *r)
{
    free(r->state);
}

/* True if a block at @start of @node in @state directly follows range @a. */
static bool range_follows(const struct node_range *a, uint32_t node,
                          uint64_t start, const char *state)
{
    return a->node == node && a->end != UINT64_MAX && a->end + 1 == start &&
           !strcmp(a->state, state);
}

bool node_range_add(struct node_range_list *rl, uint32_t node, uint64_t block,
                    uint64_t bs, const char *state)
{
    struct node_range *r;
    uint64_t start;

    /* block * bs + (bs - 1) must not overflow. */
    if (bs == 0 || block > (UINT64_MAX - (bs - 1)) / bs) {
        return false;
    }
    start = block * bs;
    if (rl->n > 0 &&
        range_follows(&rl->items[rl->n - 1], node, start, state)) {
        rl->items[rl->n - 1].end = start + (bs - 1);
        return true;
    }
    r = node_range_list_push(rl);
    r->node = node;
    r->start = start;
    r->end = start + (bs - 1);
    r->state = xstrdup(state);
    return true;
}

static int range_cmp(const void *a, const void *b)
{
    const struct node_range *x = a, *y = b;

    if (x->node != y->node) {
        return x->node < y->node ? -1 : 1;
    }
    return x->start < y->start ? -1 : x->start > y->start;
}

void node_range_sort(struct node_range_list *rl)
{
    size_t out = 0;

    qsort(rl->items, rl->n, sizeof(*rl->items), range_cmp);
    for (size_t i = 0; i < rl->n; i++) {
        const struct node_range *r = &rl->items[i];

        if (out > 0 &&
            range_follows(&rl->items[out - 1], r->node, r->start, r->state)) {
            rl->items[out - 1].end = r->end;
            free(r->state);
        } else {
            rl->items[out++] = *r;
        }
    }
    rl->n = out;
}

/* The block size in *@bs, or false after adding an error to @err. */
static bool read_block_size(const char *root, uint64_t *bs,
                            struct errlist *err)
{
    char *path = path_join(root, MEMORY_SYSFS_PATH "/block_size_bytes");
    char *value;
    bool ok;
    int ret;

    ret = read_attr(path, &value);
    free(path);
    if (ret < 0) {
        err_add(err, "noderange: %s/block_size_bytes: %s", MEMORY_SYSFS_PATH,
                strerror(-ret));
        return false;
    }
    ok = parse_u64(value, 16, bs) && *bs != 0;
    if (!ok) {
        err_add(err, "noderange: %s/block_size_bytes: cannot parse \"%s\"",
                MEMORY_SYSFS_PATH, value);
    }
    free(value);
    return ok;
}

/* The blocks of node @node, whose directory (below @root) is @dir. */
static void read_node_blocks(const char *root, const char *dir,
                             const char *node_name, uint32_t node,
                             uint64_t bs, struct node_range_list *rl,
                             struct errlist *err)
{
    char **names;
    size_t n;

    /* A node directory that cannot be listed is node_read()'s to report. */
    if (list_dir(dir, &names, &n) < 0) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        const char *digits = name + 6;
        char *rel, *path, *state;
        uint64_t block;
        int ret;

        if (strncmp(name, "memory", 6) || digits[0] == '\0' ||
            digits[strspn(digits, "0123456789")] != '\0') {
            continue;       /* not a memory block (e.g. memory_side_cache) */
        }
        if (!parse_u64(digits, 10, &block) ||
            block > (UINT64_MAX - (bs - 1)) / bs) {
            err_add(err, "noderange: %s/%s/%s: block beyond the 64-bit "
                    "address space (block size 0x%" PRIx64 ")",
                    NODE_SYSFS_PATH, node_name, name, bs);
            continue;
        }
        rel = xasprintf("%s/%s/state", MEMORY_SYSFS_PATH, name);
        path = path_join(root, rel);
        ret = read_attr(path, &state);
        if (ret < 0) {
            if (ret != -ENOENT) {
                err_add(err, "noderange: %s: %s", rel, strerror(-ret));
            }
            state = xstrdup("unknown");
        }
        node_range_add(rl, node, block, bs, state);
        free(state);
        free(path);
        free(rel);
    }
    free_names(names, n);
}

void node_ranges_read(const char *root, struct node_range_list *rl,
                      struct errlist *err)
{
    char *dir;
    char **names;
    size_t n;
    uint64_t bs;

    if (!read_block_size(root, &bs, err)) {
        return;
    }
    dir = path_join(root, NODE_SYSFS_PATH);
    /* A missing node directory is node_read()'s to report. */
    if (list_dir(dir, &names, &n) < 0) {
        free(dir);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        uint64_t id;
        char *node_dir;

        if (strncmp(name, "node", 4) ||
            !parse_u64(name + 4, 10, &id) || id > UINT32_MAX) {
            continue;
        }
        node_dir = xasprintf("%s/%s", dir, name);
        read_node_blocks(root, node_dir, name, (uint32_t)id, bs, rl, err);
        free(node_dir);
    }
    free_names(names, n);
    free(dir);
    node_range_sort(rl);
}

void for_each_node_dir(const char *root,
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

/* An array of node ids while it is parsed. */
DEFINE_LIST(id_list, uint32_t, LIST_ITEM_NO_FREE)

bool parse_node_list(const char *s, size_t max, uint32_t **ids, size_t *n)
{
    struct id_list out;
    int64_t last = -1;
    const char *p = s;

    id_list_init(&out);
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
        if ((int64_t)lo <= last || hi - lo >= max - out.n) {
            goto bad;
        }
        for (uint64_t v = lo; v <= hi; v++) {
            *id_list_push(&out) = (uint32_t)v;
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
    *ids = out.items;
    *n = out.n;
    return true;
bad:
    id_list_free(&out);
    return false;
}
