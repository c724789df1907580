/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the Soft Reserved ranges and which sources show each one
 */
#include "softreserved.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const softreserved_source_names[SOFTRESERVED_NSOURCES] = {
    "memmap", "e820", "iomem", "dax",
};

void softreserved_add(struct softreserved_list *sl, uint64_t start,
                      uint64_t end, unsigned source)
{
    struct softreserved *r;

    for (size_t i = 0; i < sl->n; i++) {
        if (sl->items[i].start == start && sl->items[i].end == end) {
            sl->items[i].found |= source;
            return;
        }
    }
    r = softreserved_list_push(sl);
    r->start = start;
    r->end = end;
    r->found = source;
}

void softreserved_from_memmap(struct softreserved_list *sl,
                              const struct memmap *mm)
{
    for (size_t i = 0; i < mm->n; i++) {
        const struct memmap_entry *e = &mm->items[i];

        if (!strcmp(e->type, SOFTRESERVED_MEMMAP_TYPE)) {
            softreserved_add(sl, e->start, e->end, SOFTRESERVED_MEMMAP);
        }
    }
}

void softreserved_from_e820(struct softreserved_list *sl,
                            const struct e820_list *el)
{
    for (size_t i = 0; i < el->n; i++) {
        const struct e820_entry *e = &el->items[i];

        if (!strcasecmp(e->type, SOFTRESERVED_E820_TYPE)) {
            softreserved_add(sl, e->start, e->end, SOFTRESERVED_E820);
        }
    }
}

void softreserved_from_iomem(struct softreserved_list *sl,
                             const struct iomem *io)
{
    for (size_t i = 0; i < io->n; i++) {
        const struct iomem_entry *e = &io->items[i];

        if (e->depth == 0 && !strcmp(e->name, SOFTRESERVED_IOMEM_NAME)) {
            softreserved_add(sl, e->start, e->end, SOFTRESERVED_IOMEM);
        }
    }
}

static bool same_region(const struct dax_dev *a, const struct dax_dev *b)
{
    return a->region_id == b->region_id && !strcmp(a->provider, b->provider);
}

void softreserved_from_dax(struct softreserved_list *sl,
                           const struct dax_list *dl, struct errlist *err)
{
    size_t plen = strlen(SOFTRESERVED_DAX_PROVIDER);

    for (size_t i = 0; i < dl->n; i++) {
        const struct dax_dev *d = &dl->items[i];
        uint64_t start = d->start;
        bool seen = false;

        if (d->region_id < 0 ||
            strncmp(d->provider, SOFTRESERVED_DAX_PROVIDER, plen)) {
            continue;
        }
        for (size_t j = 0; j < i && !seen; j++) {
            seen = same_region(&dl->items[j], d);
        }
        if (seen || d->region_size == 0) {
            continue;
        }
        for (size_t j = i + 1; j < dl->n; j++) {
            if (same_region(&dl->items[j], d) && dl->items[j].start < start) {
                start = dl->items[j].start;
            }
        }
        if (d->region_size - 1 > UINT64_MAX - start) {
            err_add(err, "softreserved: dax region %" PRId64 " of %s: start "
                    "0x%" PRIx64 " and size 0x%" PRIx64 " pass the 64-bit "
                    "address space", d->region_id, d->provider, start,
                    d->region_size);
            continue;
        }
        softreserved_add(sl, start, start + (d->region_size - 1),
                         SOFTRESERVED_DAX);
    }
}

static int softreserved_cmp(const void *a, const void *b)
{
    const struct softreserved *x = a, *y = b;

    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    if (x->end != y->end) {
        return x->end < y->end ? -1 : 1;
    }
    return 0;
}

void softreserved_sort(struct softreserved_list *sl)
{
    if (sl->n > 1) {
        qsort(sl->items, sl->n, sizeof(*sl->items), softreserved_cmp);
    }
}
