/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: the kernel release
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "kernel.h"
#include "report.h"
#include "testutil.h"

int main(void)
{
    char *root = tree_new();
    struct errlist err;
    struct utsname u;
    char *release, *out = NULL;
    size_t len = 0;
    FILE *f;

    printf("# the real root: uname(2)\n");
    errlist_init(&err);
    release = kernel_release("/", &err);
    check_nerr(&err, 0, "uname");
    if (CHECK(uname(&u) == 0, "uname")) {
        CHECK_STR(release, u.release, "release of /");
    }
    free(release);

    printf("# a fake root: proc/sys/kernel/osrelease\n");
    release = kernel_release(root, &err);
    check_nerr(&err, 1, "no osrelease");
    CHECK(release == NULL, "no release");
    CHECK(err_contains(&err, "kernel: /proc/sys/kernel/osrelease: No such "
                       "file"), "missing osrelease reported");
    errlist_free(&err);

    tree_write(root, "proc/sys/kernel/osrelease", "\n");
    release = kernel_release(root, &err);
    check_nerr(&err, 1, "empty osrelease");
    CHECK(release == NULL, "no release");
    CHECK(err_contains(&err, "kernel: /proc/sys/kernel/osrelease: empty "
                       "release"), "empty osrelease reported");
    errlist_free(&err);

    tree_write(root, "proc/sys/kernel/osrelease", "7.2.13+deb14-amd64\n");
    release = kernel_release(root, &err);
    check_nerr(&err, 0, "osrelease");
    CHECK_STR(release, "7.2.13+deb14-amd64", "trailing newline stripped");

    printf("# report line\n");
    f = open_memstream(&out, &len);
    if (CHECK(f != NULL, "open_memstream")) {
        report_kernel(f, release);
        report_kernel(f, "6.12 \"odd\"\x01");
        fclose(f);
        CHECK_STR(out, "kernel release=\"7.2.13+deb14-amd64\"\n"
                  "kernel release=\"6.12 \\\"odd\\\"?\"\n", "report_kernel");
        free(out);
    }
    free(release);
    errlist_free(&err);
    tree_remove(root);
    return test_done();
}
