/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: ACPI System Resource Affinity Table (SRAT) parser
 */
#ifndef SPM_PROBE_SRAT_H
#define SPM_PROBE_SRAT_H

#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "util.h"

#define SRAT_HEADER_LEN             48      /* ACPI header + 12 reserved */
#define SRAT_TYPE_MEMORY_AFFINITY   1
#define SRAT_MEMORY_AFFINITY_LEN    40

#define SRAT_MEM_ENABLED            (1u << 0)
#define SRAT_MEM_HOT_PLUGGABLE      (1u << 1)
#define SRAT_MEM_NON_VOLATILE       (1u << 2)

/* Where the kernel exposes the table, below the probe root. */
#define SRAT_SYSFS_PATH "/sys/firmware/acpi/tables/SRAT"

struct srat_mem {
    uint64_t base;
    uint64_t length;
    uint32_t pxm;
    uint32_t flags;
};

DEFINE_LIST(srat_mem_list, struct srat_mem, LIST_ITEM_NO_FREE)

struct srat {
    struct srat_mem_list mem;   /* Memory Affinity entries, in table order */
};

void srat_init(struct srat *srat);
void srat_free(struct srat *srat);

/*
 * Parse the @len bytes at @buf as an SRAT, appending every Memory Affinity
 * entry to @srat.  Every problem found adds a message to @err; parsing goes
 * on as far as it safely can (a bad checksum does not stop it).
 */
void srat_parse(const uint8_t *buf, size_t len, struct srat *srat,
                struct errlist *err);

/* Read SRAT_SYSFS_PATH below @root and parse it. */
void srat_read(const char *root, struct srat *srat, struct errlist *err);

#endif
