/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: the running kernel's release
 */
#include "kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

char *kernel_release(const char *root, struct errlist *err)
{
    char *path, *release;
    int ret;

    if (root_is_real(root)) {
        struct utsname u;

        if (uname(&u) < 0) {
            err_add(err, "kernel: uname: %s", strerror(errno));
            return NULL;
        }
        release = xstrdup(u.release);
    } else {
        path = path_join(root, KERNEL_OSRELEASE_PATH);
        ret = read_attr(path, &release);
        free(path);
        if (ret < 0) {
            err_add(err, "kernel: %s: %s", KERNEL_OSRELEASE_PATH,
                    strerror(-ret));
            return NULL;
        }
    }
    if (release[0] == '\0') {
        err_add(err, "kernel: %s: empty release",
                root_is_real(root) ? "uname" : KERNEL_OSRELEASE_PATH);
        free(release);
        return NULL;
    }
    return release;
}
