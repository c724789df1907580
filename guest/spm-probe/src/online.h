/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: online dax devices as System RAM through the kmem driver
 */
#ifndef SPM_PROBE_ONLINE_H
#define SPM_PROBE_ONLINE_H

#include <stddef.h>
#include <stdint.h>

#include "dax.h"
#include "node.h"
#include "util.h"

struct online_result {
    char *name;             /* dax device */
    char *error;            /* NULL when it was onlined */
};

void online_result_free(struct online_result *r);

DEFINE_LIST(online_list, struct online_result, online_result_free)

/*
 * Load the kmem module from @modpath (an uncompressed .ko, not below
 * @root) with finit_module(2) unless the kmem driver is already there.
 * Failure (other than EEXIST) is reported in @err.
 */
void kmem_load(const char *root, const char *modpath, struct errlist *err);

/*
 * Online the memory blocks of [@start, @start + @size) that are offline.
 * Returns NULL on success, else an allocated error message.
 */
char *online_memory(const char *root, uint64_t start, uint64_t size);

/*
 * For each device of @devs: bind it to kmem (unbinding it from its current
 * driver first) unless it is bound to kmem already, then online its memory
 * blocks that are still offline.  One result per device goes to @ol.
 */
void online_dax(const char *root, const struct dax_list *devs,
                struct online_list *ol);

#endif
