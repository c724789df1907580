/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: NUMA nodes and their memory (/sys/devices/system/node)
 */
#include "node.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void node_list_init(struct node_list *nl)
{
    nl->n = NULL;
    nl->count = 0;
    nl->cap = 0;
}

void node_list_free(struct node_list *nl)
{
    free(nl->n);
    node_list_init(nl);
}

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
    char *dir = path_join(root, NODE_SYSFS_PATH);
    char **names;
    size_t n;
    int ret;

    ret = list_dir(dir, &names, &n);
    if (ret < 0) {
        err_add(err, "node: %s: %s", NODE_SYSFS_PATH, strerror(-ret));
        free(dir);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        uint64_t id, kb;
        char *path, *text;
        size_t len;

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
            grow_array((void **)&nl->n, &nl->cap, nl->count, sizeof(*nl->n));
            nl->n[nl->count].node = (uint32_t)id;
            nl->n[nl->count].memtotal_kb = kb;
            nl->count++;
        }
        free(text);
    }
    free_names(names, n);
    free(dir);
    qsort(nl->n, nl->count, sizeof(*nl->n), node_cmp);
}
