/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: ACPI Heterogeneous Memory Attribute Table (HMAT) parser
 *
 * Layout (ACPI 6.3 and later, 5.2.27): the 36-byte ACPI header, 4
 * reserved bytes, then structures, each starting with a u16 type, 2
 * reserved bytes and a u32 length:
 * - type 0, Memory Proximity Domain Attributes (40 bytes): u16 flags at 8
 *   (bit 0: the initiator domain is valid), u32 initiator domain at 12,
 *   u32 memory domain at 16, reserved up to 40;
 * - type 1, System Locality Latency and Bandwidth Information: u8 flags
 *   at 8 (bits 0-3: memory hierarchy), u8 data type at 9, u8 minimum
 *   transfer size at 10, u32 number of initiator domains (s) at 12, u32
 *   number of target domains (t) at 16, u64 entry base unit at 24, then
 *   s u32 initiator domains, t u32 target domains and s * t u16 entries,
 *   row by row (one row per initiator);
 * - type 2, Memory Side Cache Information: u32 memory domain at 8, u64
 *   cache size at 16, u32 cache attributes at 24, u16 number of SMBIOS
 *   handles at 30, the u16 handles from 32.
 */
#include "hmat.h"

#include <inttypes.h>
#include <stdlib.h>

void hmat_init(struct hmat *h)
{
    hmat_mpda_list_init(&h->mpda);
    hmat_lb_list_init(&h->lb);
    h->n_lb_structs = 0;
    hmat_cache_list_init(&h->cache);
}

void hmat_free(struct hmat *h)
{
    hmat_mpda_list_free(&h->mpda);
    hmat_lb_list_free(&h->lb);
    hmat_cache_list_free(&h->cache);
    hmat_init(h);
}

const char *hmat_lb_type_name(uint8_t data_type)
{
    static const char *const names[] = {
        [HMAT_LB_ACCESS_LATENCY] = "access_latency",
        [HMAT_LB_READ_LATENCY] = "read_latency",
        [HMAT_LB_WRITE_LATENCY] = "write_latency",
        [HMAT_LB_ACCESS_BANDWIDTH] = "access_bandwidth",
        [HMAT_LB_READ_BANDWIDTH] = "read_bandwidth",
        [HMAT_LB_WRITE_BANDWIDTH] = "write_bandwidth",
    };

    return data_type < ARRAY_SIZE(names) ? names[data_type] : NULL;
}

const char *hmat_lb_hierarchy_name(uint8_t flags)
{
    static const char *const names[] = {
        "memory", "cache1", "cache2", "cache3",
    };

    return (flags & 0xf) < ARRAY_SIZE(names) ? names[flags & 0xf] : NULL;
}

bool hmat_lb_value(const struct hmat_lb *lb, uint64_t *value)
{
    if (lb->entry == HMAT_LB_ENTRY_NONE ||
        lb->entry == HMAT_LB_ENTRY_UNREACHABLE ||
        lb->base_unit > UINT64_MAX / lb->entry) {
        return false;
    }
    *value = lb->base_unit * lb->entry;
    return true;
}

static void parse_mpda(const uint8_t *p, size_t off, uint32_t len,
                       struct hmat *h, struct errlist *err)
{
    struct hmat_mpda *m;

    if (len < HMAT_MPDA_LEN) {
        err_add(err, "HMAT: memory proximity domain attributes at offset "
                "0x%zx: length %" PRIu32 ", expected %d", off, len,
                HMAT_MPDA_LEN);
        return;
    }
    m = hmat_mpda_list_push(&h->mpda);
    m->flags = get_le16(p + 8);
    m->initiator_pd = get_le32(p + 12);
    m->memory_pd = get_le32(p + 16);
}

static void parse_lb(const uint8_t *p, size_t off, uint32_t len,
                     struct hmat *h, struct errlist *err)
{
    uint32_t ni, nt;
    uint64_t need;
    const uint8_t *inits, *targets, *entries;

    if (len < HMAT_LB_LEN) {
        err_add(err, "HMAT: latency/bandwidth structure at offset 0x%zx: "
                "length %" PRIu32 ", less than %d", off, len, HMAT_LB_LEN);
        return;
    }
    ni = get_le32(p + 12);
    nt = get_le32(p + 16);
    /* Counts up to len / 4 keep the size below 2^63: no wrap-around. */
    need = UINT64_MAX;
    if (ni <= len / 4 && nt <= len / 4) {
        need = HMAT_LB_LEN + 4 * ((uint64_t)ni + nt) + 2 * (uint64_t)ni * nt;
    }
    if (need > len) {
        err_add(err, "HMAT: latency/bandwidth structure at offset 0x%zx: "
                "%" PRIu32 " initiator(s) and %" PRIu32 " target(s) do not "
                "fit in its length %" PRIu32, off, ni, nt, len);
        return;
    }
    if ((uint64_t)ni * nt > HMAT_LB_MAX_ENTRIES - h->lb.n) {
        err_add(err, "HMAT: latency/bandwidth structure at offset 0x%zx: "
                "%" PRIu32 " x %" PRIu32 " entries, more than %d in all",
                off, ni, nt, HMAT_LB_MAX_ENTRIES);
        return;
    }
    if (!hmat_lb_hierarchy_name(p[8])) {
        err_add(err, "HMAT: latency/bandwidth structure at offset 0x%zx: "
                "reserved memory hierarchy %u", off, p[8] & 0xf);
        return;
    }
    if (!hmat_lb_type_name(p[9])) {
        err_add(err, "HMAT: latency/bandwidth structure at offset 0x%zx: "
                "reserved data type %u", off, p[9]);
        return;
    }
    inits = p + HMAT_LB_LEN;
    targets = inits + 4 * (size_t)ni;
    entries = targets + 4 * (size_t)nt;
    for (uint32_t i = 0; i < ni; i++) {
        for (uint32_t t = 0; t < nt; t++) {
            struct hmat_lb *lb = hmat_lb_list_push(&h->lb);

            lb->index = h->n_lb_structs;
            lb->flags = p[8];
            lb->data_type = p[9];
            lb->min_transfer = p[10];
            lb->base_unit = get_le64(p + 24);
            lb->initiator_pd = get_le32(inits + 4 * (size_t)i);
            lb->target_pd = get_le32(targets + 4 * (size_t)t);
            lb->entry = get_le16(entries + 2 * ((size_t)i * nt + t));
        }
    }
    h->n_lb_structs++;
}

static void parse_cache(const uint8_t *p, size_t off, uint32_t len,
                        struct hmat *h, struct errlist *err)
{
    struct hmat_cache *c;
    uint16_t n;

    if (len < HMAT_CACHE_LEN) {
        err_add(err, "HMAT: memory side cache structure at offset 0x%zx: "
                "length %" PRIu32 ", less than %d", off, len, HMAT_CACHE_LEN);
        return;
    }
    n = get_le16(p + 30);
    if (HMAT_CACHE_LEN + 2 * (uint32_t)n > len) {
        err_add(err, "HMAT: memory side cache structure at offset 0x%zx: "
                "%u SMBIOS handle(s) need %u bytes, its length is %" PRIu32,
                off, n, HMAT_CACHE_LEN + 2 * (unsigned)n, len);
        return;
    }
    c = hmat_cache_list_push(&h->cache);
    c->memory_pd = get_le32(p + 8);
    c->size = get_le64(p + 16);
    c->attributes = get_le32(p + 24);
    c->n_smbios = n;
}

void hmat_parse(const uint8_t *buf, size_t len, struct hmat *h,
                struct errlist *err)
{
    size_t end, off;

    if (!acpi_table_check(buf, len, "HMAT", HMAT_HEADER_LEN, &end, err)) {
        return;
    }

    for (off = HMAT_HEADER_LEN; off < end; ) {
        uint16_t type;
        uint32_t sublen;

        if (end - off < HMAT_STRUCT_HEADER_LEN) {
            err_add(err, "HMAT: structure at offset 0x%zx: %zu byte(s) "
                    "left, no room for a structure header", off, end - off);
            break;
        }
        type = get_le16(buf + off);
        sublen = get_le32(buf + off + 4);
        if (sublen < HMAT_STRUCT_HEADER_LEN) {
            err_add(err, "HMAT: structure at offset 0x%zx (type %u): "
                    "invalid length %" PRIu32, off, type, sublen);
            break;
        }
        if (sublen > end - off) {
            err_add(err, "HMAT: structure at offset 0x%zx (type %u, "
                    "length %" PRIu32 ") runs past the end of the table "
                    "at 0x%zx", off, type, sublen, end);
            break;
        }
        switch (type) {
        case HMAT_TYPE_MPDA:
            parse_mpda(buf + off, off, sublen, h, err);
            break;
        case HMAT_TYPE_LB:
            parse_lb(buf + off, off, sublen, h, err);
            break;
        case HMAT_TYPE_CACHE:
            parse_cache(buf + off, off, sublen, h, err);
            break;
        default:
            break;          /* a later revision's structure: skip it */
        }
        off += sublen;
    }
}

void hmat_read(const char *root, struct hmat *h, struct errlist *err)
{
    uint8_t *buf;
    size_t len;

    if (acpi_table_read(root, HMAT_SYSFS_PATH, "HMAT", true, &buf, &len,
                        err)) {
        hmat_parse(buf, len, h, err);
        free(buf);
    }
}
