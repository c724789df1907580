/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: --pattern (value function, fill and check, argument
 * parsing, binding to device_dax and the mapped walk on a fake tree)
 *
 * A device node cannot be faked, so /dev/NAME in the fake tree is a
 * regular file: open, mmap(MAP_SHARED), fill, msync and check go through
 * the same code as on a guest.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pattern.h"
#include "probe.h"
#include "report.h"
#include "testutil.h"

static void check_file(const char *root, const char *rel, const char *want)
{
    char *got = tree_read(root, rel);

    CHECK_STR(got, want, rel);
    free(got);
}

/* A dax device @name bound to @driver (NULL: unbound) with @size bytes. */
static void add_dax(const char *root, const char *name, const char *driver,
                    uint64_t size, const char *align)
{
    char *rel = xasprintf("sys/devices/platform/hmem.0/%s", name);
    char *attr, *link, *val;

    attr = xasprintf("%s/resource", rel);
    tree_write(root, attr, "0x100000000\n");
    free(attr);
    attr = xasprintf("%s/size", rel);
    val = xasprintf("%llu\n", (unsigned long long)size);
    tree_write(root, attr, val);
    free(val);
    free(attr);
    attr = xasprintf("%s/target_node", rel);
    tree_write(root, attr, "1\n");
    free(attr);
    if (align) {
        attr = xasprintf("%s/align", rel);
        tree_write(root, attr, align);
        free(attr);
    }
    if (driver) {
        attr = xasprintf("%s/driver", rel);
        val = xasprintf("../../../../bus/dax/drivers/%s", driver);
        tree_symlink(root, attr, val);
        free(val);
        free(attr);
    }
    link = xasprintf("sys/bus/dax/devices/%s", name);
    val = xasprintf("../../../devices/platform/hmem.0/%s", name);
    tree_symlink(root, link, val);
    free(val);
    free(link);
    free(rel);
}

/* /dev/@name in the fake tree: a regular file of @size zero bytes. */
static void add_node(const char *root, const char *name, size_t size)
{
    char *rel = xasprintf("dev/%s", name);
    void *zero = calloc(1, size ? size : 1);

    tree_write_bin(root, rel, zero, size);
    free(zero);
    free(rel);
}

static uint64_t file_word(const char *root, const char *rel, uint64_t off)
{
    char *path = xasprintf("%s/%s", root, rel);
    uint64_t w = 0;
    int fd = open(path, O_RDONLY);

    if (fd < 0 || pread(fd, &w, sizeof(w), (off_t)off) != sizeof(w)) {
        w = 0xdeadull;
    }
    if (fd >= 0) {
        close(fd);
    }
    free(path);
    return w;
}

static void put_file_word(const char *root, const char *rel, uint64_t off,
                          uint64_t w)
{
    char *path = xasprintf("%s/%s", root, rel);
    int fd = open(path, O_WRONLY);

    CHECK(fd >= 0 && pwrite(fd, &w, sizeof(w), (off_t)off) == sizeof(w),
          "corrupt %s at 0x%llx", rel, (unsigned long long)off);
    if (fd >= 0) {
        close(fd);
    }
    free(path);
}

static struct dax_dev mkdev(const char *name, uint64_t size)
{
    struct dax_dev d = {
        .name = (char *)name,
        .start = 0x100000000ull,
        .size = size,
        .target_node = 1,
        .driver = (char *)"device_dax",
    };

    return d;
}

/* The report line of @r without its newline, allocated. */
static char *line_of(const struct pattern_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f) {
        return NULL;
    }
    report_pattern(f, r);
    fclose(f);
    if (len > 0 && buf[len - 1] == '\n') {
        buf[len - 1] = '\0';
    }
    return buf;
}

static void test_value(void)
{
    uint64_t k;

    printf("# value function\n");
    /* The first output of splitmix64 seeded with 0, and FNV-1a vectors. */
    CHECK_U64(pattern_mix(0), 0xe220a8397b1dcdafull, "splitmix64(0)");
    CHECK_U64(pattern_name_hash(""), 0xcbf29ce484222325ull, "fnv1a64(\"\")");
    CHECK_U64(pattern_name_hash("a"), 0xaf63dc4c8601ec8cull, "fnv1a64(\"a\")");
    k = pattern_key(1, "dax0.0");
    CHECK_U64(k, 1 ^ pattern_name_hash("dax0.0"), "key = seed ^ hash");
    CHECK_U64(pattern_value(k, 0x40), pattern_mix(k ^ 0x40), "value");
    CHECK(pattern_value(k, 0) != pattern_value(k, 8), "offsets differ");
    CHECK(pattern_key(1, "dax0.0") != pattern_key(1, "dax1.0"),
          "names give different keys");
    CHECK(pattern_key(1, "dax0.0") != pattern_key(2, "dax0.0"),
          "seeds give different keys");
}

static void test_buffer(void)
{
    enum { LEN = 64 * 1024 + 5 };   /* a partial word at the end */
    uint8_t *buf = xmalloc(LEN + 8);
    uint64_t key = pattern_key(42, "dax0.0"), w;
    struct pattern_mismatch mm = { 0, 0, 0 };

    printf("# fill and check a buffer\n");
    memset(buf, 0xa5, LEN + 8);
    pattern_fill(buf, LEN, key);
    memcpy(&w, buf + 0x1238, sizeof(w));
    CHECK_U64(w, pattern_value(key, 0x1238), "word at 0x1238");
    CHECK(buf[LEN - 5] == 0xa5 && buf[LEN - 1] == 0xa5,
          "trailing partial word left alone");
    CHECK(pattern_check(buf, LEN, key, &mm), "check passes");
    CHECK(pattern_check(buf, 0, key, &mm), "empty buffer passes");
    CHECK(!pattern_check(buf, LEN, pattern_key(43, "dax0.0"), &mm),
          "another seed fails");
    CHECK_U64(mm.offset, 0, "  ... at offset 0");

    w ^= 0x100;
    memcpy(buf + 0x1238, &w, sizeof(w));
    buf[0x3000] ^= 1;
    mm = (struct pattern_mismatch){ 0, 0, 0 };
    CHECK(!pattern_check(buf, LEN, key, &mm), "single-word corruption found");
    CHECK_U64(mm.offset, 0x1238, "first mismatch offset");
    CHECK_U64(mm.want, pattern_value(key, 0x1238), "mismatch want");
    CHECK_U64(mm.got, pattern_value(key, 0x1238) ^ 0x100, "mismatch got");
    CHECK(pattern_check(buf, 0x1238, key, &mm), "words before it pass");
    free(buf);
}

static void test_args(void)
{
    static const char *const bad[] = {
        "", "write:", "write:abc", "write:-1", "write:+1", "write: 1",
        "write:0x10", "write:18446744073709551616", "write:1:2", "read",
        "writes", "WRITE", "check;1", ":1",
    };
    enum pattern_mode mode = PATTERN_NONE;
    uint64_t seed = 99;
    struct probe_opts o;

    printf("# --pattern argument\n");
    CHECK(pattern_parse_arg("write", &mode, &seed) && mode == PATTERN_WRITE &&
          seed == 1, "write: default seed 1");
    CHECK(pattern_parse_arg("check:0", &mode, &seed) &&
          mode == PATTERN_CHECK && seed == 0, "check:0");
    CHECK(pattern_parse_arg("write:18446744073709551615", &mode, &seed) &&
          mode == PATTERN_WRITE && seed == UINT64_MAX, "write:UINT64_MAX");
    CHECK(pattern_parse_arg("check:007", &mode, &seed) && seed == 7,
          "leading zeros");
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        mode = PATTERN_NONE;
        seed = 99;
        CHECK(!pattern_parse_arg(bad[i], &mode, &seed) &&
              mode == PATTERN_NONE && seed == 99, "'%s' rejected", bad[i]);
    }
    CHECK_STR(pattern_mode_name(PATTERN_WRITE), "write", "mode name");
    CHECK_STR(pattern_mode_name(PATTERN_CHECK), "check", "mode name");

    printf("# command line (usage messages on stderr are expected)\n");
    {
        char *a[] = { (char *)"spm-probe", NULL };

        CHECK(cli_parse(1, a, &o) == CLI_RUN && !o.online &&
              o.pattern == PATTERN_NONE && !strcmp(o.root, "/"), "defaults");
    }
    {
        char *a[] = { (char *)"spm-probe", (char *)"--pattern=check:5",
                      (char *)"--root", (char *)"/tmp/x", NULL };

        CHECK(cli_parse(4, a, &o) == CLI_RUN && o.pattern == PATTERN_CHECK &&
              o.pattern_seed == 5 && !strcmp(o.root, "/tmp/x") && !o.online,
              "--pattern=check:5 --root /tmp/x");
    }
    {
        char *a[] = { (char *)"spm-probe", (char *)"--pattern", (char *)"write",
                      NULL };

        CHECK(cli_parse(3, a, &o) == CLI_RUN && o.pattern == PATTERN_WRITE &&
              o.pattern_seed == 1, "--pattern write");
    }
    {
        char *a[] = { (char *)"spm-probe", (char *)"--online", NULL };

        CHECK(cli_parse(2, a, &o) == CLI_RUN && o.online &&
              o.pattern == PATTERN_NONE, "--online alone");
    }
    {
        char *a[] = { (char *)"spm-probe", (char *)"--pattern=write:x", NULL };

        CHECK(cli_parse(2, a, &o) == CLI_USAGE_ERROR, "bad SEED");
    }
    {
        char *a[] = { (char *)"spm-probe", (char *)"--pattern=verify", NULL };

        CHECK(cli_parse(2, a, &o) == CLI_USAGE_ERROR, "unknown mode");
    }
    {
        char *a[] = { (char *)"spm-probe", (char *)"--pattern", NULL };

        CHECK(cli_parse(2, a, &o) == CLI_USAGE_ERROR, "missing mode");
    }
    {
        char *a[] = { (char *)"spm-probe", (char *)"--online",
                      (char *)"--pattern=check", NULL };

        CHECK(cli_parse(3, a, &o) == CLI_USAGE_ERROR, "--online --pattern");
    }
    {
        char *a[] = { (char *)"spm-probe", (char *)"--pattern=write:3",
                      (char *)"--online=/kmem.ko", NULL };

        CHECK(cli_parse(3, a, &o) == CLI_USAGE_ERROR,
              "--pattern --online=PATH");
    }
}

static void test_device(void)
{
    char *root = tree_new();
    struct pattern_result r;
    struct dax_dev d;
    uint64_t key = pattern_key(7, "dax0.0");
    char *line;

    tree_mkdir(root, "sys/bus/dax/drivers/device_dax");
    tree_mkdir(root, "sys/bus/dax/drivers/kmem");
    tree_write(root, "sys/bus/dax/drivers/kmem/unbind", "");
    tree_write(root, "sys/bus/dax/drivers/device_dax/bind", "");
    add_dax(root, "dax0.0", "device_dax", 0x10000, "4096\n");
    add_node(root, "dax0.0", 0x10000);

    printf("# write and check through a shared mapping\n");
    d = mkdev("dax0.0", 0x10000);
    pattern_dev(root, &d, PATTERN_WRITE, 7, 0, &r);
    CHECK(r.error == NULL, "write: no error (%s)", r.error ? r.error : "");
    line = line_of(&r);
    CHECK_STR(line, "pattern name=dax0.0 mode=write seed=7 bytes=0x10000 "
              "result=ok", "write line");
    free(line);
    pattern_result_free(&r);
    CHECK_U64(file_word(root, "dev/dax0.0", 0), pattern_value(key, 0),
              "word 0 reached the file");
    CHECK_U64(file_word(root, "dev/dax0.0", 0xfff8),
              pattern_value(key, 0xfff8), "last word reached the file");
    check_file(root, "sys/bus/dax/drivers/device_dax/bind", "");

    pattern_dev(root, &d, PATTERN_CHECK, 7, 0, &r);
    CHECK(r.error == NULL && !r.mismatch, "check: ok");
    line = line_of(&r);
    CHECK_STR(line, "pattern name=dax0.0 mode=check seed=7 bytes=0x10000 "
              "result=ok", "check line");
    free(line);
    pattern_result_free(&r);

    pattern_dev(root, &d, PATTERN_CHECK, 8, 0, &r);
    CHECK(r.error == NULL && r.mismatch && r.mm.offset == 0,
          "check with another seed: mismatch at 0");
    pattern_result_free(&r);

    put_file_word(root, "dev/dax0.0", 0x2a48, 0x1122334455667788ull);
    pattern_dev(root, &d, PATTERN_CHECK, 7, 0, &r);
    CHECK(r.error == NULL && r.mismatch, "corrupted word: mismatch");
    CHECK_U64(r.mm.offset, 0x2a48, "mismatch offset");
    CHECK_U64(r.mm.got, 0x1122334455667788ull, "mismatch got");
    CHECK_U64(r.mm.want, pattern_value(key, 0x2a48), "mismatch want");
    line = line_of(&r);
    {
        char *want = xasprintf("pattern name=dax0.0 mode=check seed=7 "
                               "bytes=0x10000 result=mismatch offset=0x2a48 "
                               "want=0x%llx got=0x1122334455667788",
                               (unsigned long long)pattern_value(key, 0x2a48));

        CHECK_STR(line, want, "mismatch line");
        free(want);
    }
    free(line);
    pattern_result_free(&r);

    printf("# binding to device_dax\n");
    /* Unbound, device_dax without new_id: bind is written. */
    add_dax(root, "dax2.0", NULL, 0x10000, "4096\n");
    d = mkdev("dax2.0", 0x10000);
    pattern_dev(root, &d, PATTERN_WRITE, 1, 0, &r);
    CHECK_STR(r.error, "bind: still unbound after binding to device_dax",
              "unbound device: the fake link does not appear");
    pattern_result_free(&r);
    check_file(root, "sys/bus/dax/drivers/device_dax/bind", "dax2.0");

    /* Bound to kmem: unbound from it, then new_id. */
    tree_write(root, "sys/bus/dax/drivers/device_dax/new_id", "");
    tree_write(root, "sys/bus/dax/drivers/device_dax/bind", "");
    add_dax(root, "dax1.0", "kmem", 0x10000, "4096\n");
    d = mkdev("dax1.0", 0x10000);
    pattern_dev(root, &d, PATTERN_CHECK, 1, 0, &r);
    CHECK_STR(r.error, "bind: still bound to kmem after binding to "
              "device_dax", "kmem device: the fake link does not move");
    line = line_of(&r);
    CHECK_STR(line, "pattern name=dax1.0 mode=check seed=1 bytes=0x10000 "
              "result=error what=\"bind: still bound to kmem after binding "
              "to device_dax\"", "error line");
    free(line);
    pattern_result_free(&r);
    check_file(root, "sys/bus/dax/drivers/kmem/unbind", "dax1.0");
    check_file(root, "sys/bus/dax/drivers/device_dax/new_id", "dax1.0");
    check_file(root, "sys/bus/dax/drivers/device_dax/bind", "");

    printf("# failing steps\n");
    add_dax(root, "dax3.0", "device_dax", 0x3000, "8192\n");
    add_node(root, "dax3.0", 0x3000);
    d = mkdev("dax3.0", 0x3000);
    pattern_dev(root, &d, PATTERN_WRITE, 1, 0, &r);
    CHECK_STR(r.error, "align: size 0x3000 is not a multiple of align 0x2000",
              "size not a multiple of align");
    pattern_result_free(&r);

    add_dax(root, "dax4.0", "device_dax", 0x10000, "4096\n");
    d = mkdev("dax4.0", 0x10000);
    pattern_dev(root, &d, PATTERN_WRITE, 1, 120, &r);
    CHECK_STR(r.error, "open /dev/dax4.0: No such file or directory",
              "no device node after waiting");
    pattern_result_free(&r);

    add_dax(root, "dax5.0", "device_dax", 0x10000, "4096\n");
    add_node(root, "dax5.0", 0x1000);
    d = mkdev("dax5.0", 0x10000);
    pattern_dev(root, &d, PATTERN_CHECK, 1, 0, &r);
    CHECK(r.error && !strncmp(r.error, "mmap: ", 6),
          "node shorter than the device: mmap error (%s)",
          r.error ? r.error : "none");
    pattern_result_free(&r);

    add_dax(root, "dax6.0", "device_dax", 0x10000, "two\n");
    d = mkdev("dax6.0", 0x10000);
    pattern_dev(root, &d, PATTERN_CHECK, 1, 0, &r);
    CHECK_STR(r.error, "align: /sys/bus/dax/devices/dax6.0/align: cannot "
              "parse \"two\"", "garbled align");
    pattern_result_free(&r);

    printf("# size 0, no align attribute\n");
    add_dax(root, "dax7.0", "device_dax", 0, NULL);
    d = mkdev("dax7.0", 0);
    pattern_dev(root, &d, PATTERN_CHECK, 1, 0, &r);
    CHECK(r.error == NULL && !r.mismatch && r.bytes == 0,
          "empty device: ok without a node");
    pattern_result_free(&r);
    add_dax(root, "dax8.0", "device_dax", 0x2000, NULL);
    add_node(root, "dax8.0", 0x2000);
    d = mkdev("dax8.0", 0x2000);
    pattern_dev(root, &d, PATTERN_WRITE, 3, 0, &r);
    CHECK(r.error == NULL, "no align attribute: write ok");
    pattern_result_free(&r);
    pattern_dev(root, &d, PATTERN_CHECK, 3, 0, &r);
    CHECK(r.error == NULL && !r.mismatch, "no align attribute: check ok");
    pattern_result_free(&r);

    tree_remove(root);
}

/* probe_run: the pattern lines after the boot node lines. */
static void test_report(void)
{
    char *root = tree_new();
    struct probe_opts o = { .root = root, .pattern = PATTERN_WRITE,
                            .pattern_seed = 9 };
    char *buf = NULL;
    size_t len = 0;
    const char *node, *p0, *p1, *err, *end;
    FILE *f;

    printf("# the report with --pattern\n");
    tree_mkdir(root, "sys/bus/dax/drivers/device_dax");
    add_dax(root, "dax0.0", "device_dax", 0x4000, "4096\n");
    add_node(root, "dax0.0", 0x4000);
    add_dax(root, "dax1.0", "device_dax", 0x2000, "4096\n");
    add_node(root, "dax1.0", 0x2000);
    tree_write(root, "sys/devices/system/node/node0/meminfo",
               "Node 0 MemTotal:        2030992 kB\n");
    tree_write(root, "klog", "");

    for (int pass = 0; pass < 2; pass++) {
        f = open_memstream(&buf, &len);
        if (!CHECK(f != NULL, "open_memstream")) {
            break;
        }
        CHECK(probe_run(&o, f) == 0, "probe_run %s", pass ? "check" : "write");
        fclose(f);
        node = strstr(buf, "\nnode phase=boot node=0 memtotal_kb=2030992\n");
        p0 = strstr(buf, pass ?
                    "\npattern name=dax0.0 mode=check seed=9 bytes=0x4000 "
                    "result=ok\n" :
                    "\npattern name=dax0.0 mode=write seed=9 bytes=0x4000 "
                    "result=ok\n");
        p1 = strstr(buf, pass ?
                    "\npattern name=dax1.0 mode=check seed=9 bytes=0x2000 "
                    "result=ok\n" :
                    "\npattern name=dax1.0 mode=write seed=9 bytes=0x2000 "
                    "result=ok\n");
        err = strstr(buf, "\nerror what=");
        end = strstr(buf, "\n" REPORT_END "\n");
        CHECK(node && p0 && p1 && err && end && node < p0 && p0 < p1 &&
              p1 < err && err < end,
              "node, pattern lines, errors, END in that order");
        if (test_failures) {
            fputs(buf, stdout);
        }
        free(buf);
        buf = NULL;
        o.pattern = PATTERN_CHECK;
    }
    tree_remove(root);
}

int main(void)
{
    test_value();
    test_buffer();
    test_args();
    test_device();
    test_report();
    return test_done();
}
