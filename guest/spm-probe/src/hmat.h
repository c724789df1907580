/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: ACPI Heterogeneous Memory Attribute Table (HMAT) parser
 */
#ifndef SPM_PROBE_HMAT_H
#define SPM_PROBE_HMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "util.h"

#define HMAT_HEADER_LEN         40      /* ACPI header + 4 reserved */
#define HMAT_STRUCT_HEADER_LEN  8       /* u16 type, u16 reserved, u32 len */

#define HMAT_TYPE_MPDA          0       /* Memory Proximity Domain Attrs. */
#define HMAT_TYPE_LB            1       /* System Locality Latency and BW */
#define HMAT_TYPE_CACHE         2       /* Memory Side Cache Information */

#define HMAT_MPDA_LEN           40
#define HMAT_LB_LEN             32      /* before the domain lists */
#define HMAT_CACHE_LEN          32      /* before the SMBIOS handles */

#define HMAT_MPDA_INITIATOR_VALID   (1u << 0)

/* Data types of a latency/bandwidth structure (ACPI 6.5, Table 5.148). */
#define HMAT_LB_ACCESS_LATENCY      0
#define HMAT_LB_READ_LATENCY        1
#define HMAT_LB_WRITE_LATENCY       2
#define HMAT_LB_ACCESS_BANDWIDTH    3
#define HMAT_LB_READ_BANDWIDTH      4
#define HMAT_LB_WRITE_BANDWIDTH     5

/* Entry values with a meaning of their own. */
#define HMAT_LB_ENTRY_NONE          0       /* no information */
#define HMAT_LB_ENTRY_UNREACHABLE   0xffff

/* More entries than 256 initiators by 256 targets: not a table for us. */
#define HMAT_LB_MAX_ENTRIES     65536

#define HMAT_SYSFS_PATH "/sys/firmware/acpi/tables/HMAT"

struct hmat_mpda {
    uint16_t flags;
    uint32_t initiator_pd;  /* meaningful if HMAT_MPDA_INITIATOR_VALID */
    uint32_t memory_pd;
};

/* One entry of a latency/bandwidth structure: one initiator, one target. */
struct hmat_lb {
    size_t index;           /* which LB structure, counting from 0 */
    uint8_t flags;          /* bits 0-3: memory hierarchy */
    uint8_t data_type;
    uint8_t min_transfer;   /* Minimum Transfer Size */
    uint64_t base_unit;     /* Entry Base Unit */
    uint32_t initiator_pd;
    uint32_t target_pd;
    uint16_t entry;
};

struct hmat_cache {
    uint32_t memory_pd;
    uint64_t size;
    uint32_t attributes;    /* levels, level, associativity, policy, line */
    uint16_t n_smbios;
};

DEFINE_LIST(hmat_mpda_list, struct hmat_mpda, LIST_ITEM_NO_FREE)
DEFINE_LIST(hmat_lb_list, struct hmat_lb, LIST_ITEM_NO_FREE)
DEFINE_LIST(hmat_cache_list, struct hmat_cache, LIST_ITEM_NO_FREE)

struct hmat {
    struct hmat_mpda_list mpda; /* in table order */
    struct hmat_lb_list lb;     /* by structure, then initiator, target */
    size_t n_lb_structs;
    struct hmat_cache_list cache;
};

void hmat_init(struct hmat *h);
void hmat_free(struct hmat *h);

/*
 * Parse the @len bytes at @buf as an HMAT (ACPI 6.3 and later), appending
 * its structures to @h.  Every problem found adds a message to @err; a
 * malformed structure is skipped, and the walk stops at a structure whose
 * length cannot be trusted.
 */
void hmat_parse(const uint8_t *buf, size_t len, struct hmat *h,
                struct errlist *err);

/* Read HMAT_SYSFS_PATH below @root and parse it; no table is no error. */
void hmat_read(const char *root, struct hmat *h, struct errlist *err);

/* "access_latency", ..., "write_bandwidth", or NULL for another type. */
const char *hmat_lb_type_name(uint8_t data_type);

/* "memory", "cache1", "cache2", "cache3", or NULL (flags bits 0-3). */
const char *hmat_lb_hierarchy_name(uint8_t flags);

/*
 * The value of entry @lb in its unit (picoseconds for latencies, MB/s for
 * bandwidths): entry * base unit.  False for the entries without a value
 * (0, 0xffff) and when the product does not fit in 64 bits.
 */
bool hmat_lb_value(const struct hmat_lb *lb, uint64_t *value);

#endif
