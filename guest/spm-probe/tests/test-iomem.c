/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: /proc/iomem parser
 */
#include <stdlib.h>
#include <string.h>

#include "iomem.h"
#include "testutil.h"

static const char sample[] =
    IOMEM_Q35_LOW
    "  01000000-01ffffff : Kernel code\n"
    "  02000000-0266ffff : Kernel rodata\n"
    "  02800000-02b3ffff : Kernel data\n"
    "  03000000-031fffff : Kernel bss\n"
    "this is not an iomem line\n"
    "7ffe0000-7fffffff : Reserved\n"
    "fec00000-fec003ff : IOAPIC 0\n"
    "fee00000-fee00fff : Local APIC\n"
    "  fee00000-fee00fff : Reserved\n"
    "\n"
    "100000000-13fffffff : Soft Reserved\n"
    "  100000000-13fffffff : dax0.0\n"
    "    100000000-13fffffff : System RAM (kmem)\n"
    "140000000-17fffffff : System RAM\n"
    "180000000-1bfffffff : soft reserved\n"
    "1c0000000-1bfffffff : System RAM\n"
    "12345-zzz : System RAM\n"
    " 00001000-00001fff : System RAM\n"
    "200000000-23fffffff: System RAM\n"
    "240000000-27fffffff : \n"
    "280000000-2bfffffff : Soft Reserved";

int main(void)
{
    struct errlist err;
    struct iomem io;
    size_t n_reported = 0;
    const struct iomem_entry *kmem = NULL, *rom = NULL;

    printf("# nested /proc/iomem with garbage lines\n");
    iomem_init(&io);
    errlist_init(&err);
    iomem_parse(sample, &io, &err);

    check_nerr(&err, 6, "garbage lines");
    CHECK(err_contains(&err, "iomem: line 12: cannot parse \"this is not an "
                       "iomem line\""), "line 12 (prose) reported");
    CHECK(err_contains(&err, "iomem: line 23: "),
          "line 23 (end below start) reported");
    CHECK(err_contains(&err, "iomem: line 24: "), "line 24 (bad hex)");
    CHECK(err_contains(&err, "iomem: line 25: "), "line 25 (odd indent)");
    CHECK(err_contains(&err, "iomem: line 26: "), "line 26 (no \" : \")");
    CHECK(err_contains(&err, "iomem: line 27: "), "line 27 (empty name)");
    CHECK(io.n == 21, "21 entries parsed (got %zu)", io.n);

    for (size_t i = 0; i < io.n; i++) {
        if (!strcmp(io.items[i].name, "System RAM (kmem)")) {
            kmem = &io.items[i];
        }
        if (!strcmp(io.items[i].name, "System ROM")) {
            rom = &io.items[i];
        }
        n_reported += iomem_is_reported(&io.items[i]);
    }
    CHECK(rom && rom->depth == 1, "\"System ROM\" is at depth 1");
    if (CHECK(kmem != NULL, "name with spaces and parentheses parsed")) {
        CHECK(kmem->depth == 2, "\"System RAM (kmem)\" is at depth 2");
        CHECK_U64(kmem->start, 0x100000000ull, "kmem start");
        CHECK_U64(kmem->end, 0x13fffffffull, "kmem end");
        CHECK(!iomem_is_reported(kmem), "nested System RAM not reported");
    }
    CHECK(n_reported == 5, "5 top-level RAM/Soft Reserved entries (got %zu)",
          n_reported);
    CHECK(io.n > 0 && io.items[io.n - 1].depth == 0 &&
          !strcmp(io.items[io.n - 1].name, "Soft Reserved") &&
          io.items[io.n - 1].start == 0x280000000ull,
          "last line without newline parsed");
    CHECK(io.n > 19 && !strcmp(io.items[19].name, "soft reserved") &&
          !iomem_is_reported(&io.items[19]), "names match case-sensitively");
    CHECK(io.n > 1 && io.items[1].start == 0x1000 &&
          io.items[1].end == 0x9fbff && iomem_is_reported(&io.items[1]),
          "first System RAM range");

    iomem_free(&io);
    errlist_free(&err);

    printf("# empty text\n");
    iomem_parse("", &io, &err);
    check_nerr(&err, 0, "empty");
    CHECK(io.n == 0, "no entries");
    iomem_free(&io);
    errlist_free(&err);
    return test_done();
}
