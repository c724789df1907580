/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: write and check a pattern in device-dax memory (--pattern),
 * so that a test can migrate the guest in between
 */
#ifndef SPM_PROBE_PATTERN_H
#define SPM_PROBE_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dax.h"

#define PATTERN_DRIVER "device_dax"
#define PATTERN_DEV_PATH "/dev"

/* How long to wait for /dev/NAME to appear after binding. */
#define PATTERN_NODE_WAIT_MS 2000

#define PATTERN_DEFAULT_SEED 1

enum pattern_mode {
    PATTERN_NONE,
    PATTERN_WRITE,
    PATTERN_CHECK,
};

/* "write", "check" (or "none"). */
const char *pattern_mode_name(enum pattern_mode mode);

/*
 * Parse the argument of --pattern: "write" or "check", optionally followed
 * by ":SEED" (a decimal u64; PATTERN_DEFAULT_SEED if absent).  Returns
 * false, leaving *@mode and *@seed alone, if @arg is not of that form.
 */
bool pattern_parse_arg(const char *arg, enum pattern_mode *mode,
                       uint64_t *seed);

/* splitmix64's output function, applied to @x + the golden gamma. */
uint64_t pattern_mix(uint64_t x);

/* 64-bit FNV-1a hash of @name. */
uint64_t pattern_name_hash(const char *name);

/* The key of device @name for @seed: seed ^ pattern_name_hash(name). */
uint64_t pattern_key(uint64_t seed, const char *name);

/* The word at byte offset @off: pattern_mix(key ^ off). */
static inline uint64_t pattern_value(uint64_t key, uint64_t off)
{
    return pattern_mix(key ^ off);
}

/*
 * Fill the 64-bit words of @buf (8-byte aligned, the first word at device
 * offset 0) with the pattern of @key.  A trailing partial word (@len not a
 * multiple of 8) is left alone.
 */
void pattern_fill(void *buf, size_t len, uint64_t key);

struct pattern_mismatch {
    uint64_t offset;        /* byte offset of the first bad word */
    uint64_t want;
    uint64_t got;
};

/*
 * Check the words of @buf against the pattern of @key, stopping at the
 * first mismatch.  Returns true if they all match; else false and the
 * first mismatch in *@mm.
 */
bool pattern_check(const void *buf, size_t len, uint64_t key,
                   struct pattern_mismatch *mm);

struct pattern_result {
    char *name;             /* dax device */
    enum pattern_mode mode;
    uint64_t seed;
    uint64_t bytes;         /* size of the device (sysfs "size") */
    char *error;            /* NULL unless a step failed */
    bool mismatch;          /* check only: *mm is the first mismatch */
    struct pattern_mismatch mm;
};

void pattern_result_free(struct pattern_result *r);

/*
 * Run @mode with @seed on dax device @dev below @root: bind it to
 * device_dax (dax_bind()), open PATTERN_DEV_PATH/NAME read-write (waiting
 * up to @wait_ms for it to appear), map dev->size bytes of it (a multiple
 * of the device's "align" attribute, if it has one) shared, then write and
 * msync, or check, the pattern.  A device of size 0 is bound but not
 * opened.  The outcome goes to *@r (free with pattern_result_free()).
 */
void pattern_dev(const char *root, const struct dax_dev *dev,
                 enum pattern_mode mode, uint64_t seed, unsigned wait_ms,
                 struct pattern_result *r);

#endif
