/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: what only the kernel log tells: the proximity domain -> node
 * mapping and the E820 table as the firmware gave it
 *
 * Linux has no sysfs file for the PXM -> node mapping, but logs it while
 * parsing the SRAT:
 *   ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x13fffffff] hotplug
 *   SRAT: PXM 0 -> APIC 0x00 -> Node 0
 *   SRAT: PXM 1 -> X2APIC 0x1 -> Node 1
 *
 * and it logs the firmware's E820 table at boot, also without
 * CONFIG_FIRMWARE_MEMMAP (end inclusive; Linux 6.12, then 7.2, which puts
 * two spaces before the type, names types differently and logs gaps):
 *   BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff] soft reserved
 *   BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff]  soft reserved
 *   BIOS-e820: [gap 0x0000000140000000-0x000000fcffffffff]
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

/* One "BIOS-e820: [mem START-END] TYPE" line. */
struct e820_entry {
    uint64_t start;
    uint64_t end;           /* inclusive, as logged */
    char *type;             /* as logged, e.g. "soft reserved" */
};

void e820_entry_free(struct e820_entry *e);

/* In log order. */
DEFINE_LIST(e820_list, struct e820_entry, e820_entry_free)

enum klog_e820 {
    KLOG_E820_NONE,         /* not a BIOS-e820 entry (gaps included) */
    KLOG_E820_ENTRY,        /* an entry, filled in */
    KLOG_E820_BAD,          /* a BIOS-e820 [mem ...] line that is not one */
};

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
 * Parse one log line (without newline), prefix included or not, as an
 * E820 entry: "BIOS-e820: [mem 0xSTART-0xEND] TYPE", with any spaces
 * before TYPE and TYPE trimmed.  On KLOG_E820_ENTRY, *@e holds the entry
 * (its type allocated).  Gap lines ("BIOS-e820: [gap ...]") and all
 * other lines (such as "e820: update [mem ...] ...") are KLOG_E820_NONE;
 * a "BIOS-e820: [mem" line with a malformed range, an end below its
 * start or no type is KLOG_E820_BAD.
 */
enum klog_e820 klog_parse_e820_line(const char *line, struct e820_entry *e);

/*
 * Parse @len bytes of kernel log, in one pass, into @map and @e820.  A PXM
 * logged with two different nodes is reported in @err (the first node is
 * kept), and so is a BIOS-e820 line that does not parse (left out).
 */
void klog_parse(const char *text, size_t len, struct pxm_map *map,
                struct e820_list *e820, struct errlist *err);

/*
 * Read the kernel log: with klogctl() if @root is "/", else from the file
 * KLOG_FILE_PATH below @root.  Returns a NUL-terminated allocation and
 * its length in *@len, or NULL after adding an error to @err.
 */
char *klog_read(const char *root, size_t *len, struct errlist *err);

#endif
