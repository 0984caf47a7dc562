/* rank_cells.c: the cell sets of `supernet rank --cells` (see rank.h). */
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "common.h"
#include "rank/rank.h"

static int ascending(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* One cell per isomorphism class (skip_connect and none folded, 6,466 classes): its lowest index. */
static int *unique_cells(const Table *t, int *n) {
    int32_t *class_of = sn_alloc(sizeof(int32_t) * ARCH_N_CELLS);
    int classes = arch_iso_classes(1, class_of);
    int *best = sn_alloc(sizeof(int) * (size_t)classes);
    for (int c = 0; c < classes; c++) best[c] = TABLE_N_ARCHS;
    for (int code = 0; code < ARCH_N_CELLS; code++) {
        int index = table_index_of_code(t, code);
        if (index < best[class_of[code]]) best[class_of[code]] = index;
    }
    sn_free(class_of);
    qsort(best, (size_t)classes, sizeof(int), ascending);
    *n = classes;
    return best;
}

static int *all_cells(int *n) {
    int *all = sn_alloc(sizeof(int) * TABLE_N_ARCHS);
    for (int i = 0; i < TABLE_N_ARCHS; i++) all[i] = i;
    *n = TABLE_N_ARCHS;
    return all;
}

/* K cells drawn without replacement (a partial Fisher-Yates shuffle seeded by seed). */
static int *sampled_cells(int k, int seed, int *n) {
    int *all = all_cells(n);
    Rng rng;
    rng_seed(&rng, (uint64_t)seed, RANK_STREAM_SAMPLE);
    for (int i = 0; i < k; i++) {
        int j = i + (int)rng_below(&rng, (uint32_t)(TABLE_N_ARCHS - i));
        int swap = all[i];
        all[i] = all[j], all[j] = swap;
    }
    qsort(all, (size_t)k, sizeof(int), ascending);
    *n = k;
    return all;
}

static const Table *ranked_table;
static int ranked_column;

static int by_accuracy(const void *a, const void *b) {
    double x = table_arch(ranked_table, *(const int *)a)->acc200[ranked_column];
    double y = table_arch(ranked_table, *(const int *)b)->acc200[ranked_column];
    return x < y ? 1 : x > y ? -1 : *(const int *)a - *(const int *)b;
}

/* The K cells with the best 200-epoch accuracy in column (ties to the lower index). */
static int *top_cells(const Table *t, int column, int k, int *n) {
    int *all = all_cells(n);
    ranked_table = t, ranked_column = column;
    qsort(all, TABLE_N_ARCHS, sizeof(int), by_accuracy);
    qsort(all, (size_t)k, sizeof(int), ascending);
    *n = k;
    return all;
}

/* K from "sample:K" / "top:K": 2 .. 15625, or exit 2. */
static int count_after(const char *word, const char *prefix) {
    const char *digits = word + strlen(prefix);
    char *end;
    long k = strtol(digits, &end, 10);
    if (!*digits || *end || k < 2 || k > TABLE_N_ARCHS)
        sn_die(SN_EXIT_USAGE, "--cells %s: K must be a whole number in 2..%d", word, TABLE_N_ARCHS);
    return (int)k;
}

int *rank_select_cells(const char *word, const Table *t, int column, int seed, int *n) {
    if (strcmp(word, "all") == 0) return all_cells(n);
    if (strcmp(word, "unique") == 0) return unique_cells(t, n);
    if (strncmp(word, "sample:", 7) == 0) return sampled_cells(count_after(word, "sample:"), seed, n);
    if (strncmp(word, "top:", 4) == 0) return top_cells(t, column, count_after(word, "top:"), n);
    sn_die(SN_EXIT_USAGE, "--cells %s: expected all, unique, sample:K or top:K", word);
}
