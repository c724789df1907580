/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: small helpers (allocation, files, number parsing, errors)
 */
#ifndef SPM_PROBE_UTIL_H
#define SPM_PROBE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))

/* Allocation: these never return NULL; they abort the program on OOM. */
void *xmalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
void *xrealloc_array(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_FMT(1, 2);

/*
 * DEFINE_LIST(name, type, item_free) defines a growable array of @type,
 *
 *     struct name {
 *         type *items;
 *         size_t n;            (items in use)
 *         size_t cap;          (items allocated)
 *     };
 *
 * and its functions (static inline):
 * - void name_init(struct name *list): an empty list, nothing allocated;
 * - type *name_push(struct name *list): append one item and return it for
 *   the caller to fill in (the array doubles when full, from 8 items;
 *   like xrealloc(), it aborts the program on OOM);
 * - void name_free(struct name *list): item_free(&item) for every item,
 *   free the array and leave the list empty.
 * @item_free frees what one item owns: a function (or function-like
 * macro) taking a pointer to @type, or LIST_ITEM_NO_FREE.  Use it at file
 * scope, without a semicolon after it.
 */
#define LIST_ITEM_NO_FREE(item) ((void)(item))

#define DEFINE_LIST(name, type, item_free)                                  \
    struct name {                                                           \
        type *items;                                                        \
        size_t n;                                                           \
        size_t cap;                                                         \
    };                                                                      \
                                                                            \
    static inline void name##_init(struct name *list)                       \
    {                                                                       \
        list->items = NULL;                                                 \
        list->n = 0;                                                        \
        list->cap = 0;                                                      \
    }                                                                       \
                                                                            \
    static inline type *name##_push(struct name *list)                      \
    {                                                                       \
        if (list->n == list->cap) {                                         \
            list->cap = list->cap ? list->cap * 2 : 8;                      \
            list->items = xrealloc_array(list->items, list->cap,            \
                                         sizeof(*list->items));             \
        }                                                                   \
        return &list->items[list->n++];                                     \
    }                                                                       \
                                                                            \
    static inline void name##_free(struct name *list)                       \
    {                                                                       \
        for (size_t i = 0; i < list->n; i++) {                              \
            item_free(&list->items[i]);                                     \
        }                                                                   \
        free(list->items);                                                  \
        name##_init(list);                                                  \
    }

/* Free the string *@s: the item_free of a list of allocated strings. */
static inline void str_free(char **s)
{
    free(*s);
}

/* A list of error messages, each reported as one `error what=...` line. */
DEFINE_LIST(errlist, char *, str_free)

void err_add(struct errlist *e, const char *fmt, ...) PRINTF_FMT(2, 3);

/*
 * @root + @path, where @path is absolute.  A root of "/" or "" gives
 * @path unchanged.
 */
char *path_join(const char *root, const char *path);

/* True if @root designates the real root directory. */
bool root_is_real(const char *root);

/*
 * Read the whole file at @path, at most @max bytes.  On success, returns 0,
 * *@buf is a NUL-terminated allocation (which the caller frees) and *@len
 * the number of bytes read (not counting the NUL).  On failure, returns a
 * negative errno (-EFBIG if the file holds more than @max bytes).
 */
int read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * Read a small text attribute (sysfs style): like read_file() with a 64 KiB
 * limit, with trailing newlines removed.  Returns 0 or a negative errno.
 */
int read_attr(const char *path, char **value);

/*
 * Read attribute @attr of entry @name of directory @dir; on failure add
 * "@prefix: @shown/@name/@attr: <reason>" to @err and return NULL.  @shown
 * is @dir as the report names it (without the --root prefix).
 */
char *read_entry_attr(const char *dir, const char *name, const char *attr,
                      const char *prefix, const char *shown,
                      struct errlist *err);

/* Write @s to the file at @path in a single write(2).  0 or -errno. */
int write_attr(const char *path, const char *s);

/*
 * Parse all of @s as an unsigned number.  Base 16 accepts an optional
 * "0x"/"0X" prefix; base 10 accepts only digits.  No sign, no spaces.
 */
bool parse_u64(const char *s, int base, uint64_t *out);

/* Parse all of @s as a decimal integer with an optional leading '-'. */
bool parse_i64(const char *s, int64_t *out);

/*
 * True, with the number in *@id, if @name is @prefix followed by a decimal
 * number of at most 32 bits (digits only), e.g. "node12" for "node".
 */
bool numbered(const char *name, const char *prefix, uint32_t *id);

/*
 * Print @s between double quotes, with '"' and '\' backslash-escaped and
 * other unprintable bytes (control characters, DEL, bytes >= 0x80)
 * replaced by '?', so that every report line stays one line of ASCII.
 */
void fput_quoted(FILE *f, const char *s);

/*
 * The names in directory @path except "." and "..", sorted with
 * natural_cmp().  Returns 0 and an allocated array of *@n allocated names
 * (free with free_names()), or a negative errno.
 */
int list_dir(const char *path, char ***names, size_t *n);
void free_names(char **names, size_t n);

/*
 * list_dir() of the sysfs directory @path below @root: returns that
 * directory's full path (free it) and its names, or NULL when it cannot
 * be listed.  A failure is reported in @err as "@what: @path: <reason>",
 * except a missing directory when @missing_ok.
 */
char *list_sysfs_dir(const char *root, const char *path, const char *what,
                     bool missing_ok, char ***names, size_t *n,
                     struct errlist *err);

/*
 * Print @s bare, for identifiers such as "dax0.0" or "device_dax": bytes
 * other than letters, digits and "._:+-" are printed as '?', so the
 * value never contains a space or a quote.  An empty @s prints as "?".
 */
void fput_token(FILE *f, const char *s);

/* Order two names like "dax1.0" and "dax10.0" naturally (digits by value). */
int natural_cmp(const char *a, const char *b);

#endif
