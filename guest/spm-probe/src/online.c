/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: online dax devices as System RAM through the kmem driver
 *
 * kmem may online the memory itself (memory auto-online policy), or leave
 * the blocks offline: only blocks still "offline" are written to.
 */
#include "online.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KMEM_DRIVER_PATH DAX_DRIVERS_PATH "/kmem"

/* More blocks than this in one device means garbage in sysfs. */
#define ONLINE_MAX_BLOCKS (1u << 22)

void online_result_free(struct online_result *r)
{
    free(r->name);
    free(r->error);
}

static bool path_exists(const char *root, const char *path)
{
    char *full = path_join(root, path);
    struct stat st;
    bool ret = stat(full, &st) == 0;

    free(full);
    return ret;
}

void kmem_load(const char *root, const char *modpath, struct errlist *err)
{
    int fd;

    if (!modpath || path_exists(root, KMEM_DRIVER_PATH)) {
        return;
    }
    fd = open(modpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err_add(err, "kmem: %s: %s", modpath, strerror(errno));
        return;
    }
    if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
        err_add(err, "kmem: finit_module(%s): %s", modpath, strerror(errno));
    }
    close(fd);
}

char *online_memory(const char *root, uint64_t start, uint64_t size)
{
    char *path, *value, *error = NULL;
    uint64_t bs, first, last, found = 0;
    int ret;

    if (size == 0) {
        return NULL;
    }
    if (start + (size - 1) < start) {
        return xasprintf("range 0x%" PRIx64 "+0x%" PRIx64 " wraps around",
                         start, size);
    }
    path = path_join(root, MEMORY_SYSFS_PATH "/block_size_bytes");
    ret = read_attr(path, &value);
    free(path);
    if (ret < 0) {
        return xasprintf("%s/block_size_bytes: %s", MEMORY_SYSFS_PATH,
                         strerror(-ret));
    }
    if (!parse_u64(value, 16, &bs) || bs == 0) {
        error = xasprintf("%s/block_size_bytes: cannot parse \"%s\"",
                          MEMORY_SYSFS_PATH, value);
        free(value);
        return error;
    }
    free(value);

    first = start / bs;
    last = (start + (size - 1)) / bs;
    if (last - first >= ONLINE_MAX_BLOCKS) {
        return xasprintf("%" PRIu64 " memory blocks of 0x%" PRIx64
                         " bytes: too many", last - first + 1, bs);
    }
    for (uint64_t b = first; b <= last; b++) {
        char *state_path = xasprintf("%s/memory%" PRIu64 "/state",
                                     MEMORY_SYSFS_PATH, b);

        path = path_join(root, state_path);
        ret = read_attr(path, &value);
        if (ret == -ENOENT) {
            /* A partial block at either end is not added by kmem. */
        } else if (ret < 0) {
            if (!error) {
                error = xasprintf("%s: %s", state_path, strerror(-ret));
            }
        } else {
            found++;
            if (!strcmp(value, "offline")) {
                ret = write_attr(path, "online");
                if (ret < 0 && !error) {
                    error = xasprintf("%s: writing \"online\": %s",
                                      state_path, strerror(-ret));
                }
            }
            free(value);
        }
        free(path);
        free(state_path);
    }
    if (!error && !found) {
        error = xasprintf("no memory block in [0x%" PRIx64 ", 0x%" PRIx64
                          "] (block size 0x%" PRIx64 ")",
                          start, start + (size - 1), bs);
    }
    return error;
}

void online_dax(const char *root, const struct dax_list *devs,
                struct online_list *ol)
{
    for (size_t i = 0; i < devs->n; i++) {
        const struct dax_dev *dev = &devs->items[i];
        struct online_result *r = online_list_push(ol);

        r->name = xstrdup(dev->name);
        r->error = dax_bind(root, dev->name, "kmem");
        if (!r->error) {
            r->error = online_memory(root, dev->start, dev->size);
        }
    }
}
