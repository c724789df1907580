/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: SRAT parser
 */
#include <stdlib.h>
#include <string.h>

#include "srat.h"
#include "testutil.h"

/*
 * A table like QEMU's for 2 CPUs, RAM on node 0, SPM on node 1 and a
 * hot-pluggable umbrella: APIC, x2APIC, generic initiator and memory
 * affinity entries mixed.
 */
static void build_valid(struct srat_builder *b)
{
    srat_begin(b);
    srat_add_raw(b, 0, 16);                                 /* APIC */
    srat_add_raw(b, 0, 16);
    srat_add_mem(b, 0, 0x0, 0xa0000, 0x1);
    srat_add_mem(b, 0, 0x100000, 0x7ff00000, 0x1);
    srat_add_raw(b, 2, 24);                                 /* x2APIC */
    srat_add_mem(b, 1, 0x100000000ull, 0x40000000, 0x1);
    srat_add_raw(b, 5, 32);                                 /* generic init. */
    srat_add_mem(b, 0, 0x0, 0x0, 0x0);                      /* disabled */
    srat_add_mem(b, 2, 0x140000000ull, 0x2c0000000ull, 0x3); /* hotplug */
    srat_add_mem(b, 3, 0xfedcba9876540000ull, 0x10000, 0x5); /* NV, high */
    srat_finish(b);
}

static void check_mem(const struct srat *s, size_t i, uint32_t pxm,
                      uint64_t base, uint64_t length, uint32_t flags)
{
    char what[64];

    if (!CHECK(i < s->mem.n, "entry %zu exists", i)) {
        return;
    }
    snprintf(what, sizeof(what), "entry %zu pxm", i);
    CHECK_U64(s->mem.items[i].pxm, pxm, what);
    snprintf(what, sizeof(what), "entry %zu base", i);
    CHECK_U64(s->mem.items[i].base, base, what);
    snprintf(what, sizeof(what), "entry %zu length", i);
    CHECK_U64(s->mem.items[i].length, length, what);
    snprintf(what, sizeof(what), "entry %zu flags", i);
    CHECK_U64(s->mem.items[i].flags, flags, what);
}

static void parse(const uint8_t *buf, size_t len, struct srat *s,
                  struct errlist *err)
{
    srat_init(s);
    errlist_init(err);
    srat_parse(buf, len, s, err);
}

static void done(struct srat *s, struct errlist *err)
{
    srat_free(s);
    errlist_free(err);
}

static void test_valid(void)
{
    struct srat_builder b;
    struct errlist err;
    struct srat s;

    printf("# valid table with APIC, x2APIC, GI and memory entries\n");
    build_valid(&b);
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 0, "valid table");
    CHECK(s.mem.n == 6, "6 memory affinity entries (got %zu)", s.mem.n);
    check_mem(&s, 0, 0, 0x0, 0xa0000, 0x1);
    check_mem(&s, 1, 0, 0x100000, 0x7ff00000, 0x1);
    check_mem(&s, 2, 1, 0x100000000ull, 0x40000000, 0x1);
    check_mem(&s, 3, 0, 0, 0, 0);
    check_mem(&s, 4, 2, 0x140000000ull, 0x2c0000000ull, 0x3);
    check_mem(&s, 5, 3, 0xfedcba9876540000ull, 0x10000, 0x5);
    done(&s, &err);
}

static void test_truncated(void)
{
    struct srat_builder b;
    struct errlist err;
    struct srat s;
    char want[96];

    printf("# truncated table: header says more than was read\n");
    build_valid(&b);
    /* Cut inside the third memory entry (offset 48+32+80+24 = 184). */
    parse(b.buf, 200, &s, &err);
    snprintf(want, sizeof(want), "SRAT: truncated: header length %zu, "
             "read 200", b.len);
    CHECK(err.n >= 1 && !strcmp(err.items[0], want), "first error is \"%s\"",
          want);
    CHECK(err_contains(&err, "subtable at offset 0xb8 (type 1, length 40) "
                       "runs past the end of the table at 0xc8"),
          "the cut subtable is reported");
    check_nerr(&err, 2, "truncated table");
    CHECK(s.mem.n == 2, "the 2 complete memory entries before the cut are "
          "parsed (got %zu)", s.mem.n);
    check_mem(&s, 1, 0, 0x100000, 0x7ff00000, 0x1);
    done(&s, &err);

    printf("# shorter than the ACPI header\n");
    parse(b.buf, 20, &s, &err);
    check_nerr(&err, 1, "20-byte table");
    CHECK(err_contains(&err, "SRAT: truncated: read 20 bytes"),
          "error says truncated, read 20 bytes");
    CHECK(s.mem.n == 0, "no entries");
    done(&s, &err);

    printf("# header only, cut before the reserved bytes end\n");
    parse(b.buf, 40, &s, &err);
    check_nerr(&err, 1, "40-byte table");
    CHECK(err.n && !strncmp(err.items[0], "SRAT: truncated: header length ",
                            31), "error says truncated");
    done(&s, &err);

    printf("# every prefix of a valid table: no crash, always an error\n");
    {
        bool all_errors = true, all_sane = true;

        for (size_t len = 0; len < b.len; len++) {
            parse(b.buf, len, &s, &err);
            all_errors = all_errors && err.n > 0;
            all_sane = all_sane && s.mem.n <= 6;
            done(&s, &err);
        }
        CHECK(all_errors, "every proper prefix reports an error");
        CHECK(all_sane, "no prefix yields more entries than the table has");
    }
}

static void test_header(void)
{
    struct srat_builder b;
    struct errlist err;
    struct srat s;

    printf("# wrong signature\n");
    build_valid(&b);
    memcpy(b.buf, "HMAT", 4);
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 1, "wrong signature");
    CHECK_STR(err.n ? err.items[0] : NULL, "SRAT: bad signature \"HMAT\"",
              "error");
    CHECK(s.mem.n == 0, "nothing parsed");
    done(&s, &err);

    printf("# unprintable signature\n");
    memcpy(b.buf, "\x01S\"\xff", 4);
    parse(b.buf, b.len, &s, &err);
    CHECK_STR(err.n ? err.items[0] : NULL, "SRAT: bad signature \"?S\"?\"",
              "error");
    done(&s, &err);

    printf("# header length below 48\n");
    build_valid(&b);
    b.buf[4] = 44;
    b.buf[5] = b.buf[6] = b.buf[7] = 0;
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 1, "header length 44");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "SRAT: header length 44 is less than 48", "error");
    CHECK(s.mem.n == 0, "nothing parsed");
    done(&s, &err);

    printf("# bad checksum: reported, table still parsed\n");
    build_valid(&b);
    b.buf[9] ^= 0x10;
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 1, "bad checksum");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "SRAT: checksum mismatch: bytes sum to 0x10, not 0", "error");
    CHECK(s.mem.n == 6, "all 6 entries parsed anyway (got %zu)", s.mem.n);
    done(&s, &err);

    printf("# more bytes read than the header length\n");
    build_valid(&b);
    parse(b.buf, b.len + 8, &s, &err);
    check_nerr(&err, 1, "trailing bytes");
    CHECK(err_contains(&err, "8 bytes after the end of the table"), "error");
    CHECK(s.mem.n == 6, "all 6 entries parsed");
    done(&s, &err);

    printf("# minimal table, no subtables\n");
    srat_begin(&b);
    srat_finish(&b);
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 0, "empty SRAT");
    CHECK(s.mem.n == 0, "no entries");
    done(&s, &err);
}

static void test_subtables(void)
{
    struct srat_builder b;
    struct errlist err;
    struct srat s;

    printf("# subtable length 0 (would loop forever if not caught)\n");
    srat_begin(&b);
    srat_add_mem(&b, 1, 0x1000, 0x1000, 1);
    srat_add_raw(&b, 1, 2);
    b.buf[b.len - 1] = 0;
    srat_add_mem(&b, 2, 0x2000, 0x1000, 1);
    srat_finish(&b);
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 1, "length 0");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "SRAT: subtable at offset 0x58 (type 1): invalid length 0",
              "error");
    CHECK(s.mem.n == 1, "entry before it parsed, walk stopped (got %zu)",
          s.mem.n);
    done(&s, &err);

    printf("# subtable length 1\n");
    b.buf[0x58 + 1] = 1;
    srat_finish(&b);
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 1, "length 1");
    CHECK(err_contains(&err, "(type 1): invalid length 1"), "error");
    done(&s, &err);

    printf("# subtable running past the end\n");
    srat_begin(&b);
    srat_add_raw(&b, 0, 16);
    srat_add_raw(&b, 7, 20);
    b.buf[b.len - 20 + 1] = 200;
    srat_finish(&b);
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 1, "overrun");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "SRAT: subtable at offset 0x40 (type 7, length 200) runs past "
              "the end of the table at 0x54", "error");
    done(&s, &err);

    printf("# one trailing byte\n");
    srat_begin(&b);
    srat_add_mem(&b, 1, 0x1000, 0x1000, 1);
    b.buf[b.len++] = 1;
    srat_finish(&b);
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 1, "trailing byte");
    CHECK(err_contains(&err, "subtable at offset 0x58: 1 byte(s) left"),
          "error");
    CHECK(s.mem.n == 1, "entry parsed");
    done(&s, &err);

    printf("# memory affinity shorter than 40: skipped, walk goes on\n");
    srat_begin(&b);
    srat_add_raw(&b, 1, 30);
    srat_add_mem(&b, 4, 0x100000000ull, 0x10000000, 1);
    srat_finish(&b);
    parse(b.buf, b.len, &s, &err);
    check_nerr(&err, 1, "short memory affinity");
    CHECK_STR(err.n ? err.items[0] : NULL,
              "SRAT: memory affinity at offset 0x30: length 30, expected 40",
              "error");
    CHECK(s.mem.n == 1, "the following entry is parsed (got %zu)", s.mem.n);
    check_mem(&s, 0, 4, 0x100000000ull, 0x10000000, 1);
    done(&s, &err);

    printf("# pseudo-random garbage after a valid header: no crash\n");
    {
        uint32_t x = 12345;
        bool sane = true;

        for (int round = 0; round < 2000; round++) {
            size_t len = 48 + (size_t)round % 200;

            srat_begin(&b);
            for (size_t i = 48; i < len; i++) {
                x = x * 1103515245u + 12345u;
                b.buf[i] = (uint8_t)(x >> 16);
            }
            b.len = len;
            srat_finish(&b);
            parse(b.buf, b.len, &s, &err);
            sane = sane && s.mem.n <= (len - 48) / 40;
            done(&s, &err);
        }
        CHECK(sane, "2000 garbage tables parsed, entry counts plausible");
    }
}

static void test_read(void)
{
    struct srat_builder b;
    struct errlist err;
    struct srat s;
    char *root = tree_new();

    printf("# srat_read on a fake tree\n");
    srat_init(&s);
    errlist_init(&err);
    srat_read(root, &s, &err);
    check_nerr(&err, 1, "no SRAT file");
    CHECK(err_contains(&err, "SRAT: /sys/firmware/acpi/tables/SRAT: No such "
                       "file or directory"), "missing file is named");
    done(&s, &err);

    build_valid(&b);
    tree_write_bin(root, "sys/firmware/acpi/tables/SRAT", b.buf, b.len);
    srat_init(&s);
    errlist_init(&err);
    srat_read(root, &s, &err);
    check_nerr(&err, 0, "SRAT file");
    CHECK(s.mem.n == 6, "6 entries read from the file");
    done(&s, &err);
    tree_remove(root);
}

int main(void)
{
    test_valid();
    test_truncated();
    test_header();
    test_subtables();
    test_read();
    return test_done();
}
