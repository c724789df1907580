/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the PXM -> node mapping and the E820 table from the kernel log
 */
#include "klog.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

/* From include/linux/syslog.h */
#define SYSLOG_ACTION_READ_ALL      3
#define SYSLOG_ACTION_SIZE_BUFFER   10

#define KLOG_MAX_TOKENS 64

#define KLOG_E820_PREFIX "BIOS-e820:"

void e820_entry_free(struct e820_entry *e)
{
    free(e->type);
}

int64_t pxm_map_lookup(const struct pxm_map *map, uint32_t pxm)
{
    for (size_t i = 0; i < map->n; i++) {
        if (map->items[i].pxm == pxm) {
            return map->items[i].node;
        }
    }
    return -1;
}

const char *klog_strip_prefix(const char *line)
{
    const char *p = line;

    if (*p == '<') {
        size_t digits = strspn(p + 1, "0123456789");

        if (digits && p[1 + digits] == '>') {
            p += digits + 2;
        }
    }
    while (*p == '[') {
        const char *close = strchr(p, ']');

        if (!close) {
            break;
        }
        p = close + 1;
        p += strspn(p, " ");
    }
    return p;
}

static bool parse_u32_token(const char *s, uint32_t *out)
{
    uint64_t v;

    if (!parse_u64(s, 10, &v) || v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

bool klog_parse_line(const char *line, uint32_t *pxm, uint32_t *node)
{
    char *copy = xstrdup(klog_strip_prefix(line));
    char *tok[KLOG_MAX_TOKENS];
    bool srat = false, found = false;
    size_t n = 0;
    char *save;

    for (char *t = strtok_r(copy, " \t", &save); t && n < ARRAY_SIZE(tok);
         t = strtok_r(NULL, " \t", &save)) {
        tok[n++] = t;
    }

    for (size_t i = 0; i < n && !found; i++) {
        uint32_t p;

        if (!strcmp(tok[i], "SRAT:")) {
            srat = true;
            continue;
        }
        if (!srat || strcmp(tok[i], "PXM") || i + 1 >= n ||
            !parse_u32_token(tok[i + 1], &p)) {
            continue;
        }
        /* "Node <n> PXM <p> [mem ...]" */
        if (i >= 2 && !strcmp(tok[i - 2], "Node") &&
            parse_u32_token(tok[i - 1], node)) {
            *pxm = p;
            found = true;
            break;
        }
        /* "PXM <p> -> ... -> Node <n>" */
        for (size_t j = i + 2; j + 2 < n; j++) {
            if (!strcmp(tok[j], "->") && !strcmp(tok[j + 1], "Node") &&
                parse_u32_token(tok[j + 2], node)) {
                *pxm = p;
                found = true;
                break;
            }
        }
    }
    free(copy);
    return found;
}

/* Parse the @len bytes at @s as a hex number (optional "0x"). */
static bool parse_hex_span(const char *s, size_t len, uint64_t *out)
{
    char *copy = xstrndup(s, len);
    bool ok = strlen(copy) == len && parse_u64(copy, 16, out);

    free(copy);
    return ok;
}

enum klog_e820 klog_parse_e820_line(const char *line, struct e820_entry *e)
{
    const char *p = klog_strip_prefix(line);
    const char *dash, *close, *type;
    uint64_t start, end;
    size_t tlen;

    if (strncmp(p, KLOG_E820_PREFIX, strlen(KLOG_E820_PREFIX))) {
        return KLOG_E820_NONE;
    }
    p += strlen(KLOG_E820_PREFIX);
    p += strspn(p, " ");
    /* "[gap ...]" (Linux 7.2) and anything else but "[mem ...]". */
    if (strncmp(p, "[mem ", 5)) {
        return KLOG_E820_NONE;
    }
    p += 5;
    close = strchr(p, ']');
    dash = close ? memchr(p, '-', (size_t)(close - p)) : NULL;
    if (!dash || !parse_hex_span(p, (size_t)(dash - p), &start) ||
        !parse_hex_span(dash + 1, (size_t)(close - dash - 1), &end) ||
        end < start) {
        return KLOG_E820_BAD;
    }
    type = close + 1;
    while (isspace((unsigned char)*type)) {
        type++;
    }
    tlen = strlen(type);
    while (tlen > 0 && isspace((unsigned char)type[tlen - 1])) {
        tlen--;
    }
    if (tlen == 0) {
        return KLOG_E820_BAD;
    }
    e->start = start;
    e->end = end;
    e->type = xstrndup(type, tlen);
    return KLOG_E820_ENTRY;
}

static int pxm_node_cmp(const void *a, const void *b)
{
    const struct pxm_node *x = a, *y = b;

    return x->pxm < y->pxm ? -1 : x->pxm > y->pxm;
}

void klog_parse(const char *text, size_t len, struct pxm_map *map,
                struct e820_list *e820, struct errlist *err)
{
    size_t off = 0;

    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t linelen = nl ? (size_t)(nl - (text + off)) : len - off;
        char *line = xstrndup(text + off, linelen);
        struct e820_entry e;
        uint32_t pxm, node;

        if (klog_parse_line(line, &pxm, &node)) {
            int64_t old = pxm_map_lookup(map, pxm);

            if (old < 0) {
                struct pxm_node *m = pxm_map_push(map);

                m->pxm = pxm;
                m->node = node;
            } else if (old != node) {
                err_add(err, "klog: PXM %" PRIu32 " is logged both on node "
                        "%" PRId64 " and on node %" PRIu32, pxm, old, node);
            }
        } else {
            switch (klog_parse_e820_line(line, &e)) {
            case KLOG_E820_ENTRY:
                *e820_list_push(e820) = e;
                break;
            case KLOG_E820_BAD:
                err_add(err, "klog: cannot parse BIOS-e820 line \"%s\"",
                        klog_strip_prefix(line));
                break;
            case KLOG_E820_NONE:
            default:
                break;
            }
        }
        free(line);
        off += linelen + 1;
    }
    qsort(map->items, map->n, sizeof(*map->items), pxm_node_cmp);
}

char *klog_read(const char *root, size_t *len, struct errlist *err)
{
    char *buf;
    int size, ret;

    if (!root_is_real(root)) {
        char *path = path_join(root, KLOG_FILE_PATH);

        ret = read_file(path, KLOG_MAX_SIZE, &buf, len);
        free(path);
        if (ret < 0) {
            err_add(err, "klog: %s: %s", KLOG_FILE_PATH, strerror(-ret));
            return NULL;
        }
        return buf;
    }

    size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
    if (size < 0) {
        err_add(err, "klog: klogctl(SIZE_BUFFER): %s", strerror(errno));
        return NULL;
    }
    if (size == 0 || (unsigned)size > KLOG_MAX_SIZE) {
        size = KLOG_MAX_SIZE;
    }
    buf = xmalloc((size_t)size + 1);
    ret = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
    if (ret < 0) {
        err_add(err, "klog: klogctl(READ_ALL): %s", strerror(errno));
        free(buf);
        return NULL;
    }
    buf[ret] = '\0';
    *len = (size_t)ret;
    return buf;
}
