/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: the Soft Reserved ranges of every source, merged
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "softreserved.h"
#include "testutil.h"

static void check_sr(const struct softreserved_list *sl, size_t i,
                     uint64_t start, uint64_t end, unsigned found)
{
    if (!CHECK(i < sl->n, "range %zu exists", i)) {
        return;
    }
    CHECK_U64(sl->items[i].start, start, "start");
    CHECK_U64(sl->items[i].end, end, "end");
    CHECK(sl->items[i].found == found, "range %zu: found 0x%x (got 0x%x)", i,
          found, sl->items[i].found);
}

/* The report lines of @sl, allocated. */
static char *lines_of(const struct softreserved_list *sl)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f) {
        return NULL;
    }
    report_softreserved(f, sl);
    fclose(f);
    return buf;
}

static void test_merge(void)
{
    struct softreserved_list sl;
    char *out;

    printf("# merging by exact start and end\n");
    softreserved_list_init(&sl);
    softreserved_add(&sl, 0x100000000ull, 0x13fffffffull, SOFTRESERVED_DAX);
    softreserved_add(&sl, 0x100000000ull, 0x13fffffffull,
                     SOFTRESERVED_IOMEM);
    softreserved_add(&sl, 0x100000000ull, 0x11fffffffull, SOFTRESERVED_E820);
    softreserved_add(&sl, 0x140000000ull, 0x14fffffffull,
                     SOFTRESERVED_MEMMAP);
    softreserved_add(&sl, 0x120000000ull, 0x13fffffffull,
                     SOFTRESERVED_MEMMAP);
    softreserved_add(&sl, 0x100000000ull, 0x13fffffffull,
                     SOFTRESERVED_MEMMAP);
    softreserved_add(&sl, 0x100000000ull, 0x13fffffffull, SOFTRESERVED_E820);
    softreserved_add(&sl, 0x100000000ull, 0x13fffffffull, SOFTRESERVED_DAX);
    softreserved_add(&sl, 0x0, 0x0, SOFTRESERVED_IOMEM);
    CHECK(sl.n == 5, "5 distinct ranges (got %zu)", sl.n);
    softreserved_sort(&sl);
    check_sr(&sl, 0, 0x0, 0x0, SOFTRESERVED_IOMEM);
    check_sr(&sl, 1, 0x100000000ull, 0x11fffffffull, SOFTRESERVED_E820);
    check_sr(&sl, 2, 0x100000000ull, 0x13fffffffull,
             SOFTRESERVED_MEMMAP | SOFTRESERVED_E820 | SOFTRESERVED_IOMEM |
             SOFTRESERVED_DAX);
    check_sr(&sl, 3, 0x120000000ull, 0x13fffffffull, SOFTRESERVED_MEMMAP);
    check_sr(&sl, 4, 0x140000000ull, 0x14fffffffull, SOFTRESERVED_MEMMAP);

    printf("# report lines: sources in fixed order\n");
    out = lines_of(&sl);
    CHECK_STR(out,
              "softreserved start=0x0 end=0x0 found=\"iomem\"\n"
              "softreserved start=0x100000000 end=0x11fffffff "
              "found=\"e820\"\n"
              "softreserved start=0x100000000 end=0x13fffffff "
              "found=\"memmap,e820,iomem,dax\"\n"
              "softreserved start=0x120000000 end=0x13fffffff "
              "found=\"memmap\"\n"
              "softreserved start=0x140000000 end=0x14fffffff "
              "found=\"memmap\"\n", "report_softreserved");
    free(out);
    softreserved_list_free(&sl);

    out = lines_of(&sl);
    CHECK_STR(out, "", "no ranges, no lines");
    free(out);
}

static void add_dev(struct dax_list *dl, const char *name, uint64_t start,
                    const char *provider, int64_t region_id,
                    uint64_t region_size)
{
    struct dax_dev *d = dax_list_push(dl);

    d->name = xstrdup(name);
    d->start = start;
    d->size = 0x1000;
    d->target_node = 1;
    d->driver = xstrdup("none");
    d->region_id = region_id;
    d->region_size = region_size;
    d->provider = xstrdup(provider);
}

static void test_sources(void)
{
    static const struct {
        uint64_t start, end;
        const char *type;
    } memmap[] = {
        { 0x0, 0x9fbff, "System RAM" },
        { 0x100000000ull, 0x13fffffffull, "Soft Reserved" },
        { 0x140000000ull, 0x14fffffffull, "soft reserved" },
    }, e820[] = {
        { 0x0, 0x9fbff, "usable" },
        { 0x100000000ull, 0x13fffffffull, "soft reserved" },
        { 0x140000000ull, 0x14fffffffull, "Soft Reserved" },
        { 0x150000000ull, 0x15fffffffull, "SOFT RESERVED" },
        { 0x160000000ull, 0x16fffffffull, "soft reserved (kmem)" },
    }, iomem[] = {
        { 0x1000, 0x9fbff, "System RAM" },
        { 0x100000000ull, 0x13fffffffull, "Soft Reserved" },
        { 0x140000000ull, 0x14fffffffull, "soft reserved" },
    };
    struct softreserved_list sl;
    struct memmap mm;
    struct e820_list el;
    struct iomem io;
    struct dax_list dl;
    struct errlist err;

    printf("# every source's Soft Reserved entries\n");
    softreserved_list_init(&sl);
    memmap_init(&mm);
    e820_list_init(&el);
    iomem_init(&io);
    dax_list_init(&dl);
    errlist_init(&err);
    for (size_t i = 0; i < ARRAY_SIZE(memmap); i++) {
        *memmap_push(&mm) = (struct memmap_entry){
            memmap[i].start, memmap[i].end, xstrdup(memmap[i].type),
        };
    }
    for (size_t i = 0; i < ARRAY_SIZE(e820); i++) {
        *e820_list_push(&el) = (struct e820_entry){
            e820[i].start, e820[i].end, xstrdup(e820[i].type),
        };
    }
    for (size_t i = 0; i < ARRAY_SIZE(iomem); i++) {
        *iomem_push(&io) = (struct iomem_entry){
            iomem[i].start, iomem[i].end, 0, xstrdup(iomem[i].type),
        };
    }
    /* Nested below a top-level entry: not taken. */
    *iomem_push(&io) = (struct iomem_entry){
        0x100000000ull, 0x11fffffffull, 1, xstrdup("Soft Reserved"),
    };
    /* Region 0 of hmem.0: its lowest device start, not its first's. */
    add_dev(&dl, "dax0.0", 0x120000000ull, "hmem.0", 0, 0x40000000);
    add_dev(&dl, "dax0.1", 0x100000000ull, "hmem.0", 0, 0x40000000);
    add_dev(&dl, "dax0.2", 0x110000000ull, "hmem.0", 0, 0x40000000);
    /* The same id from another hmem provider is another region. */
    add_dev(&dl, "dax1.0", 0x170000000ull, "hmem.1", 0, 0x8000000);
    /* Not hmem, no region, a region of size 0, one past 2^64. */
    add_dev(&dl, "dax2.0", 0x180000000ull, "cxl_dax_region2", 2, 0x1000);
    add_dev(&dl, "dax3.0", 0x190000000ull, "none", -1, 0);
    add_dev(&dl, "dax4.0", 0x1a0000000ull, "hmem.4", 4, 0);
    add_dev(&dl, "dax5.0", 0xfffffffffffff000ull, "hmem.5", 5, 0x2000);
    add_dev(&dl, "dax6.0", 0xfffffffffffff000ull, "hmem.6", 6, 0x1000);

    softreserved_from_memmap(&sl, &mm);
    softreserved_from_e820(&sl, &el);
    softreserved_from_iomem(&sl, &io);
    softreserved_from_dax(&sl, &dl, &err);
    softreserved_sort(&sl);
    check_nerr(&err, 1, "region past 2^64");
    CHECK(err_contains(&err, "softreserved: dax region 5 of hmem.5: start "
                       "0xfffffffffffff000 and size 0x2000 pass the 64-bit "
                       "address space"), "region past 2^64 reported");
    CHECK(sl.n == 5, "5 ranges (got %zu)", sl.n);
    check_sr(&sl, 0, 0x100000000ull, 0x13fffffffull,
             SOFTRESERVED_MEMMAP | SOFTRESERVED_E820 | SOFTRESERVED_IOMEM |
             SOFTRESERVED_DAX);
    check_sr(&sl, 1, 0x140000000ull, 0x14fffffffull, SOFTRESERVED_E820);
    check_sr(&sl, 2, 0x150000000ull, 0x15fffffffull, SOFTRESERVED_E820);
    check_sr(&sl, 3, 0x170000000ull, 0x177ffffffull, SOFTRESERVED_DAX);
    check_sr(&sl, 4, 0xfffffffffffff000ull, UINT64_MAX, SOFTRESERVED_DAX);

    softreserved_list_free(&sl);
    memmap_free(&mm);
    e820_list_free(&el);
    iomem_free(&io);
    dax_list_free(&dl);
    errlist_free(&err);
}

int main(void)
{
    test_merge();
    test_sources();
    return test_done();
}
