/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: write and check a pattern in device-dax memory (--pattern)
 *
 * The device is bound to device_dax and its whole size mapped from
 * /dev/NAME; every 64-bit word at byte offset o holds
 * splitmix64(seed ^ fnv1a64(NAME) ^ o).  The walk is plain loads and
 * stores on the mapping, so that 1 GiB stays bearable under TCG.
 */
#include "pattern.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATTERN_POLL_MS 50

const char *pattern_mode_name(enum pattern_mode mode)
{
    switch (mode) {
    case PATTERN_WRITE:
        return "write";
    case PATTERN_CHECK:
        return "check";
    case PATTERN_NONE:
        break;
    }
    return "none";
}

bool pattern_parse_arg(const char *arg, enum pattern_mode *mode,
                       uint64_t *seed)
{
    size_t len = strcspn(arg, ":");
    enum pattern_mode m;
    uint64_t s = PATTERN_DEFAULT_SEED;

    if (len == 5 && !strncmp(arg, "write", len)) {
        m = PATTERN_WRITE;
    } else if (len == 5 && !strncmp(arg, "check", len)) {
        m = PATTERN_CHECK;
    } else {
        return false;
    }
    if (arg[len] == ':' && !parse_u64(arg + len + 1, 10, &s)) {
        return false;
    }
    *mode = m;
    *seed = s;
    return true;
}

uint64_t pattern_mix(uint64_t x)
{
    uint64_t z = x + 0x9e3779b97f4a7c15ull;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t pattern_name_hash(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t pattern_key(uint64_t seed, const char *name)
{
    return seed ^ pattern_name_hash(name);
}

void pattern_fill(void *buf, size_t len, uint64_t key)
{
    uint64_t *w = buf;
    size_t n = len / sizeof(*w);

    for (size_t i = 0; i < n; i++) {
        w[i] = pattern_value(key, (uint64_t)i * sizeof(*w));
    }
}

bool pattern_check(const void *buf, size_t len, uint64_t key,
                   struct pattern_mismatch *mm)
{
    const uint64_t *w = buf;
    size_t n = len / sizeof(*w);

    for (size_t i = 0; i < n; i++) {
        uint64_t off = (uint64_t)i * sizeof(*w);
        uint64_t want = pattern_value(key, off);

        if (w[i] != want) {
            mm->offset = off;
            mm->want = want;
            mm->got = w[i];
            return false;
        }
    }
    return true;
}

void pattern_result_free(struct pattern_result *r)
{
    free(r->name);
    free(r->error);
    r->name = NULL;
    r->error = NULL;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (long)(ms % 1000) * 1000000 };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/*
 * The "align" attribute of @name (0 if the kernel has none); NULL or an
 * allocated error message.
 */
static char *read_align(const char *root, const char *name, uint64_t *align)
{
    char *rel = xasprintf("%s/%s/align", DAX_DEVICES_PATH, name);
    char *path = path_join(root, rel);
    char *value, *error = NULL;
    int ret;

    *align = 0;
    ret = read_attr(path, &value);
    free(path);
    if (ret == -ENOENT) {
        free(rel);
        return NULL;
    }
    if (ret < 0) {
        error = xasprintf("align: %s: %s", rel, strerror(-ret));
    } else {
        if (!parse_u64(value, 10, align)) {
            error = xasprintf("align: %s: cannot parse \"%s\"", rel, value);
        }
        free(value);
    }
    free(rel);
    return error;
}

/*
 * Open the device node of @name read-write, retrying for up to @wait_ms
 * while it is missing (devtmpfs) or not yet backed by a driver (ENXIO).
 * Returns the fd, or -1 with an allocated message in *@error.
 */
static int open_node(const char *root, const char *name, unsigned wait_ms,
                     char **error)
{
    char *rel = xasprintf("%s/%s", PATTERN_DEV_PATH, name);
    char *path = path_join(root, rel);
    unsigned waited = 0;
    int fd;

    for (;;) {
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0 || (errno != ENOENT && errno != ENXIO) ||
            waited >= wait_ms) {
            break;
        }
        sleep_ms(PATTERN_POLL_MS);
        waited += PATTERN_POLL_MS;
    }
    if (fd < 0) {
        *error = xasprintf("open %s: %s", rel, strerror(errno));
    }
    free(path);
    free(rel);
    return fd;
}

/* Map, then fill or check; NULL or an allocated error message. */
static char *walk(int fd, const char *name, struct pattern_result *r)
{
    uint64_t key = pattern_key(r->seed, name);
    struct stat st;
    size_t len;
    void *p;
    char *error = NULL;

    if (r->bytes > SIZE_MAX) {
        return xasprintf("mmap: size 0x%" PRIx64 " too large", r->bytes);
    }
    len = (size_t)r->bytes;
    /* A regular file (tests) shorter than the mapping would SIGBUS. */
    if (fstat(fd, &st) < 0) {
        return xasprintf("fstat: %s", strerror(errno));
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < r->bytes) {
        return xasprintf("mmap: file of 0x%" PRIx64 " bytes is shorter than "
                         "the device", (uint64_t)st.st_size);
    }
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        return xasprintf("mmap: %s", strerror(errno));
    }
    if (r->mode == PATTERN_WRITE) {
        pattern_fill(p, len, key);
        /*
         * device-dax has no fsync: msync(MS_SYNC) fails with EINVAL there
         * (the stores went straight to memory, nothing is left to sync).
         */
        if (msync(p, len, MS_SYNC) < 0 && errno != EINVAL) {
            error = xasprintf("msync: %s", strerror(errno));
        }
    } else {
        r->mismatch = !pattern_check(p, len, key, &r->mm);
    }
    if (munmap(p, len) < 0 && !error) {
        error = xasprintf("munmap: %s", strerror(errno));
    }
    return error;
}

void pattern_dev(const char *root, const struct dax_dev *dev,
                 enum pattern_mode mode, uint64_t seed, unsigned wait_ms,
                 struct pattern_result *r)
{
    uint64_t align;
    char *error;
    int fd;

    memset(r, 0, sizeof(*r));
    r->name = xstrdup(dev->name);
    r->mode = mode;
    r->seed = seed;
    r->bytes = dev->size;

    error = dax_bind(root, dev->name, PATTERN_DRIVER);
    if (error) {
        r->error = xasprintf("bind: %s", error);
        free(error);
        return;
    }
    if (dev->size == 0) {
        return;
    }
    r->error = read_align(root, dev->name, &align);
    if (r->error) {
        return;
    }
    if (align && dev->size % align) {
        r->error = xasprintf("align: size 0x%" PRIx64 " is not a multiple "
                             "of align 0x%" PRIx64, dev->size, align);
        return;
    }
    fd = open_node(root, dev->name, wait_ms, &r->error);
    if (fd < 0) {
        return;
    }
    r->error = walk(fd, dev->name, r);
    close(fd);
}
