/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: what every ACPI table parser needs (header checks, fields)
 *
 * The header (ACPI 6.5, 5.2.6): signature (4 bytes), length (u32 at 4),
 * revision (8), checksum (9; all bytes of the table sum to 0), OEM ids.
 */
#include "acpi.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

bool acpi_table_check(const uint8_t *buf, size_t len, const char *sig,
                      size_t min_len, size_t *end, struct errlist *err)
{
    uint32_t table_len;

    if (len < ACPI_HEADER_LEN) {
        err_add(err, "%s: truncated: read %zu bytes, shorter than the "
                "%d-byte ACPI header", sig, len, ACPI_HEADER_LEN);
        return false;
    }
    if (memcmp(buf, sig, 4) != 0) {
        char got[5];

        for (int i = 0; i < 4; i++) {
            got[i] = buf[i] >= 0x20 && buf[i] < 0x7f ? (char)buf[i] : '?';
        }
        got[4] = '\0';
        err_add(err, "%s: bad signature \"%s\"", sig, got);
        return false;
    }

    table_len = get_le32(buf + 4);
    if (table_len < min_len) {
        err_add(err, "%s: header length %" PRIu32 " is less than %zu",
                sig, table_len, min_len);
        return false;
    }
    if (table_len > len) {
        err_add(err, "%s: truncated: header length %" PRIu32 ", read %zu",
                sig, table_len, len);
        *end = len;
    } else {
        uint8_t sum = 0;

        if (table_len < len) {
            err_add(err, "%s: %zu bytes after the end of the table "
                    "(header length %" PRIu32 ") ignored",
                    sig, len - table_len, table_len);
        }
        for (size_t i = 0; i < table_len; i++) {
            sum = (uint8_t)(sum + buf[i]);
        }
        if (sum != 0) {
            err_add(err, "%s: checksum mismatch: bytes sum to 0x%02x, "
                    "not 0", sig, sum);
        }
        *end = table_len;
    }
    return true;
}

bool acpi_table_read(const char *root, const char *path, const char *sig,
                     bool optional, uint8_t **buf, size_t *len,
                     struct errlist *err)
{
    char *full = path_join(root, path);
    char *data;
    int ret;

    ret = read_file(full, ACPI_TABLE_MAX_SIZE, &data, len);
    free(full);
    if (ret < 0) {
        if (!(optional && ret == -ENOENT)) {
            err_add(err, "%s: %s: %s", sig, path, strerror(-ret));
        }
        return false;
    }
    *buf = (uint8_t *)data;
    return true;
}
