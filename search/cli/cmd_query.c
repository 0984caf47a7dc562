/*
 * cmd_query.c: `supernet query ARCH|CODE|INDEX [--json]` prints everything the benchmark table
 * holds about one cell; `supernet query --best --dataset D [--top K] [--json]` ranks all cells.
 * A 6-digit argument is an op code (digits 0-4, edge order); a shorter number is an index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "common.h"
#include "table.h"
#include "run/table_path.h"

static const char *const TIME_KEYS[TABLE_N_TIMES] = {"cifar10_valid_200", "cifar10_valid_12", "cifar100_200", "imagenet16_200"};
static const char *const NET_KEYS[TABLE_N_NETS] = {"cifar10", "cifar100", "imagenet16"};

/* A seed row's key: one run's value of an x-valid column has that column's key; valtest (the valid and
 * test halves together) has its own. */
static const char *seed_key(TableSeedColumn k) {
    switch (k) {
    case SEED_C10V_VALID: return TABLE_COLUMNS[COL_C10_VALID].key;
    case SEED_C100_VALID: return TABLE_COLUMNS[COL_C100_VALID].key;
    case SEED_IN16_VALID: return TABLE_COLUMNS[COL_IN16_VALID].key;
    case SEED_C100_VALTEST: return "cifar100_valtest";
    default: return "imagenet16_valtest";
    }
}

typedef struct {
    int json, best, top;
    const char *dataset, *metric, *table;
} QueryArgs;

/* Isomorphism class of a cell: its canonical form, its size and its smallest benchmark index. */
typedef struct {
    char form[ARCH_CANON_MAX];
    int size, min_index;
} IsoInfo;

static IsoInfo iso_info(const Table *t, int code, int with_none) {
    IsoInfo info = {.size = 0, .min_index = TABLE_N_ARCHS};
    char other[ARCH_CANON_MAX];
    Arch a = arch_from_code(code);
    arch_canonical(&a, with_none, info.form);
    for (int c = 0; c < ARCH_N_CELLS; c++) {
        Arch b = arch_from_code(c);
        arch_canonical(&b, with_none, other);
        if (strcmp(other, info.form) != 0) continue;
        info.size++;
        int index = table_index_of_code(t, c);
        if (index < info.min_index) info.min_index = index;
    }
    return info;
}

/* What both cell printouts show besides the table's values. */
typedef struct {
    int index;
    const TableArch *a;
    char arch[ARCH_STR_MAX], digits[ARCH_N_EDGES + 1];
    IsoInfo iso[2]; /* [0] skip only, [1] skip + none */
} CellView;

static void cell_view(const Table *t, int index, CellView *v) {
    v->index = index;
    v->a = table_arch(t, index);
    arch_format_code(v->a->code, v->arch);
    arch_code_digits(v->a->code, v->digits);
    for (int with_none = 0; with_none < 2; with_none++) v->iso[with_none] = iso_info(t, v->a->code, with_none);
}

static void print_values_json(const char *key, const double *v, const char *const *names, int n, const char *tail) {
    printf("  \"%s\": {", key);
    for (int k = 0; k < n; k++) printf("%s\"%s\": %.15g", k ? ", " : "", names[k], v[k]);
    printf("}%s\n", tail);
}

static void print_cell_json(const Table *t, const CellView *cell) {
    const TableArch *a = cell->a;
    const IsoInfo *iso = cell->iso;
    printf("{\n  \"index\": %d,\n  \"arch\": \"%s\",\n  \"code\": \"%s\",\n  \"n_seeds_200\": %d,\n", cell->index, cell->arch,
           cell->digits, a->n_seeds);
    const char *col_keys[TABLE_N_COLS];
    for (int k = 0; k < TABLE_N_COLS; k++) col_keys[k] = TABLE_COLUMNS[k].key;
    print_values_json("acc_200", a->acc200, col_keys, TABLE_N_COLS, ",");
    print_values_json("acc_12", a->acc12, col_keys, TABLE_N_COLS, ",");
    print_values_json("train_time_s", a->train_time, TIME_KEYS, TABLE_N_TIMES, ",");
    print_values_json("params_m", a->params_m, NET_KEYS, TABLE_N_NETS, ",");
    print_values_json("flops_m", a->flops_m, NET_KEYS, TABLE_N_NETS, ",");
    printf("  \"seeds_200\": [\n");
    for (int s = 0; s < a->n_seeds; s++) {
        const double *v = t->seeds[a->first_seed + s].v;
        printf("    {");
        for (int k = 0; k < TABLE_N_SEED_COLS; k++)
            printf("%s\"%s\": %.15g", k ? ", " : "", seed_key((TableSeedColumn)k), v[k]);
        printf("}%s\n", s + 1 < a->n_seeds ? "," : "");
    }
    printf("  ],\n");
    for (int w = 0; w < 2; w++)
        printf("  \"%s\": {\"form\": \"%s\", \"class_size\": %d, \"class_min_index\": %d}%s\n",
               w ? "iso_skip_none" : "iso_skip", iso[w].form, iso[w].size, iso[w].min_index, w ? "" : ",");
    printf("}\n");
}

static void print_row(const char *label, const double *v, int n, const char *fmt) {
    printf("%-24s", label);
    for (int k = 0; k < n; k++) printf(fmt, v[k]);
    printf("\n");
}

static void print_cell_text(const Table *t, const CellView *cell) {
    const TableArch *a = cell->a;
    const IsoInfo *iso = cell->iso;
    printf("cell   %s\nindex  %d    code %s    200-epoch seeds %d\n\n", cell->arch, cell->index, cell->digits, a->n_seeds);
    printf("%-24s%10s%10s%10s%10s%10s%10s\n", "", "c10-valid", "cifar10", "cifar100", "cifar100", "IN16-120", "IN16-120");
    printf("%-24s", "accuracy (%)");
    for (int k = 0; k < TABLE_N_COLS; k++) printf("%10s", TABLE_COLUMNS[k].split);
    printf("\n");
    print_row("  200 epochs (mean)", a->acc200, TABLE_N_COLS, "%10.2f");
    print_row("  12 epochs", a->acc12, TABLE_N_COLS, "%10.2f");
    for (int s = 0; s < a->n_seeds; s++) {
        const double *v = t->seeds[a->first_seed + s].v;
        printf("  200 epochs, seed %d     %10.2f%10s%10.2f%10s%10.2f%10s   (full test: c100 %.2f, IN16 %.2f)\n", s, v[SEED_C10V_VALID], "",
               v[SEED_C100_VALID], "", v[SEED_IN16_VALID], "", v[SEED_C100_VALTEST], v[SEED_IN16_VALTEST]);
    }
    printf("\ntrain time (s)          cifar10-valid %.2f (200 ep), %.2f (12 ep); cifar100 %.2f; ImageNet16-120 %.2f (200 ep)\n",
           a->train_time[TIME_C10V_200], a->train_time[TIME_C10V_12], a->train_time[TIME_C100_200], a->train_time[TIME_IN16_200]);
    printf("%-24s%10s%10s%10s\n", "", "10 cls", "100 cls", "120 cls");
    print_row("params (M)", a->params_m, TABLE_N_NETS, "%10.6f");
    print_row("FLOPs (M)", a->flops_m, TABLE_N_NETS, "%10.5f");
    for (int w = 0; w < 2; w++)
        printf("\nisomorphism (%s; %s classes): %s\n  class of %d cell(s), lowest index %d\n", w ? "skip + none" : "skip",
               w ? "6,466" : "12,751", iso[w].form, iso[w].size, iso[w].min_index);
}

/* The 200-epoch column `--best` ranks by; auto: the valid column, or the test one of a dataset without
 * (cifar10-valid only has x-valid, cifar10 only ori-test). */
static TableColumn ranking_column(const CliSpec *spec, const char *dataset, const char *metric) {
    int valid = table_column_find(dataset, "valid"), test = table_column_find(dataset, "test");
    /* Of the --dataset choices only cifar10-valid lacks a test column and only cifar10 a valid one. */
    if (strcmp(metric, "test") == 0 && test < 0)
        cli_usage_error(spec, "cifar10-valid has no test column (use --dataset cifar10 for ori-test)");
    if (strcmp(metric, "valid") == 0 && valid < 0)
        cli_usage_error(spec, "cifar10 has no valid column (use --dataset cifar10-valid)");
    return (TableColumn)(strcmp(metric, "test") == 0 || valid < 0 ? test : valid);
}

static const Table *sort_table;
static TableColumn sort_column;
static int by_accuracy_desc(const void *x, const void *y) {
    int i = *(const int *)x, j = *(const int *)y;
    double a = table_arch(sort_table, i)->acc200[sort_column], b = table_arch(sort_table, j)->acc200[sort_column];
    if (a != b) return a > b ? -1 : 1;
    return i - j;
}

static void print_best(const Table *t, const QueryArgs *q, TableColumn col) {
    static int order[TABLE_N_ARCHS];
    for (int i = 0; i < TABLE_N_ARCHS; i++) order[i] = i;
    sort_table = t, sort_column = col;
    qsort(order, TABLE_N_ARCHS, sizeof order[0], by_accuracy_desc);
    if (q->json) printf("{\"dataset\": \"%s\", \"ranked_by\": \"%s\", \"top\": [\n", q->dataset, TABLE_COLUMNS[col].key);
    else printf("top %d of %d cells by 200-epoch %s accuracy (%%)\nrank  index  %-8s  c10v-val c10-test c100-val c100-tst IN16-val IN16-tst  arch\n",
                q->top, TABLE_N_ARCHS, TABLE_COLUMNS[col].key, "ranked");
    for (int r = 0; r < q->top; r++) {
        const TableArch *a = table_arch(t, order[r]);
        char str[ARCH_STR_MAX];
        arch_format_code(a->code, str);
        if (q->json) {
            printf("  {\"rank\": %d, \"index\": %d, \"arch\": \"%s\", \"acc_200\": {", r + 1, order[r], str);
            for (int k = 0; k < TABLE_N_COLS; k++) printf("%s\"%s\": %.15g", k ? ", " : "", TABLE_COLUMNS[k].key, a->acc200[k]);
            printf("}}%s\n", r + 1 < q->top ? "," : "");
            continue;
        }
        printf("%4d  %5d  %8.2f ", r + 1, order[r], a->acc200[col]);
        for (int k = 0; k < TABLE_N_COLS; k++) printf(" %8.2f", a->acc200[k]);
        printf("  %s\n", str);
    }
    if (q->json) printf("]}\n");
}

int cmd_query(int argc, char **argv) {
    QueryArgs q = {.json = 0, .best = 0, .top = 1, .dataset = "cifar10-valid", .metric = "auto", .table = NULL};
    const CliOption options[] = {
        {"--json", CLI_FLAG, &q.json, "print JSON instead of a table", NULL, 0, 0, 0},
        {"--best", CLI_FLAG, &q.best, "rank all cells by --dataset's 200-epoch accuracy", NULL, 0, 0, 0},
        {"--dataset", CLI_CHOICE, &q.dataset, "dataset --best ranks on", "cifar10-valid|cifar10|cifar100|ImageNet16-120", 0, 0, 0},
        {"--metric", CLI_CHOICE, &q.metric, "--best ranks by x-valid or x-test (auto: valid, ori-test for cifar10)", "auto|valid|test", 0, 0, 0},
        {"--top", CLI_INT, &q.top, "how many cells --best prints", NULL, 1, TABLE_N_ARCHS, 0},
        {"--table", CLI_STRING, &q.table, "benchmark table file; when unset: $SUPERNET_TABLE, then data/" TABLE_FILE_NAME " beside the build or in the source tree", NULL, 0, 0, 0},
    };
    const CliSpec spec = {.command = "query",
                          .summary = "Print the benchmark table's values for one cell, or the best cells of a dataset.",
                          .synopsis = "ARCH|CODE|INDEX [options]  or  --best --dataset D [--top K] [options]",
                          .options = options, .n_options = CLI_COUNT(options), .max_positional = 1};
    char *positional[1];
    int n = cli_parse(&spec, argc, argv, positional);
    if (q.best && n != 0) cli_usage_error(&spec, "--best takes no cell argument, got '%s'", positional[0]);
    if (!q.best && n != 1) cli_usage_error(&spec, "expected one cell (architecture string, index or 6-digit op code) or --best");
    Table *t = table_open(q.table);
    if (q.best) {
        print_best(t, &q, ranking_column(&spec, q.dataset, q.metric));
    } else {
        CellView cell;
        cell_view(t, cli_resolve_cell(&spec, t, positional[0]), &cell);
        (q.json ? print_cell_json : print_cell_text)(t, &cell);
    }
    table_free(t);
    return 0;
}
