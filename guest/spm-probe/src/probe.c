/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the probe run
 *
 * Reads every source in report order and hands what it found to the
 * report_*() formatters; the --online and --pattern steps run here too.
 */
#include "probe.h"

#include <inttypes.h>
#include <stdlib.h>

#include "report.h"

/* Report enabled SRAT memory ranges whose PXM the kernel log never named. */
static void check_pxm_coverage(const struct srat *srat,
                               const struct pxm_map *map, struct errlist *err)
{
    for (size_t i = 0; i < srat->mem.n; i++) {
        const struct srat_mem *m = &srat->mem.items[i];
        bool seen = false;

        if (!(m->flags & SRAT_MEM_ENABLED) || m->length == 0 ||
            pxm_map_lookup(map, m->pxm) >= 0) {
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            const struct srat_mem *o = &srat->mem.items[j];

            seen = seen || (o->pxm == m->pxm &&
                            (o->flags & SRAT_MEM_ENABLED) && o->length);
        }
        if (!seen) {
            err_add(err, "klog: no node logged for SRAT PXM %" PRIu32,
                    m->pxm);
        }
    }
}

/*
 * The node lines of @phase; if @full, then its noderange, access, cache,
 * distance and tier lines.
 */
static void report_phase(FILE *f, const char *root, const char *phase,
                         bool full, struct errlist *err)
{
    struct node_list nl;
    struct node_range_list rl;
    struct access_list al;
    struct cache_list cl;
    struct distance_list dl;
    struct tier_list tl;

    node_list_init(&nl);
    node_read(root, &nl, err);
    report_nodes(f, phase, &nl);
    node_list_free(&nl);
    if (!full) {
        return;
    }
    node_range_list_init(&rl);
    node_ranges_read(root, &rl, err);
    report_node_ranges(f, phase, &rl);
    node_range_list_free(&rl);

    access_list_init(&al);
    access_read(root, &al, err);
    report_access(f, phase, &al);
    access_list_free(&al);

    cache_list_init(&cl);
    cache_read(root, &cl, err);
    report_caches(f, phase, &cl);
    cache_list_free(&cl);

    distance_list_init(&dl);
    distance_read(root, &dl, err);
    report_distances(f, phase, &dl);
    distance_list_free(&dl);

    tier_list_init(&tl);
    tier_read(root, &tl, err);
    report_tiers(f, phase, &tl);
    tier_list_free(&tl);
}

/* Move the messages of @src to the end of @dst, leaving @src empty. */
static void errlist_move(struct errlist *dst, struct errlist *src)
{
    for (size_t i = 0; i < src->n; i++) {
        *errlist_push(dst) = src->items[i];
    }
    src->n = 0;
    errlist_free(src);
}

int probe_run(const struct probe_opts *opts, FILE *f)
{
    const char *root = opts->root;
    struct errlist err, klog_err;
    struct softreserved_list sl;
    struct memmap mm;
    struct e820_list e820;
    struct iomem io;
    struct srat srat;
    struct hmat hmat;
    struct pxm_map map;
    struct dax_list dl;
    char *release, *klog;
    size_t klog_len;
    bool have_klog, have_memmap;

    errlist_init(&err);
    softreserved_list_init(&sl);
    fputs(REPORT_BEGIN "\n", f);

    release = kernel_release(root, &err);
    if (release) {
        report_kernel(f, release);
        free(release);
    }

    /*
     * The kernel log gives the e820 and the pxm lines: parse it once, and
     * report its errors where the pxm lines are.
     */
    errlist_init(&klog_err);
    pxm_map_init(&map);
    e820_list_init(&e820);
    klog = klog_read(root, &klog_len, &klog_err);
    have_klog = klog != NULL;
    if (klog) {
        klog_parse(klog, klog_len, &map, &e820, &klog_err);
        free(klog);
    }

    memmap_init(&mm);
    have_memmap = memmap_read(root, &mm, &err);
    report_memmap(f, &mm);
    softreserved_from_memmap(&sl, &mm);
    memmap_free(&mm);

    report_e820(f, &e820);
    softreserved_from_e820(&sl, &e820);
    if (!have_memmap && e820.n == 0) {
        err_add(&err, "memmap: no firmware memory map: neither %s nor "
                "BIOS-e820 lines in the kernel log", MEMMAP_SYSFS_PATH);
    }
    e820_list_free(&e820);

    iomem_init(&io);
    iomem_read(root, &io, &err);
    report_iomem(f, &io);
    softreserved_from_iomem(&sl, &io);
    iomem_free(&io);

    srat_init(&srat);
    srat_read(root, &srat, &err);
    report_srat(f, &srat);

    errlist_move(&err, &klog_err);
    if (have_klog) {
        check_pxm_coverage(&srat, &map, &err);
    }
    report_pxm(f, &map);
    pxm_map_free(&map);
    srat_free(&srat);

    hmat_init(&hmat);
    hmat_read(root, &hmat, &err);
    report_hmat(f, &hmat);
    hmat_free(&hmat);

    dax_list_init(&dl);
    dax_read(root, &dl, &err);
    report_dax(f, &dl);
    softreserved_from_dax(&sl, &dl, &err);
    softreserved_sort(&sl);
    report_softreserved(f, &sl);
    softreserved_list_free(&sl);

    report_phase(f, root, "boot", true, &err);

    if (opts->online) {
        struct online_list ol;

        report_phase(f, root, "before", false, &err);
        fflush(f);
        kmem_load(root, opts->kmem_path, &err);
        online_list_init(&ol);
        online_dax(root, &dl, &ol);
        report_online(f, &ol);
        online_list_free(&ol);
        report_phase(f, root, "after", true, &err);
    }
    if (opts->pattern != PATTERN_NONE) {
        /* One line per device as soon as it is done. */
        for (size_t i = 0; i < dl.n; i++) {
            struct pattern_result r;

            fflush(f);
            pattern_dev(root, &dl.items[i], opts->pattern, opts->pattern_seed,
                        PATTERN_NODE_WAIT_MS, &r);
            report_pattern(f, &r);
            pattern_result_free(&r);
        }
    }
    dax_list_free(&dl);

    report_errors(f, &err);
    errlist_free(&err);
    fputs(REPORT_END "\n", f);
    if (fflush(f) != 0 || ferror(f)) {
        return -1;
    }
    return 0;
}
