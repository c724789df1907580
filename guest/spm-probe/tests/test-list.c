/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spm-probe tests: DEFINE_LIST, the growable arrays of every reader
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

struct item {
    unsigned id;
    char *name;             /* owned */
};

/* How often item_free() ran, and the sum of the ids it saw. */
static unsigned freed, freed_ids;

static void item_free(struct item *it)
{
    freed++;
    freed_ids += it->id;
    free(it->name);
}

DEFINE_LIST(item_list, struct item, item_free)
DEFINE_LIST(u32_list, uint32_t, LIST_ITEM_NO_FREE)

static void test_items(void)
{
    struct item_list l;
    bool same = true;
    unsigned sum = 0;

    printf("# a list whose items own memory\n");
    item_list_init(&l);
    CHECK(l.items == NULL && l.n == 0 && l.cap == 0, "empty after init");
    for (unsigned i = 0; i < 100; i++) {
        struct item *it = item_list_push(&l);

        same = same && it == &l.items[i] && l.n == i + 1 && l.cap >= l.n;
        it->id = i;
        it->name = xasprintf("item%u", i);
        sum += i;
    }
    CHECK(same, "every push returns the next item and counts it");
    CHECK(l.n == 100 && l.cap == 128, "100 items in room for 128 (%zu)",
          l.cap);
    same = true;
    for (unsigned i = 0; i < l.n; i++) {
        char want[16];

        snprintf(want, sizeof(want), "item%u", i);
        same = same && l.items[i].id == i && !strcmp(l.items[i].name, want);
    }
    CHECK(same, "the items keep their values as the array grows");
    item_list_free(&l);
    CHECK(freed == 100 && freed_ids == sum, "item_free ran on each item "
          "once (%u times)", freed);
    CHECK(l.items == NULL && l.n == 0 && l.cap == 0, "empty after free");

    *item_list_push(&l) = (struct item){ .id = 0, .name = NULL };
    CHECK(l.n == 1 && l.cap == 8, "a freed list can be used again");
    item_list_free(&l);
}

static void test_plain(void)
{
    struct u32_list l;

    printf("# a list of plain values\n");
    u32_list_init(&l);
    for (uint32_t v = 0; v < 8; v++) {
        *u32_list_push(&l) = v * 3;
    }
    CHECK(l.n == 8 && l.cap == 8, "8 items fill the first allocation");
    *u32_list_push(&l) = 24;
    CHECK(l.n == 9 && l.cap == 16, "the 9th doubles it");
    CHECK(l.items[0] == 0 && l.items[7] == 21 && l.items[8] == 24,
          "values kept");
    u32_list_free(&l);
    CHECK(l.items == NULL && l.n == 0 && l.cap == 0, "empty after free");
}

int main(void)
{
    test_items();
    test_plain();
    return test_done();
}
