/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: ACPI System Resource Affinity Table (SRAT) parser
 *
 * Layout (ACPI 6.5, 5.2.16): the 36-byte ACPI header, 12 reserved bytes,
 * then subtables, each starting with a u8 type and a u8 length.
 */
#include "srat.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Any table larger than this is not an SRAT we want to look at. */
#define SRAT_MAX_SIZE (16u << 20)

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
           (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void srat_init(struct srat *srat)
{
    srat->mem = NULL;
    srat->n_mem = 0;
    srat->cap_mem = 0;
}

void srat_free(struct srat *srat)
{
    free(srat->mem);
    srat_init(srat);
}

static void srat_add_mem(struct srat *srat, const uint8_t *p)
{
    struct srat_mem *m;

    grow_array((void **)&srat->mem, &srat->cap_mem, srat->n_mem,
               sizeof(*srat->mem));
    m = &srat->mem[srat->n_mem++];
    m->pxm = get_le32(p + 2);
    m->base = (uint64_t)get_le32(p + 12) << 32 | get_le32(p + 8);
    m->length = (uint64_t)get_le32(p + 20) << 32 | get_le32(p + 16);
    m->flags = get_le32(p + 28);
}

void srat_parse(const uint8_t *buf, size_t len, struct srat *srat,
                struct errlist *err)
{
    uint32_t table_len;
    size_t end, off;

    if (len < ACPI_HEADER_LEN) {
        err_add(err, "SRAT: truncated: read %zu bytes, shorter than the "
                "%d-byte ACPI header", len, ACPI_HEADER_LEN);
        return;
    }
    if (memcmp(buf, "SRAT", 4) != 0) {
        char sig[5];

        for (int i = 0; i < 4; i++) {
            sig[i] = buf[i] >= 0x20 && buf[i] < 0x7f ? (char)buf[i] : '?';
        }
        sig[4] = '\0';
        err_add(err, "SRAT: bad signature \"%s\"", sig);
        return;
    }

    table_len = get_le32(buf + 4);
    if (table_len < SRAT_HEADER_LEN) {
        err_add(err, "SRAT: header length %" PRIu32 " is less than %d",
                table_len, SRAT_HEADER_LEN);
        return;
    }
    if (table_len > len) {
        err_add(err, "SRAT: truncated: header length %" PRIu32 ", read %zu",
                table_len, len);
        end = len;
    } else {
        uint8_t sum = 0;

        if (table_len < len) {
            err_add(err, "SRAT: %zu bytes after the end of the table "
                    "(header length %" PRIu32 ") ignored",
                    len - table_len, table_len);
        }
        for (size_t i = 0; i < table_len; i++) {
            sum = (uint8_t)(sum + buf[i]);
        }
        if (sum != 0) {
            err_add(err, "SRAT: checksum mismatch: bytes sum to 0x%02x, "
                    "not 0", sum);
        }
        end = table_len;
    }

    for (off = SRAT_HEADER_LEN; off < end; ) {
        uint8_t type, sublen;

        if (end - off < 2) {
            err_add(err, "SRAT: subtable at offset 0x%zx: %zu byte(s) left, "
                    "no room for a subtable header", off, end - off);
            break;
        }
        type = buf[off];
        sublen = buf[off + 1];
        if (sublen < 2) {
            err_add(err, "SRAT: subtable at offset 0x%zx (type %u): "
                    "invalid length %u", off, type, sublen);
            break;
        }
        if (sublen > end - off) {
            err_add(err, "SRAT: subtable at offset 0x%zx (type %u, "
                    "length %u) runs past the end of the table at 0x%zx",
                    off, type, sublen, end);
            break;
        }
        if (type == SRAT_TYPE_MEMORY_AFFINITY) {
            if (sublen < SRAT_MEMORY_AFFINITY_LEN) {
                err_add(err, "SRAT: memory affinity at offset 0x%zx: "
                        "length %u, expected %d", off, sublen,
                        SRAT_MEMORY_AFFINITY_LEN);
            } else {
                srat_add_mem(srat, buf + off);
            }
        }
        off += sublen;
    }
}

void srat_read(const char *root, struct srat *srat, struct errlist *err)
{
    char *path = path_join(root, SRAT_SYSFS_PATH);
    size_t len;
    char *buf;
    int ret;

    ret = read_file(path, SRAT_MAX_SIZE, &buf, &len);
    if (ret < 0) {
        err_add(err, "SRAT: %s: %s", SRAT_SYSFS_PATH, strerror(-ret));
    } else {
        srat_parse((const uint8_t *)buf, len, srat, err);
        free(buf);
    }
    free(path);
}
