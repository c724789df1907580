/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: checks, fake sysfs trees and SRAT building
 */
#ifndef SPM_PROBE_TESTUTIL_H
#define SPM_PROBE_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

extern unsigned test_failures;
extern unsigned test_checks;

/* Print "ok - what" or "FAIL - what (file:line)"; count failures. */
bool test_check(bool cond, const char *file, int line, const char *fmt, ...)
    PRINTF_FMT(4, 5);

#define CHECK(cond, ...) test_check((cond), __FILE__, __LINE__, __VA_ARGS__)

#define CHECK_U64(got, want, what)                                          \
    test_check((uint64_t)(got) == (uint64_t)(want), __FILE__, __LINE__,     \
               "%s: got 0x%llx, want 0x%llx", (what),                       \
               (unsigned long long)(got), (unsigned long long)(want))

bool test_check_str(const char *got, const char *want, const char *file,
                    int line, const char *what);

#define CHECK_STR(got, want, what)                                          \
    test_check_str((got), (want), __FILE__, __LINE__, (what))

/* Summary line; the exit status for main(). */
int test_done(void);

/* Check that @err holds exactly @n messages, printing them. */
bool check_nerr(const struct errlist *err, size_t n, const char *what);

/* True if some message of @err contains @needle. */
bool err_contains(const struct errlist *err, const char *needle);

/* A fresh temporary directory; abort on failure. */
char *tree_new(void);
/* Remove @root recursively. */
void tree_remove(char *root);
/* Create @rel (and parents) below @root holding @len bytes of @data. */
void tree_write_bin(const char *root, const char *rel, const void *data,
                    size_t len);
void tree_write(const char *root, const char *rel, const char *text);
void tree_mkdir(const char *root, const char *rel);
void tree_symlink(const char *root, const char *rel, const char *target);
/* Contents of @rel below @root (allocated), or NULL. */
char *tree_read(const char *root, const char *rel);

/* Build an SRAT in a caller buffer. */
struct srat_builder {
    uint8_t buf[4096];
    size_t len;
};

void srat_begin(struct srat_builder *b);
void srat_add_raw(struct srat_builder *b, uint8_t type, uint8_t len);
void srat_add_mem(struct srat_builder *b, uint32_t pxm, uint64_t base,
                  uint64_t length, uint32_t flags);
/* Set the header length and checksum. */
void srat_finish(struct srat_builder *b);

#endif
