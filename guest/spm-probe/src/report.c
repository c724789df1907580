/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the report (format v1)
 *
 * One record per line: a keyword, then key=value fields.  Addresses,
 * lengths and sizes are lowercase hex with 0x, ids are decimal, free-form
 * strings are double-quoted (fput_quoted()), device and driver names bare
 * (fput_token()).
 */
#include "report.h"

#include <inttypes.h>

/* "KEYWORD start=0x... end=0x... KEY="TEXT"": a range with a quoted label. */
static void report_range(FILE *f, const char *keyword, uint64_t start,
                         uint64_t end, const char *key, const char *text)
{
    fprintf(f, "%s start=0x%" PRIx64 " end=0x%" PRIx64 " %s=", keyword,
            start, end, key);
    fput_quoted(f, text);
    putc('\n', f);
}

void report_kernel(FILE *f, const char *release)
{
    fputs("kernel release=", f);
    fput_quoted(f, release);
    putc('\n', f);
}

void report_memmap(FILE *f, const struct memmap *mm)
{
    for (size_t i = 0; i < mm->n; i++) {
        report_range(f, "memmap", mm->items[i].start, mm->items[i].end,
                     "type", mm->items[i].type);
    }
}

void report_e820(FILE *f, const struct e820_list *el)
{
    for (size_t i = 0; i < el->n; i++) {
        report_range(f, "e820", el->items[i].start, el->items[i].end,
                     "type", el->items[i].type);
    }
}

void report_iomem(FILE *f, const struct iomem *io)
{
    for (size_t i = 0; i < io->n; i++) {
        const struct iomem_entry *e = &io->items[i];

        if (iomem_is_reported(e)) {
            report_range(f, "iomem", e->start, e->end, "name", e->name);
        }
    }
}

void report_srat(FILE *f, const struct srat *srat)
{
    for (size_t i = 0; i < srat->mem.n; i++) {
        const struct srat_mem *m = &srat->mem.items[i];

        fprintf(f, "srat start=0x%" PRIx64 " length=0x%" PRIx64
                " pxm=%" PRIu32 " flags=0x%" PRIx32
                " enabled=%d hotplug=%d nonvolatile=%d\n",
                m->base, m->length, m->pxm, m->flags,
                !!(m->flags & SRAT_MEM_ENABLED),
                !!(m->flags & SRAT_MEM_HOT_PLUGGABLE),
                !!(m->flags & SRAT_MEM_NON_VOLATILE));
    }
}

void report_pxm(FILE *f, const struct pxm_map *map)
{
    for (size_t i = 0; i < map->n; i++) {
        fprintf(f, "pxm pxm=%" PRIu32 " node=%" PRIu32 "\n",
                map->items[i].pxm, map->items[i].node);
    }
}

void report_hmat(FILE *f, const struct hmat *h)
{
    for (size_t i = 0; i < h->mpda.n; i++) {
        const struct hmat_mpda *m = &h->mpda.items[i];

        fprintf(f, "hmat_mpda memory_pd=%" PRIu32 " initiator_valid=%d"
                " initiator_pd=%" PRIu32 " flags=0x%" PRIx16 "\n",
                m->memory_pd, !!(m->flags & HMAT_MPDA_INITIATOR_VALID),
                m->initiator_pd, m->flags);
    }
    for (size_t i = 0; i < h->lb.n; i++) {
        const struct hmat_lb *lb = &h->lb.items[i];
        bool latency = lb->data_type <= HMAT_LB_WRITE_LATENCY;
        uint64_t value;

        fprintf(f, "hmat_lb index=%zu hierarchy=%s type=%s data_type=%u"
                " flags=0x%x min_transfer=%u base_unit=%" PRIu64
                " initiator_pd=%" PRIu32 " target_pd=%" PRIu32
                " entry=%u value=", lb->index,
                hmat_lb_hierarchy_name(lb->flags),
                hmat_lb_type_name(lb->data_type), lb->data_type, lb->flags,
                lb->min_transfer, lb->base_unit, lb->initiator_pd,
                lb->target_pd, lb->entry);
        if (hmat_lb_value(lb, &value)) {
            fprintf(f, "%" PRIu64, value);
        } else {
            fputs(lb->entry == HMAT_LB_ENTRY_NONE ? "none" :
                  lb->entry == HMAT_LB_ENTRY_UNREACHABLE ? "unreachable" :
                  "overflow", f);
        }
        fprintf(f, " unit=%s\n", latency ? "ps" : "MBps");
    }
    for (size_t i = 0; i < h->cache.n; i++) {
        const struct hmat_cache *c = &h->cache.items[i];

        fprintf(f, "hmat_cache memory_pd=%" PRIu32 " size=0x%" PRIx64
                " total_levels=%" PRIu32 " level=%" PRIu32
                " associativity=%" PRIu32 " write_policy=%" PRIu32
                " line_size=%" PRIu32 " smbios_handles=%u\n",
                c->memory_pd, c->size, c->attributes & 0xf,
                c->attributes >> 4 & 0xf, c->attributes >> 8 & 0xf,
                c->attributes >> 12 & 0xf, c->attributes >> 16, c->n_smbios);
    }
}

void report_dax(FILE *f, const struct dax_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        const struct dax_dev *d = &dl->items[i];

        fputs("dax name=", f);
        fput_token(f, d->name);
        fprintf(f, " start=0x%" PRIx64 " size=0x%" PRIx64
                " target_node=%" PRId64 " driver=",
                d->start, d->size, d->target_node);
        fput_token(f, d->driver);
        fprintf(f, " region=%" PRId64 " provider=", d->region_id);
        fput_token(f, d->provider);
        putc('\n', f);
    }
}

void report_softreserved(FILE *f, const struct softreserved_list *sl)
{
    for (size_t i = 0; i < sl->n; i++) {
        const struct softreserved *r = &sl->items[i];
        const char *sep = "";

        fprintf(f, "softreserved start=0x%" PRIx64 " end=0x%" PRIx64
                " found=\"", r->start, r->end);
        for (unsigned k = 0; k < SOFTRESERVED_NSOURCES; k++) {
            if (r->found & (1u << k)) {
                fprintf(f, "%s%s", sep, softreserved_source_names[k]);
                sep = ",";
            }
        }
        fputs("\"\n", f);
    }
}

void report_nodes(FILE *f, const char *phase, const struct node_list *nl)
{
    for (size_t i = 0; i < nl->n; i++) {
        fprintf(f, "node phase=%s node=%" PRIu32 " memtotal_kb=%" PRIu64 "\n",
                phase, nl->items[i].node, nl->items[i].memtotal_kb);
    }
}

void report_node_ranges(FILE *f, const char *phase,
                        const struct node_range_list *rl)
{
    for (size_t i = 0; i < rl->n; i++) {
        const struct node_range *r = &rl->items[i];

        fprintf(f, "noderange phase=%s node=%" PRIu32 " start=0x%" PRIx64
                " end=0x%" PRIx64 " state=", phase, r->node, r->start, r->end);
        fput_token(f, r->state);
        putc('\n', f);
    }
}

void report_access(FILE *f, const char *phase, const struct access_list *al)
{
    for (size_t i = 0; i < al->n; i++) {
        const struct node_access *a = &al->items[i];

        fprintf(f, "access phase=%s node=%" PRIu32 " class=%" PRIu32
                " initiators=", phase, a->node, a->class);
        fput_quoted(f, a->initiators);
        fprintf(f, " read_latency=%" PRIu64 " write_latency=%" PRIu64
                " read_bandwidth=%" PRIu64 " write_bandwidth=%" PRIu64 "\n",
                a->read_latency, a->write_latency, a->read_bandwidth,
                a->write_bandwidth);
    }
}

void report_caches(FILE *f, const char *phase, const struct cache_list *cl)
{
    for (size_t i = 0; i < cl->n; i++) {
        const struct node_cache *c = &cl->items[i];

        fprintf(f, "cache phase=%s node=%" PRIu32 " level=%" PRIu32
                " size=0x%" PRIx64 " line_size=%" PRIu64 " indexing=%" PRIu64
                " write_policy=%" PRIu64 "\n", phase, c->node, c->level,
                c->size, c->line_size, c->indexing, c->write_policy);
    }
}

void report_distances(FILE *f, const char *phase,
                      const struct distance_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        const struct node_distance *d = &dl->items[i];

        fprintf(f, "distance phase=%s node=%" PRIu32 " to=%" PRIu32
                " value=%" PRIu32 "\n", phase, d->node, d->to, d->value);
    }
}

void report_tiers(FILE *f, const char *phase, const struct tier_list *tl)
{
    for (size_t i = 0; i < tl->n; i++) {
        const struct mem_tier *t = &tl->items[i];

        fprintf(f, "tier phase=%s tier=%" PRIu32 " nodelist=", phase, t->tier);
        fput_quoted(f, t->nodelist);
        putc('\n', f);
    }
}

void report_online(FILE *f, const struct online_list *ol)
{
    for (size_t i = 0; i < ol->n; i++) {
        const struct online_result *r = &ol->items[i];

        fputs("online name=", f);
        fput_token(f, r->name);
        if (r->error) {
            fputs(" result=error what=", f);
            fput_quoted(f, r->error);
        } else {
            fputs(" result=ok", f);
        }
        putc('\n', f);
    }
}

void report_pattern(FILE *f, const struct pattern_result *r)
{
    fputs("pattern name=", f);
    fput_token(f, r->name);
    fprintf(f, " mode=%s seed=%" PRIu64 " bytes=0x%" PRIx64,
            pattern_mode_name(r->mode), r->seed, r->bytes);
    if (r->error) {
        fputs(" result=error what=", f);
        fput_quoted(f, r->error);
    } else if (r->mismatch) {
        fprintf(f, " result=mismatch offset=0x%" PRIx64 " want=0x%" PRIx64
                " got=0x%" PRIx64, r->mm.offset, r->mm.want, r->mm.got);
    } else {
        fputs(" result=ok", f);
    }
    putc('\n', f);
}

void report_errors(FILE *f, const struct errlist *err)
{
    for (size_t i = 0; i < err->n; i++) {
        fputs("error what=", f);
        fput_quoted(f, err->items[i]);
        putc('\n', f);
    }
}
