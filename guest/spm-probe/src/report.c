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

void report_memmap(FILE *f, const struct memmap *mm)
{
    for (size_t i = 0; i < mm->n; i++) {
        fprintf(f, "memmap start=0x%" PRIx64 " end=0x%" PRIx64 " type=",
                mm->e[i].start, mm->e[i].end);
        fput_quoted(f, mm->e[i].type);
        putc('\n', f);
    }
}

void report_iomem(FILE *f, const struct iomem *io)
{
    for (size_t i = 0; i < io->n; i++) {
        if (!iomem_is_reported(&io->e[i])) {
            continue;
        }
        fprintf(f, "iomem start=0x%" PRIx64 " end=0x%" PRIx64 " name=",
                io->e[i].start, io->e[i].end);
        fput_quoted(f, io->e[i].name);
        putc('\n', f);
    }
}

void report_srat(FILE *f, const struct srat *srat)
{
    for (size_t i = 0; i < srat->n_mem; i++) {
        const struct srat_mem *m = &srat->mem[i];

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
                map->m[i].pxm, map->m[i].node);
    }
}

void report_dax(FILE *f, const struct dax_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        const struct dax_dev *d = &dl->d[i];

        fputs("dax name=", f);
        fput_token(f, d->name);
        fprintf(f, " start=0x%" PRIx64 " size=0x%" PRIx64
                " target_node=%" PRId64 " driver=",
                d->start, d->size, d->target_node);
        fput_token(f, d->driver);
        putc('\n', f);
    }
}

void report_nodes(FILE *f, const char *phase, const struct node_list *nl)
{
    for (size_t i = 0; i < nl->count; i++) {
        fprintf(f, "node phase=%s node=%" PRIu32 " memtotal_kb=%" PRIu64 "\n",
                phase, nl->n[i].node, nl->n[i].memtotal_kb);
    }
}

void report_node_ranges(FILE *f, const char *phase,
                        const struct node_range_list *rl)
{
    for (size_t i = 0; i < rl->n; i++) {
        const struct node_range *r = &rl->r[i];

        fprintf(f, "noderange phase=%s node=%" PRIu32 " start=0x%" PRIx64
                " end=0x%" PRIx64 " state=", phase, r->node, r->start, r->end);
        fput_token(f, r->state);
        putc('\n', f);
    }
}

void report_online(FILE *f, const struct online_list *ol)
{
    for (size_t i = 0; i < ol->n; i++) {
        fputs("online name=", f);
        fput_token(f, ol->r[i].name);
        if (ol->r[i].error) {
            fputs(" result=error what=", f);
            fput_quoted(f, ol->r[i].error);
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
        fput_quoted(f, err->msg[i]);
        putc('\n', f);
    }
}
