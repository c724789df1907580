/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the probe run
 */
#ifndef SPM_PROBE_PROBE_H
#define SPM_PROBE_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pattern.h"

struct probe_opts {
    const char *root;       /* prefixed to every sysfs/procfs path */
    bool online;            /* --online: bind dax devices to kmem */
    const char *kmem_path;  /* --online=PATH: kmem.ko to load, or NULL */
    enum pattern_mode pattern;  /* --pattern=MODE[:SEED], or PATTERN_NONE */
    uint64_t pattern_seed;
};

/*
 * Gather everything and write the whole report to @f.  Returns 0, or -1 if
 * writing to @f failed.
 */
int probe_run(const struct probe_opts *opts, FILE *f);

#endif
