/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: HMAT parser and its report lines
 */
#include <stdlib.h>
#include <string.h>

#include "hmat.h"
#include "report.h"
#include "testutil.h"

static const uint32_t INITS[] = { 0 };
static const uint32_t TARGETS[] = { 0, 1, 2 };

/*
 * A table like QEMU's for node 0 (CPUs and DRAM), node 1 (HBM-like SPM)
 * and node 2 (slow SPM), all reached from initiator 0: attributes of the
 * three memory domains, access latency (base 1000 ps) and bandwidth
 * (base 1 MB/s), read latency from a second initiator list with one
 * unreachable and one missing entry, a memory side cache on node 1 with
 * two SMBIOS handles and a structure of a type from a later revision.
 */
static void build_valid(struct hmat_builder *b)
{
    static const uint16_t lat[] = { 10, 5, 40 };
    static const uint16_t bw[] = { 10240, 40960, 2560 };
    static const uint32_t inits2[] = { 0, 3 };
    static const uint32_t targets2[] = { 1, 2 };
    static const uint16_t rlat[] = { 7, 0xffff, 0, 9 };

    hmat_begin(b);
    hmat_add_mpda(b, 1, 0, 0);
    hmat_add_mpda(b, 1, 0, 1);
    hmat_add_mpda(b, 0, 0, 2);
    hmat_add_lb(b, 0, HMAT_LB_ACCESS_LATENCY, 1000, 1, INITS, 3, TARGETS,
                lat);
    hmat_add_lb(b, 0, HMAT_LB_ACCESS_BANDWIDTH, 1, 1, INITS, 3, TARGETS,
                bw);
    hmat_add_raw(b, 7, 12);
    hmat_add_lb(b, 1, HMAT_LB_READ_LATENCY, 100, 2, inits2, 2, targets2,
                rlat);
    /* 1 level, level 1, direct mapped, write-back, 64-byte lines. */
    hmat_add_cache(b, 1, 0x10000000, 64u << 16 | 1u << 12 | 1u << 8 |
                   1u << 4 | 1u, 2);
    hmat_finish(b);
}

static void parse(const uint8_t *buf, size_t len, struct hmat *h,
                  struct errlist *err)
{
    hmat_init(h);
    errlist_init(err);
    hmat_parse(buf, len, h, err);
}

static void done(struct hmat *h, struct errlist *err)
{
    hmat_free(h);
    errlist_free(err);
}

static void check_lb(const struct hmat *h, size_t i, size_t index,
                     uint8_t type, uint64_t base, uint32_t init,
                     uint32_t target, uint16_t entry)
{
    char what[64];

    if (!CHECK(i < h->lb.n, "lb entry %zu exists", i)) {
        return;
    }
    snprintf(what, sizeof(what), "lb %zu structure index", i);
    CHECK_U64(h->lb.items[i].index, index, what);
    snprintf(what, sizeof(what), "lb %zu data type", i);
    CHECK_U64(h->lb.items[i].data_type, type, what);
    snprintf(what, sizeof(what), "lb %zu base unit", i);
    CHECK_U64(h->lb.items[i].base_unit, base, what);
    snprintf(what, sizeof(what), "lb %zu initiator", i);
    CHECK_U64(h->lb.items[i].initiator_pd, init, what);
    snprintf(what, sizeof(what), "lb %zu target", i);
    CHECK_U64(h->lb.items[i].target_pd, target, what);
    snprintf(what, sizeof(what), "lb %zu entry", i);
    CHECK_U64(h->lb.items[i].entry, entry, what);
}

/* The report lines of @h, as one allocated string. */
static char *report_of(const struct hmat *h)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f) {
        abort();
    }
    report_hmat(f, h);
    fclose(f);
    return buf;
}

static void test_valid(void)
{
    struct hmat_builder b;
    struct errlist err;
    struct hmat h;
    char *text;

    printf("# valid table: attributes, latency, bandwidth, cache\n");
    build_valid(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 0, "valid table");
    CHECK(h.mpda.n == 3, "3 proximity domain attributes (got %zu)", h.mpda.n);
    if (h.mpda.n == 3) {
        CHECK(h.mpda.items[1].flags == 1 &&
              h.mpda.items[1].initiator_pd == 0 &&
              h.mpda.items[1].memory_pd == 1, "node 1's attributes");
        CHECK(h.mpda.items[2].flags == 0 && h.mpda.items[2].memory_pd == 2,
              "node 2 without a valid initiator");
    }
    CHECK(h.n_lb_structs == 3, "3 latency/bandwidth structures (got %zu)",
          h.n_lb_structs);
    CHECK(h.lb.n == 10, "3 + 3 + 4 entries (got %zu)", h.lb.n);
    check_lb(&h, 0, 0, HMAT_LB_ACCESS_LATENCY, 1000, 0, 0, 10);
    check_lb(&h, 1, 0, HMAT_LB_ACCESS_LATENCY, 1000, 0, 1, 5);
    check_lb(&h, 2, 0, HMAT_LB_ACCESS_LATENCY, 1000, 0, 2, 40);
    check_lb(&h, 5, 1, HMAT_LB_ACCESS_BANDWIDTH, 1, 0, 2, 2560);
    /* Row by row: initiator 3's row is the second. */
    check_lb(&h, 6, 2, HMAT_LB_READ_LATENCY, 100, 0, 1, 7);
    check_lb(&h, 7, 2, HMAT_LB_READ_LATENCY, 100, 0, 2, 0xffff);
    check_lb(&h, 8, 2, HMAT_LB_READ_LATENCY, 100, 3, 1, 0);
    check_lb(&h, 9, 2, HMAT_LB_READ_LATENCY, 100, 3, 2, 9);
    CHECK(h.cache.n == 1, "1 cache structure (got %zu)", h.cache.n);
    if (h.cache.n == 1) {
        CHECK_U64(h.cache.items[0].memory_pd, 1, "cache domain");
        CHECK_U64(h.cache.items[0].size, 0x10000000, "cache size");
        CHECK_U64(h.cache.items[0].n_smbios, 2, "SMBIOS handles");
    }

    text = report_of(&h);
    CHECK_STR(text,
              "hmat_mpda memory_pd=0 initiator_valid=1 initiator_pd=0 flags=0x1\n"
              "hmat_mpda memory_pd=1 initiator_valid=1 initiator_pd=0 flags=0x1\n"
              "hmat_mpda memory_pd=2 initiator_valid=0 initiator_pd=0 flags=0x0\n"
              "hmat_lb index=0 hierarchy=memory type=access_latency data_type=0 flags=0x0 min_transfer=0 base_unit=1000 initiator_pd=0 target_pd=0 entry=10 value=10000 unit=ps\n"
              "hmat_lb index=0 hierarchy=memory type=access_latency data_type=0 flags=0x0 min_transfer=0 base_unit=1000 initiator_pd=0 target_pd=1 entry=5 value=5000 unit=ps\n"
              "hmat_lb index=0 hierarchy=memory type=access_latency data_type=0 flags=0x0 min_transfer=0 base_unit=1000 initiator_pd=0 target_pd=2 entry=40 value=40000 unit=ps\n"
              "hmat_lb index=1 hierarchy=memory type=access_bandwidth data_type=3 flags=0x0 min_transfer=0 base_unit=1 initiator_pd=0 target_pd=0 entry=10240 value=10240 unit=MBps\n"
              "hmat_lb index=1 hierarchy=memory type=access_bandwidth data_type=3 flags=0x0 min_transfer=0 base_unit=1 initiator_pd=0 target_pd=1 entry=40960 value=40960 unit=MBps\n"
              "hmat_lb index=1 hierarchy=memory type=access_bandwidth data_type=3 flags=0x0 min_transfer=0 base_unit=1 initiator_pd=0 target_pd=2 entry=2560 value=2560 unit=MBps\n"
              "hmat_lb index=2 hierarchy=cache1 type=read_latency data_type=1 flags=0x1 min_transfer=0 base_unit=100 initiator_pd=0 target_pd=1 entry=7 value=700 unit=ps\n"
              "hmat_lb index=2 hierarchy=cache1 type=read_latency data_type=1 flags=0x1 min_transfer=0 base_unit=100 initiator_pd=0 target_pd=2 entry=65535 value=unreachable unit=ps\n"
              "hmat_lb index=2 hierarchy=cache1 type=read_latency data_type=1 flags=0x1 min_transfer=0 base_unit=100 initiator_pd=3 target_pd=1 entry=0 value=none unit=ps\n"
              "hmat_lb index=2 hierarchy=cache1 type=read_latency data_type=1 flags=0x1 min_transfer=0 base_unit=100 initiator_pd=3 target_pd=2 entry=9 value=900 unit=ps\n"
              "hmat_cache memory_pd=1 size=0x10000000 total_levels=1 level=1 associativity=1 write_policy=1 line_size=64 smbios_handles=2\n",
              "report lines");
    free(text);
    done(&h, &err);
}

static void test_values(void)
{
    struct hmat_lb lb = { .base_unit = 1000, .entry = 3 };
    uint64_t v = 0;

    printf("# entry values\n");
    CHECK(hmat_lb_value(&lb, &v) && v == 3000, "3 x 1000 = 3000");
    lb.entry = 0;
    CHECK(!hmat_lb_value(&lb, &v), "entry 0 has no value");
    lb.entry = 0xffff;
    CHECK(!hmat_lb_value(&lb, &v), "entry 0xffff (unreachable) has none");
    lb.entry = 0xfffe;
    lb.base_unit = UINT64_MAX / 0xfffe;
    CHECK(hmat_lb_value(&lb, &v) && v == UINT64_MAX / 0xfffe * 0xfffe,
          "the largest product that fits");
    lb.base_unit++;
    CHECK(!hmat_lb_value(&lb, &v), "a product past 64 bits has none");
    CHECK_STR(hmat_lb_type_name(5), "write_bandwidth", "type 5");
    CHECK(hmat_lb_type_name(6) == NULL, "type 6 is reserved");
    CHECK_STR(hmat_lb_hierarchy_name(0x13), "cache3", "hierarchy 3");
    CHECK(hmat_lb_hierarchy_name(4) == NULL, "hierarchy 4 is reserved");

    {
        struct hmat h;
        char *text;

        hmat_init(&h);
        h.lb.items = &lb;
        h.lb.n = 1;
        lb.data_type = HMAT_LB_WRITE_BANDWIDTH;
        text = report_of(&h);
        CHECK(strstr(text, " value=overflow unit=MBps\n") != NULL,
              "an overflowing value is reported as such: %s", text);
        free(text);
    }
}

static void test_truncated(void)
{
    struct hmat_builder b;
    struct errlist err;
    struct hmat h;

    printf("# truncated inside the first latency structure\n");
    build_valid(&b);
    /*
     * 40 header + 3 x 40 attributes = 160; the structure is 32 + 4 x 4
     * + 3 x 2 = 54 bytes long.
     */
    parse(b.buf, 180, &h, &err);
    CHECK(err.n >= 1 && !strncmp(err.items[0], "HMAT: truncated: header "
                                 "length ", 31), "truncation reported first");
    CHECK(err_contains(&err, "HMAT: structure at offset 0xa0 (type 1, "
                       "length 54) runs past the end of the table at 0xb4"),
          "the cut structure is reported");
    check_nerr(&err, 2, "cut at 180");
    CHECK(h.mpda.n == 3 && h.lb.n == 0, "the 3 attributes are parsed, no "
          "entry of the cut structure (%zu, %zu)", h.mpda.n, h.lb.n);
    done(&h, &err);

    printf("# shorter than the ACPI header\n");
    parse(b.buf, 30, &h, &err);
    check_nerr(&err, 1, "30 bytes");
    CHECK(err_contains(&err, "HMAT: truncated: read 30 bytes, shorter than "
                       "the 36-byte ACPI header"), "error");
    done(&h, &err);

    printf("# every prefix of a valid table: no crash, always an error\n");
    {
        bool all_errors = true, all_sane = true;

        for (size_t len = 0; len < b.len; len++) {
            parse(b.buf, len, &h, &err);
            all_errors = all_errors && err.n > 0;
            all_sane = all_sane && h.mpda.n <= 3 && h.lb.n <= 10 &&
                       h.cache.n <= 1;
            done(&h, &err);
        }
        CHECK(all_errors, "every proper prefix reports an error");
        CHECK(all_sane, "no prefix yields more than the table has");
    }
}

static void test_header(void)
{
    struct hmat_builder b;
    struct errlist err;
    struct hmat h;

    printf("# wrong signature\n");
    build_valid(&b);
    memcpy(b.buf, "SRAT", 4);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "wrong signature");
    CHECK_STR(err.n ? err.items[0] : NULL, "HMAT: bad signature \"SRAT\"",
              "error");
    CHECK(h.mpda.n == 0 && h.lb.n == 0, "nothing parsed");
    done(&h, &err);

    printf("# header length below 40\n");
    build_valid(&b);
    b.buf[4] = 36;
    b.buf[5] = b.buf[6] = b.buf[7] = 0;
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "header length 36");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "HMAT: header length 36 is less than 40", "error");
    done(&h, &err);

    printf("# bad checksum: reported, table still parsed\n");
    build_valid(&b);
    b.buf[20] ^= 1;
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "bad checksum");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "HMAT: checksum mismatch: bytes sum to 0x01, not 0", "error");
    CHECK(h.lb.n == 10, "all entries parsed anyway");
    done(&h, &err);

    printf("# minimal table, no structures\n");
    hmat_begin(&b);
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 0, "empty HMAT");
    done(&h, &err);
}

static void test_structures(void)
{
    static const uint16_t two[] = { 1, 2 };
    struct hmat_builder b;
    struct errlist err;
    struct hmat h;
    uint8_t *p;

    printf("# structure length below 8 stops the walk\n");
    hmat_begin(&b);
    hmat_add_mpda(&b, 1, 0, 0);
    p = hmat_add_raw(&b, 0, 8);
    p[4] = 4;
    hmat_add_mpda(&b, 1, 0, 1);
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "length 4");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "HMAT: structure at offset 0x50 (type 0): invalid length 4",
              "error");
    CHECK(h.mpda.n == 1, "the structure before it is parsed (got %zu)",
          h.mpda.n);
    done(&h, &err);

    printf("# structure length past the end\n");
    p[4] = 0xff;
    p[5] = 0xff;
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "overrun");
    CHECK(err_contains(&err, "(type 0, length 65535) runs past the end of "
                       "the table at 0x80"), "error");
    done(&h, &err);

    printf("# fewer than 8 bytes left\n");
    hmat_begin(&b);
    hmat_add_mpda(&b, 1, 0, 0);
    b.len += 5;
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "5 bytes left");
    CHECK(err_contains(&err, "structure at offset 0x50: 5 byte(s) left"),
          "error");
    CHECK(h.mpda.n == 1, "the attributes are parsed");
    done(&h, &err);

    printf("# short attributes, cache and latency structures: skipped, "
           "walk goes on\n");
    hmat_begin(&b);
    hmat_add_raw(&b, 0, 24);
    hmat_add_raw(&b, 1, 28);
    hmat_add_raw(&b, 2, 16);
    hmat_add_mpda(&b, 1, 0, 4);
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 3, "short structures");
    CHECK(err_contains(&err, "HMAT: memory proximity domain attributes at "
                       "offset 0x28: length 24, expected 40"), "attributes");
    CHECK(err_contains(&err, "HMAT: latency/bandwidth structure at offset "
                       "0x40: length 28, less than 32"), "latency");
    CHECK(err_contains(&err, "HMAT: memory side cache structure at offset "
                       "0x5c: length 16, less than 32"), "cache");
    CHECK(h.mpda.n == 1 && h.mpda.items[0].memory_pd == 4,
          "the attributes after them are parsed");
    done(&h, &err);

    printf("# latency structure whose counts need more than its length\n");
    hmat_begin(&b);
    hmat_add_lb(&b, 0, 0, 1000, 1, INITS, 2, TARGETS, two);
    p = b.buf + 40;
    p[16] = 3;                  /* 3 targets: 2 bytes more than it has */
    hmat_add_mpda(&b, 1, 0, 1);
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "counts");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "HMAT: latency/bandwidth structure at offset 0x28: 1 "
              "initiator(s) and 3 target(s) do not fit in its length 48",
              "error");
    CHECK(h.lb.n == 0 && h.mpda.n == 1, "no entries; the next structure "
          "is parsed");
    done(&h, &err);

    printf("# counts of 2^32 - 1 (the size must not wrap around)\n");
    memset(p + 12, 0xff, 8);
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "huge counts");
    CHECK(err_contains(&err, "4294967295 initiator(s) and 4294967295 "
                       "target(s) do not fit in its length 48"), "error");
    CHECK(h.mpda.n == 1, "the next structure is parsed");
    CHECK(h.lb.n == 0, "no entries");
    done(&h, &err);

    printf("# reserved data type and hierarchy: skipped\n");
    hmat_begin(&b);
    hmat_add_lb(&b, 0, 6, 1000, 1, INITS, 2, TARGETS, two);
    hmat_add_lb(&b, 4, 0, 1000, 1, INITS, 2, TARGETS, two);
    hmat_add_lb(&b, 0, 2, 1000, 1, INITS, 2, TARGETS, two);
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 2, "reserved values");
    CHECK(err_contains(&err, "structure at offset 0x28: reserved data "
                       "type 6"), "data type");
    CHECK(err_contains(&err, "structure at offset 0x58: reserved memory "
                       "hierarchy 4"), "hierarchy");
    CHECK(h.lb.n == 2 && h.lb.items[0].data_type == 2 &&
          h.lb.items[0].index == 0,
          "the valid structure is parsed, as the first one");
    done(&h, &err);

    printf("# cache structure with more SMBIOS handles than room\n");
    hmat_begin(&b);
    hmat_add_cache(&b, 1, 0x1000, 0x1, 2);
    b.buf[40 + 30] = 3;
    hmat_finish(&b);
    parse(b.buf, b.len, &h, &err);
    check_nerr(&err, 1, "SMBIOS handles");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "HMAT: memory side cache structure at offset 0x28: 3 SMBIOS "
              "handle(s) need 38 bytes, its length is 36", "error");
    CHECK(h.cache.n == 0, "skipped");
    done(&h, &err);

    printf("# more than %d entries in all\n", HMAT_LB_MAX_ENTRIES);
    {
        uint32_t ni = 300, nt = 220;
        size_t len = 40 + 32 + 4 * (ni + nt) + 2 * (size_t)ni * nt;
        uint8_t *big = calloc(1, len);

        memcpy(big, b.buf, 40);
        big[40] = 1;
        big[44] = (uint8_t)(len - 40);
        big[45] = (uint8_t)((len - 40) >> 8);
        big[46] = (uint8_t)((len - 40) >> 16);
        big[40 + 12] = (uint8_t)ni;
        big[40 + 13] = (uint8_t)(ni >> 8);
        big[40 + 16] = (uint8_t)nt;
        big[40 + 17] = (uint8_t)(nt >> 8);
        big[4] = (uint8_t)len;
        big[5] = (uint8_t)(len >> 8);
        big[6] = (uint8_t)(len >> 16);
        big[9] = 0;
        {
            uint8_t sum = 0;

            for (size_t i = 0; i < len; i++) {
                sum = (uint8_t)(sum + big[i]);
            }
            big[9] = (uint8_t)(0 - sum);
        }
        parse(big, len, &h, &err);
        check_nerr(&err, 1, "too many entries");
        CHECK(err_contains(&err, "300 x 220 entries, more than 65536 in all"),
              "error");
        CHECK(h.lb.n == 0, "none kept");
        done(&h, &err);
        free(big);
    }

    printf("# pseudo-random garbage after a valid header: no crash\n");
    {
        uint32_t x = 4321;
        bool sane = true;

        for (int round = 0; round < 3000; round++) {
            size_t len = 40 + (size_t)round % 300;

            hmat_begin(&b);
            for (size_t i = 40; i < len; i++) {
                x = x * 1103515245u + 12345u;
                b.buf[i] = (uint8_t)(x >> 16);
            }
            /* Make small structure types and lengths likely. */
            if (round % 2) {
                b.buf[40] = (uint8_t)(round % 3);
                b.buf[41] = 0;
                b.buf[44] = (uint8_t)(len - 40);
                b.buf[45] = b.buf[46] = b.buf[47] = 0;
                b.buf[52] = b.buf[53] = b.buf[54] = 0;
                b.buf[56] = b.buf[57] = b.buf[58] = 0;
            }
            b.len = len;
            hmat_finish(&b);
            parse(b.buf, b.len, &h, &err);
            sane = sane && h.mpda.n <= (len - 40) / 40 &&
                   h.lb.n <= (len - 40) / 2;
            done(&h, &err);
        }
        CHECK(sane, "3000 garbage tables parsed, counts plausible");
    }
}

static void test_read(void)
{
    struct hmat_builder b;
    struct errlist err;
    struct hmat h;
    char *root = tree_new();

    printf("# hmat_read on a fake tree\n");
    hmat_init(&h);
    errlist_init(&err);
    hmat_read(root, &h, &err);
    check_nerr(&err, 0, "no HMAT: not an error");
    done(&h, &err);

    tree_mkdir(root, "sys/firmware/acpi/tables/HMAT");
    hmat_init(&h);
    errlist_init(&err);
    hmat_read(root, &h, &err);
    check_nerr(&err, 1, "a directory instead of the table");
    CHECK(err_contains(&err, "HMAT: /sys/firmware/acpi/tables/HMAT: Is a "
                       "directory"), "error names the file");
    done(&h, &err);
    tree_remove(root);

    root = tree_new();
    build_valid(&b);
    tree_write_bin(root, "sys/firmware/acpi/tables/HMAT", b.buf, b.len);
    hmat_init(&h);
    errlist_init(&err);
    hmat_read(root, &h, &err);
    check_nerr(&err, 0, "HMAT file");
    CHECK(h.mpda.n == 3 && h.lb.n == 10 && h.cache.n == 1,
          "everything read from the file");
    done(&h, &err);
    tree_remove(root);
}

int main(void)
{
    test_valid();
    test_values();
    test_truncated();
    test_header();
    test_structures();
    test_read();
    return test_done();
}
