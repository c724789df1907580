/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: checks, fake sysfs trees and SRAT building
 */
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

unsigned test_failures;
unsigned test_checks;

bool test_check(bool cond, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    test_checks++;
    printf(cond ? "ok - " : "FAIL - ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!cond) {
        printf(" (%s:%d)", file, line);
        test_failures++;
    }
    putchar('\n');
    fflush(stdout);
    return cond;
}

bool test_check_str(const char *got, const char *want, const char *file,
                    int line, const char *what)
{
    return test_check(got && !strcmp(got, want), file, line,
                      "%s: got \"%s\", want \"%s\"", what,
                      got ? got : "(null)", want);
}

int test_done(void)
{
    printf("%u checks, %u failed\n", test_checks, test_failures);
    return test_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

bool check_nerr(const struct errlist *err, size_t n, const char *what)
{
    for (size_t i = 0; i < err->n; i++) {
        printf("   error: %s\n", err->msg[i]);
    }
    return CHECK(err->n == n, "%s: %zu error(s), want %zu", what, err->n, n);
}

bool err_contains(const struct errlist *err, const char *needle)
{
    for (size_t i = 0; i < err->n; i++) {
        if (strstr(err->msg[i], needle)) {
            return true;
        }
    }
    return false;
}

static void die(const char *what, const char *path)
{
    fprintf(stderr, "test setup: %s %s: %s\n", what, path, strerror(errno));
    exit(99);
}

char *tree_new(void)
{
    const char *tmp = getenv("TMPDIR");
    char *path = xasprintf("%s/spm-probe-test.XXXXXX", tmp ? tmp : "/tmp");

    if (!mkdtemp(path)) {
        die("mkdtemp", path);
    }
    return path;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tree_remove(char *root)
{
    nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(root);
}

static void mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                die("mkdir", path);
            }
            *p = '/';
        }
    }
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        die("mkdir", path);
    }
}

static char *tree_path_parent(const char *root, const char *rel)
{
    char *path = xasprintf("%s/%s", root, rel);
    char *slash = strrchr(path, '/');

    *slash = '\0';
    mkdir_p(path);
    *slash = '/';
    return path;
}

void tree_write_bin(const char *root, const char *rel, const void *data,
                    size_t len)
{
    char *path = tree_path_parent(root, rel);
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        die("write", path);
    }
    free(path);
}

void tree_write(const char *root, const char *rel, const char *text)
{
    tree_write_bin(root, rel, text, strlen(text));
}

void tree_mkdir(const char *root, const char *rel)
{
    char *path = xasprintf("%s/%s", root, rel);

    mkdir_p(path);
    free(path);
}

void tree_symlink(const char *root, const char *rel, const char *target)
{
    char *path = tree_path_parent(root, rel);

    if (symlink(target, path) < 0) {
        die("symlink", path);
    }
    free(path);
}

char *tree_read(const char *root, const char *rel)
{
    char *path = xasprintf("%s/%s", root, rel);
    size_t len;
    char *buf;

    if (read_file(path, 1u << 20, &buf, &len) < 0) {
        buf = NULL;
    }
    free(path);
    return buf;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

void srat_begin(struct srat_builder *b)
{
    memset(b->buf, 0, sizeof(b->buf));
    memcpy(b->buf, "SRAT", 4);
    b->buf[8] = 3;                          /* revision */
    memcpy(b->buf + 10, "BOCHS ", 6);       /* OEM id */
    memcpy(b->buf + 16, "BXPC    ", 8);     /* OEM table id */
    put_le32(b->buf + 24, 1);               /* OEM revision */
    memcpy(b->buf + 28, "BXPC", 4);         /* creator id */
    put_le32(b->buf + 32, 1);               /* creator revision */
    put_le32(b->buf + 36, 1);               /* reserved, must be 1 */
    b->len = 48;
}

void srat_add_raw(struct srat_builder *b, uint8_t type, uint8_t len)
{
    if (b->len + len > sizeof(b->buf)) {
        abort();
    }
    b->buf[b->len] = type;
    b->buf[b->len + 1] = len;
    for (size_t i = 2; i < len; i++) {
        b->buf[b->len + i] = (uint8_t)(0xa0 + i);  /* recognisable filler */
    }
    b->len += len;
}

void srat_add_mem(struct srat_builder *b, uint32_t pxm, uint64_t base,
                  uint64_t length, uint32_t flags)
{
    uint8_t *p = b->buf + b->len;

    srat_add_raw(b, 1, 40);
    memset(p + 2, 0, 38);
    put_le32(p + 2, pxm);
    put_le32(p + 8, (uint32_t)base);
    put_le32(p + 12, (uint32_t)(base >> 32));
    put_le32(p + 16, (uint32_t)length);
    put_le32(p + 20, (uint32_t)(length >> 32));
    put_le32(p + 28, flags);
}

void srat_finish(struct srat_builder *b)
{
    uint8_t sum = 0;

    put_le32(b->buf + 4, (uint32_t)b->len);
    b->buf[9] = 0;
    for (size_t i = 0; i < b->len; i++) {
        sum = (uint8_t)(sum + b->buf[i]);
    }
    b->buf[9] = (uint8_t)(0 - sum);
}
