/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: what every ACPI table parser needs (header checks, fields)
 */
#ifndef SPM_PROBE_ACPI_H
#define SPM_PROBE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define ACPI_HEADER_LEN 36

/* Any table larger than this is not one we want to look at. */
#define ACPI_TABLE_MAX_SIZE (16u << 20)

static inline uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
           (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p + 4) << 32 | get_le32(p);
}

/*
 * Check the ACPI header of the @len bytes at @buf: signature @sig (4
 * characters, also the prefix of every message), a header length of at
 * least @min_len, the checksum.  Adds every problem to @err.  Returns
 * false if the table cannot be walked at all; otherwise true with *@end
 * the number of bytes to walk (the header length, or @len if fewer bytes
 * were read).
 */
bool acpi_table_check(const uint8_t *buf, size_t len, const char *sig,
                      size_t min_len, size_t *end, struct errlist *err);

/*
 * Read the table at @path (below @root, e.g. "/sys/firmware/acpi/tables/
 * SRAT") into an allocation (*@buf, *@len).  A missing file is an error
 * in @err unless @optional, when it gives false without one.
 */
bool acpi_table_read(const char *root, const char *path, const char *sig,
                     bool optional, uint8_t **buf, size_t *len,
                     struct errlist *err);

#endif
