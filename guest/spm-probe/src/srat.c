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

void srat_init(struct srat *srat)
{
    srat_mem_list_init(&srat->mem);
}

void srat_free(struct srat *srat)
{
    srat_mem_list_free(&srat->mem);
}

static void srat_add_mem(struct srat *srat, const uint8_t *p)
{
    struct srat_mem *m = srat_mem_list_push(&srat->mem);

    m->pxm = get_le32(p + 2);
    m->base = get_le64(p + 8);
    m->length = get_le64(p + 16);
    m->flags = get_le32(p + 28);
}

void srat_parse(const uint8_t *buf, size_t len, struct srat *srat,
                struct errlist *err)
{
    size_t end, off;

    if (!acpi_table_check(buf, len, "SRAT", SRAT_HEADER_LEN, &end, err)) {
        return;
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
    uint8_t *buf;
    size_t len;

    if (acpi_table_read(root, SRAT_SYSFS_PATH, "SRAT", false, &buf, &len,
                        err)) {
        srat_parse(buf, len, srat, err);
        free(buf);
    }
}
