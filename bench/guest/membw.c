/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-membw: memcpy bandwidth of the memory of one NUMA node, for the
 * guest side of bench/membw.
 *
 *   spm-membw NODE MIB ROUNDS
 *
 * binds the process to NODE (set_mempolicy(MPOL_BIND)), maps two buffers
 * of MIB MiB each there, touches them, then copies one onto the other
 * ROUNDS times (after checking that the first page is on NODE) and prints
 *
 *   spm-membw node=NODE mib=MIB rounds=ROUNDS mib_per_s=FIGURE
 *
 * the bytes copied per second of the copy loop alone.  Static, with no
 * library beyond libc: the test guest has no libnuma.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MPOL_BIND 2
#define MPOL_F_NODE 1
#define MPOL_F_ADDR 2

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned long mask[16] = { 0 };
    unsigned long node, mib, rounds, i;
    size_t len;
    char *src, *dst;
    double t;
    int where = -1;

    if (argc != 4) {
        fputs("usage: spm-membw NODE MIB ROUNDS\n", stderr);
        return 1;
    }
    node = strtoul(argv[1], NULL, 10);
    mib = strtoul(argv[2], NULL, 10);
    rounds = strtoul(argv[3], NULL, 10);
    if (node >= sizeof(mask) * 8 || !mib || !rounds) {
        fputs("spm-membw: bad arguments\n", stderr);
        return 1;
    }
    mask[node / (8 * sizeof(long))] = 1UL << (node % (8 * sizeof(long)));
    if (syscall(SYS_set_mempolicy, MPOL_BIND, mask, sizeof(mask) * 8 + 1)) {
        perror("spm-membw: set_mempolicy");
        return 1;
    }
    len = mib << 20;
    src = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    dst = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (src == MAP_FAILED || dst == MAP_FAILED) {
        perror("spm-membw: mmap");
        return 1;
    }
    /* Fault both in first, so that the loop measures copying alone. */
    memset(src, 0x5a, len);
    memset(dst, 0, len);
    if (syscall(SYS_get_mempolicy, &where, NULL, 0, src, MPOL_F_NODE | MPOL_F_ADDR) ||
        where != (int)node) {
        fprintf(stderr, "spm-membw: buffer on node %d, not %lu\n", where, node);
        return 1;
    }
    t = now();
    for (i = 0; i < rounds; i++) {
        memcpy(dst, src, len);
        src[i % len]++;         /* keep the copies from being merged */
    }
    t = now() - t;
    printf("spm-membw node=%lu mib=%lu rounds=%lu mib_per_s=%.0f\n",
           node, mib, rounds, mib * rounds / t);
    return 0;
}
