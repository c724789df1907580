/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: proximity domain -> node mapping from the kernel log
 *
 * Linux has no sysfs file for it, but logs it while parsing the SRAT:
 *   ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff] hotplug
 *   SRAT: PXM 0 -> APIC 0x00 -> Node 0
 *   SRAT: PXM 1 -> X2APIC 0x1 -> Node 1
 */
#ifndef SPM_PROBE_KLOG_H
#define SPM_PROBE_KLOG_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Below a --root other than "/", the log is read from this file. */
#define KLOG_FILE_PATH "/klog"

/* Largest kernel log buffer read with klogctl(). */
#define KLOG_MAX_SIZE (4u << 20)

struct pxm_node {
    uint32_t pxm;
    uint32_t node;
};

/* One per distinct pxm, sorted by pxm. */
DEFINE_LIST(pxm_map, struct pxm_node, LIST_ITEM_NO_FREE)

/* The node of @pxm, or -1 if the map does not have it. */
int64_t pxm_map_lookup(const struct pxm_map *map, uint32_t pxm);

/*
 * Skip the "<6>" level and "[    0.000000] " timestamp (and caller id)
 * prefixes of a kernel log line.
 */
const char *klog_strip_prefix(const char *line);

/*
 * Parse one log line (without newline), prefix included or not.  Returns
 * true and fills *@pxm, *@node if it is an SRAT line mapping a PXM to a
 * node.
 */
bool klog_parse_line(const char *line, uint32_t *pxm, uint32_t *node);

/*
 * Parse @len bytes of kernel log into @map.  A PXM logged with two
 * different nodes is reported in @err (the first node is kept).
 */
void klog_parse(const char *text, size_t len, struct pxm_map *map,
                struct errlist *err);

/*
 * Read the kernel log: with klogctl() if @root is "/", else from the file
 * KLOG_FILE_PATH below @root.  Returns a NUL-terminated allocation and
 * its length in *@len, or NULL after adding an error to @err.
 */
char *klog_read(const char *root, size_t *len, struct errlist *err);

#endif
