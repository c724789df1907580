/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe: what Linux made of the memory performance it was given:
 * each node's access classes (HMAT), SLIT distances and memory tiers
 */
#ifndef SPM_PROBE_PERF_H
#define SPM_PROBE_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define MEMORY_TIERING_PATH "/sys/devices/virtual/memory_tiering"

/*
 * NODE_SYSFS_PATH/nodeN/accessK/initiators: the performance of memory
 * node N seen from its best initiators of access class K (0: any
 * initiator, 1: CPUs only), and those initiators.
 */
struct node_access {
    uint32_t node;
    uint32_t class;
    char *initiators;       /* initiator node ids, e.g. "0,2" ("" if none) */
    uint64_t read_latency;  /* ns */
    uint64_t write_latency;
    uint64_t read_bandwidth;    /* MB/s */
    uint64_t write_bandwidth;
};

struct access_list {
    struct node_access *a;  /* sorted by node, then class */
    size_t n;
    size_t cap;
};

void access_list_init(struct access_list *al);
void access_list_free(struct access_list *al);

/*
 * Read every accessK/initiators directory of every node below @root.  An
 * access class with a missing or garbled attribute is left out and
 * reported in @err; a node without access classes has none.
 */
void access_read(const char *root, struct access_list *al,
                 struct errlist *err);

/*
 * NODE_SYSFS_PATH/nodeN/memory_side_cache/indexK: the memory-side cache of
 * level K in front of node N's memory (from the HMAT), with Linux's codes
 * (indexing 0: direct mapped, 1: indexed, 2: other; write_policy 0:
 * write-back, 1: write-through, 2: other).
 */
struct node_cache {
    uint32_t node;
    uint32_t level;
    uint64_t size;          /* bytes */
    uint64_t line_size;     /* bytes */
    uint64_t indexing;
    uint64_t write_policy;
};

struct cache_list {
    struct node_cache *c;   /* sorted by node, then level */
    size_t n;
    size_t cap;
};

void cache_list_init(struct cache_list *cl);
void cache_list_free(struct cache_list *cl);

/*
 * Read every memory_side_cache/indexK of every node below @root.  A cache
 * with a missing or garbled attribute is left out and reported in @err;
 * a node without memory_side_cache, or one without indexK, has none.
 */
void cache_read(const char *root, struct cache_list *cl, struct errlist *err);

/* NODE_SYSFS_PATH/nodeN/distance: the SLIT distance from N to node "to". */
struct node_distance {
    uint32_t node;
    uint32_t to;
    uint32_t value;
};

struct distance_list {
    struct node_distance *d;    /* sorted by node, then to */
    size_t n;
    size_t cap;
};

void distance_list_init(struct distance_list *dl);
void distance_list_free(struct distance_list *dl);

/*
 * Read NODE_SYSFS_PATH/online and every nodeN/distance below @root: the
 * distance file has one value per online node, in node order.  A file
 * that cannot be read or does not match the online nodes is reported in
 * @err and gives no distances of its node.
 */
void distance_read(const char *root, struct distance_list *dl,
                   struct errlist *err);

/* MEMORY_TIERING_PATH/memory_tierK/nodelist. */
struct mem_tier {
    uint32_t tier;
    char *nodelist;         /* as the kernel prints it, e.g. "0-1,3" */
};

struct tier_list {
    struct mem_tier *t;     /* sorted by tier */
    size_t n;
    size_t cap;
};

void tier_list_init(struct tier_list *tl);
void tier_list_free(struct tier_list *tl);

/*
 * Read every memory_tierK below @root.  No MEMORY_TIERING_PATH (a kernel
 * without memory tiers) is not an error; a tier whose nodelist cannot be
 * read or is not a node list is left out and reported in @err.
 */
void tier_read(const char *root, struct tier_list *tl, struct errlist *err);

/*
 * Parse a kernel node list ("", "3", "0-2,5") into an allocated array of
 * ids in increasing order.  False (nothing allocated) if @s is not one,
 * or lists more than @max ids.
 */
bool parse_node_list(const char *s, size_t max, uint32_t **ids, size_t *n);

#endif
