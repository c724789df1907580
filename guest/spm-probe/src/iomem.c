/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: /proc/iomem parser
 */
#include "iomem.h"

#include <stdlib.h>
#include <string.h>

#define IOMEM_MAX_SIZE (4u << 20)

void iomem_entry_free(struct iomem_entry *e)
{
    free(e->name);
}

/* Parse a hex number at *@p, advancing *@p past it. */
static bool parse_hex_prefix(const char **p, uint64_t *out)
{
    const char *s = *p;
    size_t len = strspn(s, "0123456789abcdefABCDEF");
    char buf[17];

    if (len == 0 || len > 16) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    *p = s + len;
    return parse_u64(buf, 16, out);
}

/* Parse one line (without its newline); false if it is malformed. */
static bool iomem_parse_line(const char *line, struct iomem_entry *e)
{
    const char *p = line;
    size_t indent = strspn(p, " ");

    p += indent;
    if (indent % 2 || !parse_hex_prefix(&p, &e->start) || *p++ != '-' ||
        !parse_hex_prefix(&p, &e->end) || strncmp(p, " : ", 3) != 0 ||
        p[3] == '\0' || e->end < e->start) {
        return false;
    }
    e->depth = (unsigned)(indent / 2);
    e->name = xstrdup(p + 3);
    return true;
}

void iomem_parse(const char *text, struct iomem *io, struct errlist *err)
{
    unsigned lineno = 0;
    const char *p = text;

    while (*p) {
        size_t len = strcspn(p, "\n");
        char *line = xstrndup(p, len);
        struct iomem_entry e;

        lineno++;
        if (line[0] != '\0') {
            if (iomem_parse_line(line, &e)) {
                *iomem_push(io) = e;
            } else {
                err_add(err, "iomem: line %u: cannot parse \"%s\"",
                        lineno, line);
            }
        }
        free(line);
        p += len;
        if (*p == '\n') {
            p++;
        }
    }
}

void iomem_read(const char *root, struct iomem *io, struct errlist *err)
{
    char *path = path_join(root, IOMEM_PROC_PATH);
    size_t len;
    char *buf;
    int ret;

    ret = read_file(path, IOMEM_MAX_SIZE, &buf, &len);
    if (ret < 0) {
        err_add(err, "iomem: %s: %s", IOMEM_PROC_PATH, strerror(-ret));
    } else {
        if (strlen(buf) != len) {
            err_add(err, "iomem: %s: contains NUL bytes", IOMEM_PROC_PATH);
        }
        iomem_parse(buf, io, err);
        free(buf);
    }
    free(path);
}

bool iomem_is_reported(const struct iomem_entry *e)
{
    return e->depth == 0 && (!strcmp(e->name, "System RAM") ||
                             !strcmp(e->name, "Soft Reserved"));
}
