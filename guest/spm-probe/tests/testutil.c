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
        printf("   error: %s\n", err->items[i]);
    }
    return CHECK(err->n == n, "%s: %zu error(s), want %zu", what, err->n, n);
}

bool err_contains(const struct errlist *err, const char *needle)
{
    for (size_t i = 0; i < err->n; i++) {
        if (strstr(err->items[i], needle)) {
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

/* Set the length at 4 and the checksum at 9 of the table in @buf. */
static void table_finish(uint8_t *buf, size_t len)
{
    uint8_t sum = 0;

    put_le32(buf + 4, (uint32_t)len);
    buf[9] = 0;
    for (size_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + buf[i]);
    }
    buf[9] = (uint8_t)(0 - sum);
}

void srat_finish(struct srat_builder *b)
{
    table_finish(b->buf, b->len);
}

void hmat_begin(struct hmat_builder *b)
{
    memset(b->buf, 0, sizeof(b->buf));
    memcpy(b->buf, "HMAT", 4);
    b->buf[8] = 2;                          /* revision */
    memcpy(b->buf + 10, "BOCHS ", 6);
    memcpy(b->buf + 16, "BXPC    ", 8);
    put_le32(b->buf + 24, 1);
    memcpy(b->buf + 28, "BXPC", 4);
    put_le32(b->buf + 32, 1);
    b->len = 40;                            /* 4 reserved bytes, zero */
}

uint8_t *hmat_add_raw(struct hmat_builder *b, uint16_t type, uint32_t len)
{
    uint8_t *p = b->buf + b->len;

    if (len < 8 || len > sizeof(b->buf) - b->len) {
        abort();
    }
    for (size_t i = 8; i < len; i++) {
        p[i] = (uint8_t)(0xb0 + i);         /* recognisable filler */
    }
    p[0] = (uint8_t)type;
    p[1] = (uint8_t)(type >> 8);
    p[2] = p[3] = 0;
    put_le32(p + 4, len);
    b->len += len;
    return p;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void hmat_add_mpda(struct hmat_builder *b, uint16_t flags,
                   uint32_t initiator, uint32_t memory)
{
    uint8_t *p = hmat_add_raw(b, 0, 40);

    memset(p + 8, 0, 32);
    put_le16(p + 8, flags);
    put_le32(p + 12, initiator);
    put_le32(p + 16, memory);
}

void hmat_add_lb(struct hmat_builder *b, uint8_t flags, uint8_t data_type,
                 uint64_t base_unit, uint32_t ni, const uint32_t *inits,
                 uint32_t nt, const uint32_t *targets,
                 const uint16_t *entries)
{
    uint32_t len = 32 + 4 * (ni + nt) + 2 * ni * nt;
    uint8_t *p = hmat_add_raw(b, 1, len);

    memset(p + 8, 0, len - 8);
    p[8] = flags;
    p[9] = data_type;
    put_le32(p + 12, ni);
    put_le32(p + 16, nt);
    put_le32(p + 24, (uint32_t)base_unit);
    put_le32(p + 28, (uint32_t)(base_unit >> 32));
    for (uint32_t i = 0; i < ni; i++) {
        put_le32(p + 32 + 4 * i, inits[i]);
    }
    for (uint32_t t = 0; t < nt; t++) {
        put_le32(p + 32 + 4 * ni + 4 * t, targets[t]);
    }
    for (uint32_t e = 0; e < ni * nt; e++) {
        put_le16(p + 32 + 4 * (ni + nt) + 2 * e, entries[e]);
    }
}

void hmat_add_cache(struct hmat_builder *b, uint32_t memory, uint64_t size,
                    uint32_t attributes, uint16_t n_smbios)
{
    uint8_t *p = hmat_add_raw(b, 2, 32 + 2 * (uint32_t)n_smbios);

    memset(p + 8, 0, 24);
    put_le32(p + 8, memory);
    put_le32(p + 16, (uint32_t)size);
    put_le32(p + 20, (uint32_t)(size >> 32));
    put_le32(p + 24, attributes);
    put_le16(p + 30, n_smbios);
    for (uint16_t i = 0; i < n_smbios; i++) {
        put_le16(p + 32 + 2 * i, (uint16_t)(0x100 + i));
    }
}

void hmat_finish(struct hmat_builder *b)
{
    table_finish(b->buf, b->len);
}
