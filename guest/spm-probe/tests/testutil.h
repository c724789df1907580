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

/*
 * The start of a QEMU q35 guest's /proc/iomem, up to its low System RAM
 * (the iomem parser's sample and the e2e guest's).
 */
#define IOMEM_Q35_LOW \
    "00000000-00000fff : Reserved\n" \
    "00001000-0009fbff : System RAM\n" \
    "0009fc00-0009ffff : Reserved\n" \
    "000a0000-000bffff : PCI Bus 0000:00\n" \
    "000f0000-000fffff : Reserved\n" \
    "  000f0000-000fffff : System ROM\n" \
    "00100000-7ffdffff : System RAM\n"

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

/* Build an HMAT (ACPI 6.3 layout) in a caller buffer. */
struct hmat_builder {
    uint8_t buf[4096];
    size_t len;
};

void hmat_begin(struct hmat_builder *b);
/* A structure of @type and @len bytes: header, then 0xb0-ish filler. */
uint8_t *hmat_add_raw(struct hmat_builder *b, uint16_t type, uint32_t len);
void hmat_add_mpda(struct hmat_builder *b, uint16_t flags,
                   uint32_t initiator, uint32_t memory);
/* @entries: @ni rows of @nt values. */
void hmat_add_lb(struct hmat_builder *b, uint8_t flags, uint8_t data_type,
                 uint64_t base_unit, uint32_t ni, const uint32_t *inits,
                 uint32_t nt, const uint32_t *targets,
                 const uint16_t *entries);
void hmat_add_cache(struct hmat_builder *b, uint32_t memory, uint64_t size,
                    uint32_t attributes, uint16_t n_smbios);
/* Set the header length and checksum. */
void hmat_finish(struct hmat_builder *b);

#endif
