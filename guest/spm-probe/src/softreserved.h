/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the Soft Reserved ranges (E820 type 0xefffffff, Specific
 * Purpose Memory) and which sources show each one
 *
 * Linux shows SPM in up to four places, which differ between kernels
 * (6.12 has all four; 7.2 has no "Soft Reserved" in /proc/iomem): the
 * firmware memory map in sysfs, the E820 table in the kernel log,
 * /proc/iomem and the regions of the hmem dax devices.
 */
#ifndef SPM_PROBE_SOFTRESERVED_H
#define SPM_PROBE_SOFTRESERVED_H

#include <stdint.h>

#include "dax.h"
#include "iomem.h"
#include "klog.h"
#include "memmap.h"
#include "util.h"

/* The spellings: sysfs memmap type, kernel log E820 type, iomem name. */
#define SOFTRESERVED_MEMMAP_TYPE "Soft Reserved"
#define SOFTRESERVED_E820_TYPE   "soft reserved"    /* any case */
#define SOFTRESERVED_IOMEM_NAME  "Soft Reserved"
/* The dax providers whose regions are Soft Reserved ranges. */
#define SOFTRESERVED_DAX_PROVIDER "hmem."

/* The sources, in the order of the report's `found` list. */
enum softreserved_source {
    SOFTRESERVED_MEMMAP = 1u << 0,
    SOFTRESERVED_E820   = 1u << 1,
    SOFTRESERVED_IOMEM  = 1u << 2,
    SOFTRESERVED_DAX    = 1u << 3,
};

#define SOFTRESERVED_NSOURCES 4

/* "memmap", "e820", "iomem", "dax": the name of source 1u << i. */
extern const char *const softreserved_source_names[SOFTRESERVED_NSOURCES];

struct softreserved {
    uint64_t start;
    uint64_t end;           /* inclusive */
    unsigned found;         /* enum softreserved_source bits */
};

/* One per distinct range (same start and end); sorted once gathered. */
DEFINE_LIST(softreserved_list, struct softreserved, LIST_ITEM_NO_FREE)

/*
 * Record that @source shows [@start, @end]: a range with exactly these
 * bounds gets @source added, any other is a new range.
 */
void softreserved_add(struct softreserved_list *sl, uint64_t start,
                      uint64_t end, unsigned source);

/* The entries of type SOFTRESERVED_MEMMAP_TYPE. */
void softreserved_from_memmap(struct softreserved_list *sl,
                              const struct memmap *mm);

/* The entries of type SOFTRESERVED_E820_TYPE, compared case-insensitively. */
void softreserved_from_e820(struct softreserved_list *sl,
                            const struct e820_list *el);

/* The top-level entries named SOFTRESERVED_IOMEM_NAME. */
void softreserved_from_iomem(struct softreserved_list *sl,
                             const struct iomem *io);

/*
 * The regions of the devices whose provider starts with
 * SOFTRESERVED_DAX_PROVIDER: one per provider and region id, from the
 * lowest start of its devices, of the region's size.  A region of size 0
 * gives no range; one that would pass 2^64 is reported in @err.
 */
void softreserved_from_dax(struct softreserved_list *sl,
                           const struct dax_list *dl, struct errlist *err);

/* Sort by start, then end. */
void softreserved_sort(struct softreserved_list *sl);

#endif
