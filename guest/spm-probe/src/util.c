/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: small helpers (allocation, files, number parsing, errors)
 */
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void oom(void)
{
    fputs("spm-probe: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p) {
        oom();
    }
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p) {
        oom();
    }
    return p;
}

void *xrealloc_array(void *ptr, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size) {
        oom();
    }
    return xrealloc(ptr, nmemb * size);
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    int len;
    char *p;

    va_copy(ap2, ap);
    len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (len < 0) {
        oom();
    }
    p = xmalloc((size_t)len + 1);
    vsnprintf(p, (size_t)len + 1, fmt, ap);
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void err_add(struct errlist *e, const char *fmt, ...)
{
    char **msg = errlist_push(e);
    va_list ap;

    va_start(ap, fmt);
    *msg = xvasprintf(fmt, ap);
    va_end(ap);
}

bool root_is_real(const char *root)
{
    return !root || root[strspn(root, "/")] == '\0';
}

char *path_join(const char *root, const char *path)
{
    size_t len;

    if (root_is_real(root)) {
        return xstrdup(path);
    }
    len = strlen(root);
    while (len > 1 && root[len - 1] == '/') {
        len--;
    }
    return xasprintf("%.*s%s", (int)len, root, path);
}

int read_file(const char *path, size_t max, char **buf, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *p;
    int fd, ret = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    p = xmalloc(cap);
    for (;;) {
        size_t want;
        ssize_t r;

        if (cap - n < 2) {
            cap *= 2;
            p = xrealloc(p, cap);
        }
        /* Read at most max + 1 bytes, to tell "exactly max" from "more". */
        want = cap - n - 1;
        if (want > max + 1 - n) {
            want = max + 1 - n;
        }
        r = read(fd, p + n, want);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            ret = -errno;
            break;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
        if (n > max) {
            ret = -EFBIG;
            break;
        }
    }
    close(fd);
    if (ret < 0) {
        free(p);
        return ret;
    }
    p[n] = '\0';
    *buf = p;
    *len = n;
    return 0;
}

int read_attr(const char *path, char **value)
{
    size_t len;
    char *buf;
    int ret;

    ret = read_file(path, 65536, &buf, &len);
    if (ret < 0) {
        return ret;
    }
    while (len > 0 && buf[len - 1] == '\n') {
        buf[--len] = '\0';
    }
    *value = buf;
    return 0;
}

int write_attr(const char *path, const char *s)
{
    size_t len = strlen(s);
    ssize_t r;
    int fd, ret = 0;

    fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    do {
        r = write(fd, s, len);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        ret = -errno;
    } else if ((size_t)r != len) {
        ret = -EIO;
    }
    if (close(fd) < 0 && ret == 0) {
        ret = -errno;
    }
    return ret;
}

bool parse_u64(const char *s, int base, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;

    if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
    }
    if (*p == '\0') {
        return false;
    }
    for (; *p; p++) {
        unsigned d;

        if (*p >= '0' && *p <= '9') {
            d = (unsigned)(*p - '0');
        } else if (base == 16 && *p >= 'a' && *p <= 'f') {
            d = (unsigned)(*p - 'a' + 10);
        } else if (base == 16 && *p >= 'A' && *p <= 'F') {
            d = (unsigned)(*p - 'A' + 10);
        } else {
            return false;
        }
        if (v > (UINT64_MAX - d) / (unsigned)base) {
            return false;
        }
        v = v * (unsigned)base + d;
    }
    *out = v;
    return true;
}

bool parse_i64(const char *s, int64_t *out)
{
    bool neg = s[0] == '-';
    uint64_t v;

    if (!parse_u64(s + neg, 10, &v)) {
        return false;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) {
            return false;
        }
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > INT64_MAX) {
            return false;
        }
        *out = (int64_t)v;
    }
    return true;
}

bool numbered(const char *name, const char *prefix, uint32_t *id)
{
    size_t len = strlen(prefix);
    uint64_t v;

    if (strncmp(name, prefix, len) || !parse_u64(name + len, 10, &v) ||
        v > UINT32_MAX) {
        return false;
    }
    *id = (uint32_t)v;
    return true;
}

void fput_quoted(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            putc('\\', f);
            putc(*p, f);
        } else if (*p < 0x20 || *p >= 0x7f) {
            putc('?', f);
        } else {
            putc(*p, f);
        }
    }
    putc('"', f);
}

void fput_token(FILE *f, const char *s)
{
    if (*s == '\0') {
        putc('?', f);
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        putc(isalnum(*p) || strchr("._:+-", *p) ? *p : '?', f);
    }
}

int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            size_t la, lb;
            int c;

            while (*a == '0' && isdigit((unsigned char)a[1])) {
                a++;
            }
            while (*b == '0' && isdigit((unsigned char)b[1])) {
                b++;
            }
            la = strspn(a, "0123456789");
            lb = strspn(b, "0123456789");
            if (la != lb) {
                return la < lb ? -1 : 1;
            }
            c = strncmp(a, b, la);
            if (c) {
                return c;
            }
            a += la;
            b += lb;
        } else {
            if (*a != *b) {
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            }
            a++;
            b++;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int name_cmp(const void *a, const void *b)
{
    return natural_cmp(*(char *const *)a, *(char *const *)b);
}

/* What list_dir() gathers, before handing its array to the caller. */
DEFINE_LIST(name_list, char *, str_free)

int list_dir(const char *path, char ***names, size_t *n)
{
    struct name_list nl;
    struct dirent *de;
    DIR *d;

    d = opendir(path);
    if (!d) {
        return -errno;
    }
    name_list_init(&nl);
    errno = 0;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
            continue;
        }
        *name_list_push(&nl) = xstrdup(de->d_name);
        errno = 0;
    }
    if (errno) {
        int ret = -errno;

        closedir(d);
        name_list_free(&nl);
        return ret;
    }
    closedir(d);
    qsort(nl.items, nl.n, sizeof(*nl.items), name_cmp);
    *names = nl.items;
    *n = nl.n;
    return 0;
}

char *list_sysfs_dir(const char *root, const char *path, const char *what,
                     bool missing_ok, char ***names, size_t *n,
                     struct errlist *err)
{
    char *dir = path_join(root, path);
    int ret = list_dir(dir, names, n);

    if (ret < 0) {
        if (!(missing_ok && ret == -ENOENT)) {
            err_add(err, "%s: %s: %s", what, path, strerror(-ret));
        }
        free(dir);
        return NULL;
    }
    return dir;
}

void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

char *read_entry_attr(const char *dir, const char *name, const char *attr,
                      const char *prefix, const char *shown,
                      struct errlist *err)
{
    char *path = xasprintf("%s/%s/%s", dir, name, attr);
    char *value;
    int ret;

    ret = read_attr(path, &value);
    free(path);
    if (ret < 0) {
        err_add(err, "%s: %s/%s/%s: %s", prefix, shown, name, attr,
                strerror(-ret));
        return NULL;
    }
    return value;
}
