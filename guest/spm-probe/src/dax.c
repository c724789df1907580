/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: device-dax devices (/sys/bus/dax/devices)
 */
#include "dax.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void dax_dev_free(struct dax_dev *dev)
{
    free(dev->name);
    free(dev->driver);
    free(dev->provider);
}

char *dax_driver(const char *root, const char *name, struct errlist *err)
{
    char *path = xasprintf("%s/%s/driver", DAX_DEVICES_PATH, name);
    char *full = path_join(root, path);
    char target[PATH_MAX];
    const char *base;
    ssize_t len;

    len = readlink(full, target, sizeof(target) - 1);
    free(full);
    if (len < 0) {
        if (errno == ENOENT) {
            free(path);
            return xstrdup("none");
        }
        err_add(err, "dax: %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    free(path);
    target[len] = '\0';
    base = strrchr(target, '/');
    base = base ? base + 1 : target;
    return xstrdup(*base ? base : "none");
}

/* Write @value to @path below @root; 0 or -errno. */
static int write_sysfs(const char *root, const char *path, const char *value)
{
    char *full = path_join(root, path);
    int ret = write_attr(full, value);

    free(full);
    return ret;
}

char *dax_bind(const char *root, const char *name, const char *driver)
{
    struct errlist err;
    char *cur, *path, *error = NULL;
    int ret, ret2;

    errlist_init(&err);
    cur = dax_driver(root, name, &err);
    if (!cur) {
        error = xstrdup(err.items[0]);
        goto out;
    }
    if (!strcmp(cur, driver)) {
        goto out;
    }
    if (strcmp(cur, "none")) {
        path = xasprintf("%s/%s/driver/unbind", DAX_DEVICES_PATH, name);
        ret = write_sysfs(root, path, name);
        free(path);
        if (ret < 0) {
            error = xasprintf("unbind from %s: %s", cur, strerror(-ret));
            goto out;
        }
    }
    path = xasprintf("%s/%s/new_id", DAX_DRIVERS_PATH, driver);
    ret = write_sysfs(root, path, name);
    free(path);
    if (ret < 0) {
        path = xasprintf("%s/%s/bind", DAX_DRIVERS_PATH, driver);
        ret2 = write_sysfs(root, path, name);
        free(path);
        if (ret2 < 0) {
            error = xasprintf("%s: new_id: %s; bind: %s", driver,
                              strerror(-ret), strerror(-ret2));
            goto out;
        }
    }
    free(cur);
    cur = dax_driver(root, name, &err);
    if (!cur) {
        error = xstrdup(err.items[0]);
    } else if (!strcmp(cur, "none")) {
        error = xasprintf("still unbound after binding to %s", driver);
    } else if (strcmp(cur, driver)) {
        error = xasprintf("still bound to %s after binding to %s", cur,
                          driver);
    }
out:
    free(cur);
    errlist_free(&err);
    return error;
}

/*
 * The real path @path as the report shows it: without @rroot, the real
 * path of the root, when it is below it.
 */
static const char *shown_path(const char *rroot, const char *path)
{
    size_t len = rroot ? strlen(rroot) : 0;

    if (len > 1 && !strncmp(path, rroot, len) && path[len] == '/') {
        return path + len;
    }
    return path;
}

/*
 * Read the region of dax device @name below @root into @dev: the
 * DAX_REGION_DIR of the directory that holds the device's real directory.
 */
static void dax_read_region(const char *root, const char *name,
                            struct dax_dev *dev, struct errlist *err)
{
    char *link = xasprintf("%s/%s", DAX_DEVICES_PATH, name);
    char *full = path_join(root, link);
    char *real = realpath(full, NULL);
    char *rroot = NULL, *regdir = NULL, *id = NULL, *size = NULL;
    const char *shown;
    char *slash;
    struct stat st;
    uint64_t v;
    bool ok = true;

    dev->region_id = -1;
    dev->region_size = 0;
    dev->provider = NULL;
    free(link);
    free(full);
    slash = real ? strrchr(real, '/') : NULL;
    if (!slash || slash == real) {
        goto out;
    }
    *slash = '\0';
    regdir = xasprintf("%s/%s", real, DAX_REGION_DIR);
    rroot = realpath(root_is_real(root) ? "/" : root, NULL);
    shown = shown_path(rroot, real);
    if (stat(regdir, &st) < 0) {
        if (errno != ENOENT && errno != ENOTDIR) {
            err_add(err, "dax: %s/%s: %s", shown, DAX_REGION_DIR,
                    strerror(errno));
        }
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        err_add(err, "dax: %s/%s: not a directory", shown, DAX_REGION_DIR);
        goto out;
    }
    id = read_entry_attr(real, DAX_REGION_DIR, "id", "dax", shown, err);
    size = read_entry_attr(real, DAX_REGION_DIR, "size", "dax", shown, err);
    /* id is "%d", size "%llu". */
    if (id && (!parse_u64(id, 10, &v) || v > INT64_MAX)) {
        err_add(err, "dax: %s/%s/id: cannot parse \"%s\"", shown,
                DAX_REGION_DIR, id);
        ok = false;
    } else if (id) {
        dev->region_id = (int64_t)v;
    }
    if (size && !parse_u64(size, 10, &dev->region_size)) {
        err_add(err, "dax: %s/%s/size: cannot parse \"%s\"", shown,
                DAX_REGION_DIR, size);
        ok = false;
    }
    if (ok && id && size) {
        dev->provider = xstrdup(strrchr(real, '/') + 1);
    }
out:
    if (!dev->provider) {
        dev->region_id = -1;
        dev->region_size = 0;
        dev->provider = xstrdup("none");
    }
    free(id);
    free(size);
    free(regdir);
    free(rroot);
    free(real);
}

static bool dax_read_one(const char *root, const char *dir, const char *name,
                         struct dax_dev *dev, struct errlist *err)
{
    static const char *const attrs[] = { "resource", "size", "target_node" };
    char *val[ARRAY_SIZE(attrs)];
    bool ok = true;

    for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
        val[i] = read_entry_attr(dir, name, attrs[i], "dax", DAX_DEVICES_PATH,
                                 err);
        ok = ok && val[i];
    }
    /* resource is "%#llx" (so "0" for zero), size and target_node "%d". */
    if (val[0] && !parse_u64(val[0], 16, &dev->start)) {
        err_add(err, "dax: %s/%s/resource: cannot parse \"%s\"",
                DAX_DEVICES_PATH, name, val[0]);
        ok = false;
    }
    if (val[1] && !parse_u64(val[1], 10, &dev->size)) {
        err_add(err, "dax: %s/%s/size: cannot parse \"%s\"",
                DAX_DEVICES_PATH, name, val[1]);
        ok = false;
    }
    if (val[2] && !parse_i64(val[2], &dev->target_node)) {
        err_add(err, "dax: %s/%s/target_node: cannot parse \"%s\"",
                DAX_DEVICES_PATH, name, val[2]);
        ok = false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
        free(val[i]);
    }
    if (!ok) {
        return false;
    }
    dev->driver = dax_driver(root, name, err);
    if (!dev->driver) {
        return false;
    }
    dax_read_region(root, name, dev, err);
    dev->name = xstrdup(name);
    return true;
}

void dax_read(const char *root, struct dax_list *dl, struct errlist *err)
{
    char **names;
    size_t n;
    char *dir = list_sysfs_dir(root, DAX_DEVICES_PATH, "dax", true, &names,
                               &n, err);

    if (!dir) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct dax_dev dev;

        if (dax_read_one(root, dir, names[i], &dev, err)) {
            *dax_list_push(dl) = dev;
        }
    }
    free_names(names, n);
    free(dir);
}
