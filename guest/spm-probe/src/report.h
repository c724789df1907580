/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the report (format v1)
 */
#ifndef SPM_PROBE_REPORT_H
#define SPM_PROBE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "access.h"
#include "cache.h"
#include "dax.h"
#include "distance.h"
#include "hmat.h"
#include "iomem.h"
#include "kernel.h"
#include "klog.h"
#include "memmap.h"
#include "node.h"
#include "online.h"
#include "pattern.h"
#include "softreserved.h"
#include "srat.h"
#include "tier.h"
#include "util.h"

#define REPORT_BEGIN "@@SPM-PROBE BEGIN v1@@"
#define REPORT_END   "@@SPM-PROBE END@@"

void report_kernel(FILE *f, const char *release);
void report_memmap(FILE *f, const struct memmap *mm);
void report_e820(FILE *f, const struct e820_list *el);
void report_iomem(FILE *f, const struct iomem *io);
void report_srat(FILE *f, const struct srat *srat);
void report_pxm(FILE *f, const struct pxm_map *map);
void report_hmat(FILE *f, const struct hmat *h);
void report_dax(FILE *f, const struct dax_list *dl);
void report_softreserved(FILE *f, const struct softreserved_list *sl);
void report_nodes(FILE *f, const char *phase, const struct node_list *nl);
void report_node_ranges(FILE *f, const char *phase,
                        const struct node_range_list *rl);
void report_access(FILE *f, const char *phase, const struct access_list *al);
void report_caches(FILE *f, const char *phase, const struct cache_list *cl);
void report_distances(FILE *f, const char *phase,
                      const struct distance_list *dl);
void report_tiers(FILE *f, const char *phase, const struct tier_list *tl);
void report_online(FILE *f, const struct online_list *ol);
void report_pattern(FILE *f, const struct pattern_result *r);
void report_errors(FILE *f, const struct errlist *err);

#endif
