/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: access classes, distances and memory tiers from sysfs
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "cache.h"
#include "distance.h"
#include "node.h"
#include "report.h"
#include "tier.h"
#include "testutil.h"

#define NODE "sys/devices/system/node/"
#define TIERS "sys/devices/virtual/memory_tiering/"

static char *memstream_of(void (*fn)(FILE *, const void *), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f) {
        abort();
    }
    fn(f, arg);
    fclose(f);
    return buf;
}

static void print_access(FILE *f, const void *al)
{
    report_access(f, "after", al);
}

static void print_caches(FILE *f, const void *cl)
{
    report_caches(f, "after", cl);
}

static void print_distances(FILE *f, const void *dl)
{
    report_distances(f, "boot", dl);
}

static void print_tiers(FILE *f, const void *tl)
{
    report_tiers(f, "after", tl);
}

static void test_node_list(void)
{
    static const struct {
        const char *s;
        size_t n;
        uint32_t first, last;
    } good[] = {
        { "", 0, 0, 0 },
        { "0", 1, 0, 0 },
        { "3", 1, 3, 3 },
        { "0-2", 3, 0, 2 },
        { "0-1,3,5-6", 5, 0, 6 },
        { "4294967295", 1, 4294967295u, 4294967295u },
    };
    static const char *const bad[] = {
        ",", "0,", ",0", "1-", "-1", "2-1", "0,0", "3,1", "1-3,2", "a",
        "0 1", "0-1-2", "4294967296", "0x1", "1,,2", "99999999999999999",
    };

    printf("# node lists\n");
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        uint32_t *ids = NULL;
        size_t n = 99;
        bool ok = parse_node_list(good[i].s, 1024, &ids, &n);

        CHECK(ok && n == good[i].n &&
              (n == 0 || (ids[0] == good[i].first &&
                          ids[n - 1] == good[i].last)),
              "\"%s\": %zu ids", good[i].s, good[i].n);
        free(ids);
    }
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint32_t *ids = NULL;
        size_t n;

        CHECK(!parse_node_list(bad[i], 1024, &ids, &n) && ids == NULL,
              "\"%s\" is refused", bad[i]);
    }
    {
        uint32_t *ids;
        size_t n;

        CHECK(parse_node_list("0-1023", 1024, &ids, &n) && n == 1024,
              "1024 ids within a limit of 1024");
        free(ids);
        CHECK(!parse_node_list("0-1024", 1024, &ids, &n),
              "1025 ids past a limit of 1024");
        CHECK(!parse_node_list("0-4294967295", 1024, &ids, &n),
              "a range of 2^32 ids is refused, not allocated");
        CHECK(!parse_node_list("0-1000,2000-2100", 1024, &ids, &n),
              "the limit counts all ranges");
    }
}

static void write_access(const char *root, unsigned node, unsigned class,
                         const char *lat, const char *bw,
                         const char *const *inits)
{
    char rel[128];

    snprintf(rel, sizeof(rel), NODE "node%u/access%u/initiators/", node,
             class);
    {
        char *p = xasprintf("%sread_latency", rel);
        tree_write(root, p, lat);
        free(p);
        p = xasprintf("%swrite_latency", rel);
        tree_write(root, p, lat);
        free(p);
        p = xasprintf("%sread_bandwidth", rel);
        tree_write(root, p, bw);
        free(p);
        p = xasprintf("%swrite_bandwidth", rel);
        tree_write(root, p, bw);
        free(p);
    }
    for (; inits && *inits; inits++) {
        char *p = xasprintf("%s%s", rel, *inits);
        char *target = xasprintf("../../../%s", *inits);

        tree_symlink(root, p, target);
        free(target);
        free(p);
    }
}

static void test_access(void)
{
    static const char *const init0[] = { "node0", NULL };
    static const char *const init02[] = { "node2", "node0", NULL };
    struct access_list al;
    struct errlist err;
    char *root = tree_new();
    char *text;

    printf("# access classes of three nodes\n");
    tree_write(root, NODE "node0/meminfo", "Node 0 MemTotal: 1 kB\n");
    write_access(root, 0, 0, "10\n", "10240\n", init0);
    write_access(root, 0, 1, "10\n", "10240\n", init0);
    write_access(root, 1, 1, "5\n", "40960\n", init0);
    write_access(root, 1, 0, "4\n", "40000\n", init02);
    tree_mkdir(root, NODE "node1/memory_side_cache");
    tree_mkdir(root, NODE "node2/cpu0");       /* no access classes */
    tree_mkdir(root, NODE "node3/accessx/initiators");  /* not a class */
    tree_write(root, NODE "possible", "0-3\n");
    access_list_init(&al);
    errlist_init(&err);
    access_read(root, &al, &err);
    check_nerr(&err, 0, "access classes");
    text = memstream_of(print_access, &al);
    CHECK_STR(text,
              "access phase=after node=0 class=0 initiators=\"0\" read_latency=10 write_latency=10 read_bandwidth=10240 write_bandwidth=10240\n"
              "access phase=after node=0 class=1 initiators=\"0\" read_latency=10 write_latency=10 read_bandwidth=10240 write_bandwidth=10240\n"
              "access phase=after node=1 class=0 initiators=\"0,2\" read_latency=4 write_latency=4 read_bandwidth=40000 write_bandwidth=40000\n"
              "access phase=after node=1 class=1 initiators=\"0\" read_latency=5 write_latency=5 read_bandwidth=40960 write_bandwidth=40960\n",
              "report lines, sorted by node and class");
    free(text);
    access_list_free(&al);
    errlist_free(&err);

    printf("# a missing and a garbled attribute; no initiators\n");
    tree_write(root, NODE "node1/access0/initiators/read_bandwidth", "fast\n");
    {
        char *p = xasprintf("%s/" NODE "node0/access1/initiators/"
                            "write_bandwidth", root);

        CHECK(unlink(p) == 0, "removed node0's access1 write_bandwidth");
        free(p);
    }
    write_access(root, 2, 0, "7\n", "100\n", NULL);
    access_list_init(&al);
    errlist_init(&err);
    access_read(root, &al, &err);
    check_nerr(&err, 2, "damaged classes");
    CHECK(err_contains(&err, "access: /sys/devices/system/node/node0/access1/"
                       "initiators/write_bandwidth: No such file or "
                       "directory"), "missing attribute named");
    CHECK(err_contains(&err, "access: /sys/devices/system/node/node1/access0/"
                       "initiators/read_bandwidth: cannot parse \"fast\""),
          "garbled attribute named");
    text = memstream_of(print_access, &al);
    CHECK_STR(text,
              "access phase=after node=0 class=0 initiators=\"0\" read_latency=10 write_latency=10 read_bandwidth=10240 write_bandwidth=10240\n"
              "access phase=after node=1 class=1 initiators=\"0\" read_latency=5 write_latency=5 read_bandwidth=40960 write_bandwidth=40960\n"
              "access phase=after node=2 class=0 initiators=\"\" read_latency=7 write_latency=7 read_bandwidth=100 write_bandwidth=100\n",
              "the damaged classes are left out, the others kept");
    free(text);
    access_list_free(&al);
    errlist_free(&err);
    tree_remove(root);

    printf("# no node directory: node_read() reports it, not access\n");
    root = tree_new();
    access_list_init(&al);
    errlist_init(&err);
    access_read(root, &al, &err);
    check_nerr(&err, 0, "no nodes");
    CHECK(al.n == 0, "no classes");
    access_list_free(&al);
    errlist_free(&err);
    tree_remove(root);
}

static void write_cache(const char *root, unsigned node, unsigned level,
                        const char *size, const char *line,
                        const char *indexing, const char *policy)
{
    static const char *const attrs[] = {
        "size", "line_size", "indexing", "write_policy",
    };
    const char *values[] = { size, line, indexing, policy };

    for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
        char *rel;

        if (!values[i]) {
            continue;
        }
        rel = xasprintf(NODE "node%u/memory_side_cache/index%u/%s", node,
                        level, attrs[i]);
        tree_write(root, rel, values[i]);
        free(rel);
    }
}

static void test_caches(void)
{
    struct cache_list cl;
    struct errlist err;
    char *root = tree_new();
    char *text;

    printf("# memory-side caches of two nodes\n");
    write_cache(root, 2, 1, "67108864\n", "64\n", "0\n", "0\n");
    write_cache(root, 1, 2, "1073741824\n", "256\n", "1\n", "1\n");
    write_cache(root, 1, 1, "16777216\n", "64\n", "2\n", "2\n");
    tree_write(root, NODE "node1/memory_side_cache/uevent", "");
    tree_mkdir(root, NODE "node1/memory_side_cache/power");
    tree_mkdir(root, NODE "node1/memory_side_cache/index1/power");
    tree_mkdir(root, NODE "node0/cpu0");            /* no cache at all */
    tree_mkdir(root, NODE "node3/memory_side_cache");   /* none in it */
    cache_list_init(&cl);
    errlist_init(&err);
    cache_read(root, &cl, &err);
    check_nerr(&err, 0, "caches");
    text = memstream_of(print_caches, &cl);
    CHECK_STR(text,
              "cache phase=after node=1 level=1 size=0x1000000 line_size=64 indexing=2 write_policy=2\n"
              "cache phase=after node=1 level=2 size=0x40000000 line_size=256 indexing=1 write_policy=1\n"
              "cache phase=after node=2 level=1 size=0x4000000 line_size=64 indexing=0 write_policy=0\n",
              "report lines, sorted by node and level");
    free(text);
    cache_list_free(&cl);
    errlist_free(&err);

    printf("# a missing and a garbled attribute; a file, not a directory\n");
    write_cache(root, 1, 1, NULL, NULL, "direct\n", NULL);
    {
        char *p = xasprintf("%s/" NODE "node2/memory_side_cache/index1/"
                            "line_size", root);

        CHECK(unlink(p) == 0, "removed node2's index1 line_size");
        free(p);
    }
    tree_write(root, NODE "node4/memory_side_cache", "not a directory\n");
    cache_list_init(&cl);
    errlist_init(&err);
    cache_read(root, &cl, &err);
    check_nerr(&err, 3, "damaged caches");
    CHECK(err_contains(&err, "cache: /sys/devices/system/node/node1/"
                       "memory_side_cache/index1/indexing: cannot parse "
                       "\"direct\""), "garbled attribute named");
    CHECK(err_contains(&err, "cache: /sys/devices/system/node/node2/"
                       "memory_side_cache/index1/line_size: No such file or "
                       "directory"), "missing attribute named");
    CHECK(err_contains(&err, "cache: /sys/devices/system/node/node4/"
                       "memory_side_cache: Not a directory"),
          "a memory_side_cache that is not a directory");
    CHECK(cl.n == 1 && cl.items[0].node == 1 && cl.items[0].level == 2,
          "the good cache is kept");
    cache_list_free(&cl);
    errlist_free(&err);
    tree_remove(root);
}

static void test_distance(void)
{
    struct distance_list dl;
    struct errlist err;
    char *root = tree_new();
    char *text;

    printf("# distances of the online nodes 0, 1 and 3\n");
    tree_write(root, NODE "online", "0-1,3\n");
    tree_write(root, NODE "node0/distance", "10 21 31\n");
    tree_write(root, NODE "node1/distance", "21 10 17\n");
    tree_write(root, NODE "node3/distance", "31 17 10\n");
    distance_list_init(&dl);
    errlist_init(&err);
    distance_read(root, &dl, &err);
    check_nerr(&err, 0, "distances");
    text = memstream_of(print_distances, &dl);
    CHECK_STR(text,
              "distance phase=boot node=0 to=0 value=10\n"
              "distance phase=boot node=0 to=1 value=21\n"
              "distance phase=boot node=0 to=3 value=31\n"
              "distance phase=boot node=1 to=0 value=21\n"
              "distance phase=boot node=1 to=1 value=10\n"
              "distance phase=boot node=1 to=3 value=17\n"
              "distance phase=boot node=3 to=0 value=31\n"
              "distance phase=boot node=3 to=1 value=17\n"
              "distance phase=boot node=3 to=3 value=10\n",
              "one line per pair, columns mapped to the online nodes");
    free(text);
    distance_list_free(&dl);
    errlist_free(&err);

    printf("# too few, too many, garbled values; a missing file\n");
    tree_write(root, NODE "node0/distance", "10 21\n");
    tree_write(root, NODE "node1/distance", "21 10 17 40\n");
    tree_write(root, NODE "node3/distance", "31 1x 10\n");
    tree_mkdir(root, NODE "node4");
    tree_write(root, NODE "node5/distance", "00000000000000010 1 1\n");
    distance_list_init(&dl);
    errlist_init(&err);
    distance_read(root, &dl, &err);
    check_nerr(&err, 5, "damaged distances");
    CHECK(err_contains(&err, "distance: /sys/devices/system/node/node0/"
                       "distance: 2 value(s) for 3 online node(s)"), "few");
    CHECK(err_contains(&err, "distance: /sys/devices/system/node/node1/"
                       "distance: 4 value(s) for 3 online node(s)"), "many");
    CHECK(err_contains(&err, "distance: /sys/devices/system/node/node3/"
                       "distance: cannot parse \"31 1x 10\""), "garbled");
    CHECK(err_contains(&err, "distance: /sys/devices/system/node/node4/"
                       "distance: No such file or directory"), "missing");
    CHECK(err_contains(&err, "node5/distance: cannot parse "
                       "\"00000000000000010 1 1\""),
          "a number too long to hold is refused, not cut");
    CHECK(dl.n == 0, "no distances from damaged files (got %zu)", dl.n);
    distance_list_free(&dl);
    errlist_free(&err);

    printf("# the online list missing or garbled\n");
    tree_write(root, NODE "online", "0-\n");
    distance_list_init(&dl);
    errlist_init(&err);
    distance_read(root, &dl, &err);
    check_nerr(&err, 1, "garbled online");
    CHECK(err_contains(&err, "distance: /sys/devices/system/node/online: "
                       "cannot parse \"0-\""), "error");
    distance_list_free(&dl);
    errlist_free(&err);
    tree_remove(root);

    root = tree_new();
    tree_write(root, NODE "node0/distance", "10\n");
    distance_list_init(&dl);
    errlist_init(&err);
    distance_read(root, &dl, &err);
    check_nerr(&err, 1, "missing online");
    CHECK(err_contains(&err, "distance: /sys/devices/system/node/online: No "
                       "such file or directory"), "error");
    distance_list_free(&dl);
    errlist_free(&err);
    tree_remove(root);
}

static void test_tiers(void)
{
    struct tier_list tl;
    struct errlist err;
    char *root = tree_new();
    char *text;

    printf("# no memory tiering directory: no tiers, no error\n");
    tier_list_init(&tl);
    errlist_init(&err);
    tier_read(root, &tl, &err);
    check_nerr(&err, 0, "no tiering");
    CHECK(tl.n == 0, "no tiers");
    tier_list_free(&tl);
    errlist_free(&err);

    printf("# tiers 0, 4 and 22, in tier order\n");
    tree_write(root, TIERS "memory_tier22/nodelist", "2\n");
    tree_write(root, TIERS "memory_tier4/nodelist", "0,3-4\n");
    tree_write(root, TIERS "memory_tier0/nodelist", "1\n");
    tree_write(root, TIERS "uevent", "");
    tree_mkdir(root, TIERS "power");
    tier_list_init(&tl);
    errlist_init(&err);
    tier_read(root, &tl, &err);
    check_nerr(&err, 0, "tiers");
    text = memstream_of(print_tiers, &tl);
    CHECK_STR(text,
              "tier phase=after tier=0 nodelist=\"1\"\n"
              "tier phase=after tier=4 nodelist=\"0,3-4\"\n"
              "tier phase=after tier=22 nodelist=\"2\"\n", "report lines");
    free(text);
    tier_list_free(&tl);
    errlist_free(&err);

    printf("# a garbled and a missing nodelist\n");
    tree_write(root, TIERS "memory_tier4/nodelist", "0 \"x\"\n");
    tree_mkdir(root, TIERS "memory_tier9");
    tier_list_init(&tl);
    errlist_init(&err);
    tier_read(root, &tl, &err);
    check_nerr(&err, 2, "damaged tiers");
    CHECK(err_contains(&err, "tier: /sys/devices/virtual/memory_tiering/"
                       "memory_tier4/nodelist: cannot parse \"0 \"x\"\""),
          "garbled");
    CHECK(err_contains(&err, "tier: /sys/devices/virtual/memory_tiering/"
                       "memory_tier9/nodelist: No such file or directory"),
          "missing");
    CHECK(tl.n == 2 && tl.items[0].tier == 0 && tl.items[1].tier == 22,
          "the good tiers are kept");
    tier_list_free(&tl);
    errlist_free(&err);
    tree_remove(root);
}

int main(void)
{
    test_node_list();
    test_access();
    test_caches();
    test_distance();
    test_tiers();
    return test_done();
}
