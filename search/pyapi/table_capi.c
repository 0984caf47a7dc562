/* table_capi.c: the benchmark table for ctypes (see table_capi.h): names to table columns, and the
 * statuses and one-line messages of what the table does not hold. */
#define _POSIX_C_SOURCE 200809L
#include "pyapi/table_capi.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "run/table_path.h"

static int status(int code, char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int status(int code, char *err, size_t err_len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (err && err_len) vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return code;
}

Table *sntab_open(const char *path, char *err, size_t err_len) {
    const char *env = getenv("SUPERNET_TABLE");
    if (!path) path = env && *env ? env : SUPERNET_SOURCE_DIR "/data/" TABLE_FILE_NAME;
    Table *t = NULL;
    return table_load_checked(path, &t, err, err_len) == 0 ? t : NULL;
}

void sntab_close(Table *t) { table_free(t); }
const char *sntab_path(const Table *t) { return t->path; }
int sntab_count(void) { return TABLE_N_ARCHS; }

static int check_index(int index, char *err, size_t err_len) {
    if (index >= 0 && index < TABLE_N_ARCHS) return SNTAB_OK;
    return status(SNTAB_BAD_INPUT, err, err_len, "architecture index %d is out of range 0..%d", index, TABLE_N_ARCHS - 1);
}

int sntab_index_of_arch(const Table *t, const char *text, int *index, char *err, size_t err_len) {
    char why[256];
    Arch a;
    if (arch_parse(text, &a, why, sizeof why) != 0) return status(SNTAB_BAD_INPUT, err, err_len, "bad architecture string: %s", why);
    *index = table_index_of_code(t, arch_to_code(&a));
    return SNTAB_OK;
}

static int copy_text(const char *text, char *out, size_t len, char *err, size_t err_len) {
    if (strlen(text) >= len) return status(SNTAB_BAD_INPUT, err, err_len, "output buffer of %zu bytes is too small", len);
    memcpy(out, text, strlen(text) + 1);
    return SNTAB_OK;
}

int sntab_arch_str(const Table *t, int index, char *out, size_t len, char *err, size_t err_len) {
    if (check_index(index, err, err_len) != SNTAB_OK) return SNTAB_BAD_INPUT;
    char text[ARCH_STR_MAX];
    arch_format_code(table_arch(t, index)->code, text);
    return copy_text(text, out, len, err, err_len);
}

int sntab_unique_str(const Table *t, int index, char *out, size_t len, char *err, size_t err_len) {
    if (check_index(index, err, err_len) != SNTAB_OK) return SNTAB_BAD_INPUT;
    char form[ARCH_CANON_MAX];
    Arch a = arch_from_code(table_arch(t, index)->code);
    arch_canonical(&a, 1, form);
    return copy_text(form, out, len, err, err_len);
}

/* ---------------------------------------------------------------------------------------------
 * Values. The accuracy columns come from table_column_find; what else belongs to a dataset is here. */

typedef struct {
    const char *name;
    TableNet net;     /* params and FLOPs: the network for its number of classes */
    int seed_valid;   /* per-seed x-valid column, or -1 */
    int seed_valtest; /* per-seed full-test column, or -1 */
} DatasetColumns;

static const DatasetColumns DATASETS[] = {
    {"cifar10-valid", NET_10, SEED_C10V_VALID, -1},
    {"cifar10", NET_10, -1, -1},
    {"cifar100", NET_100, SEED_C100_VALID, SEED_C100_VALTEST},
    {"ImageNet16-120", NET_120, SEED_IN16_VALID, SEED_IN16_VALTEST},
};
enum { N_DATASETS = sizeof DATASETS / sizeof DATASETS[0] };

/* One question, checked: the cell, its dataset and schedule, the run asked for. */
typedef struct {
    const Table *t;
    const TableArch *a;
    const DatasetColumns *d;
    int epochs, run;
    char *err;
    size_t err_len;
} Query;

/* The 200-epoch values are over the cell's seeds; the 12-epoch schedule was run once. */
static int runs_of(const TableArch *a, int epochs) { return epochs == 200 ? a->n_seeds : 1; }

static int check_schedule(const TableArch *a, int index, int epochs, int run, char *err, size_t err_len) {
    if (epochs != 12 && epochs != 200) return status(SNTAB_BAD_INPUT, err, err_len, "the table holds the 12- and 200-epoch schedules, not %d", epochs);
    int runs = runs_of(a, epochs);
    if (run < -1 || run >= runs) return status(SNTAB_BAD_INPUT, err, err_len, "run %d of cell %d at %d epochs: it has %d", run, index, epochs, runs);
    return SNTAB_OK;
}

/* "a, b, c": the names of n table rows of `size` bytes whose first field is the name (the choices an
 * error lists). */
static const char *names_of(const void *rows, size_t n, size_t size, char *out, size_t len) {
    out[0] = 0;
    for (size_t k = 0; k < n; k++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", k ? ", " : "", *(const char *const *)((const char *)rows + k * size));
    return out;
}

static int query_init(Query *q, const Table *t, int index, const char *dataset, int epochs, int run) {
    if (check_index(index, q->err, q->err_len) != SNTAB_OK) return SNTAB_BAD_INPUT;
    q->t = t, q->a = table_arch(t, index), q->d = NULL, q->epochs = epochs, q->run = run;
    for (int k = 0; k < N_DATASETS; k++)
        if (strcmp(DATASETS[k].name, dataset) == 0) q->d = &DATASETS[k];
    char names[128];
    if (!q->d) return status(SNTAB_BAD_INPUT, q->err, q->err_len, "unknown dataset '%s' (%s)", dataset, names_of(DATASETS, N_DATASETS, sizeof DATASETS[0], names, sizeof names));
    return check_schedule(q->a, index, epochs, run, q->err, q->err_len);
}

static int not_held(const Query *q, const char *what) {
    return status(SNTAB_NOT_HELD, q->err, q->err_len, "the supernet table holds no %s for %s at %d epochs", what, q->d->name, q->epochs);
}

/* The mean over runs of a per-seed column, or one run's value. */
static double seed_value(const Query *q, int column) {
    const TableSeed *s = &q->t->seeds[q->a->first_seed];
    if (q->run >= 0) return s[q->run].v[column];
    double sum = 0;
    for (int r = 0; r < q->a->n_seeds; r++) sum += s[r].v[column];
    return sum / q->a->n_seeds;
}

/* Each quantity's reader, given the quantity's name. */
typedef int (*QuantityFn)(const Query *q, const char *quantity, double *out);

static int accuracy(const Query *q, const char *split, double *out) {
    int col = table_column_find(q->d->name, split);
    if (col < 0) return not_held(q, strcmp(split, "test") == 0 ? "test accuracy" : "valid accuracy");
    if (q->epochs == 12) return *out = q->a->acc12[col], SNTAB_OK;
    if (q->run < 0) return *out = q->a->acc200[col], SNTAB_OK;
    if (strcmp(split, "valid") == 0) return *out = seed_value(q, q->d->seed_valid), SNTAB_OK;
    return not_held(q, "per-seed test accuracy (only the seed mean)");
}

static int valtest(const Query *q, const char *quantity, double *out) {
    if (q->d->seed_valtest < 0) return not_held(q, "valtest accuracy (only cifar100 and ImageNet16-120 have one)");
    if (q->epochs == 12) return not_held(q, "valtest accuracy");
    *out = seed_value(q, q->d->seed_valtest);
    return SNTAB_OK;
}

/* Training time: the same for every run of a cell (the sources record one time per cell). */
static int train_time(const Query *q, const char *quantity, double *out) {
    int col = table_column_find(q->d->name, "valid");
    if (col < 0) return not_held(q, "training time");
    *out = q->epochs == 12 ? table_train_time_12(q->a, (TableColumn)col) : table_train_time_200(q->a, (TableColumn)col);
    return SNTAB_OK;
}

static int params_of(const Query *q, const char *quantity, double *out) { return *out = q->a->params_m[q->d->net], SNTAB_OK; }
static int flops_of(const Query *q, const char *quantity, double *out) { return *out = q->a->flops_m[q->d->net], SNTAB_OK; }

static const struct {
    const char *name;
    QuantityFn read;
} QUANTITIES[] = {{"valid", accuracy}, {"test", accuracy}, {"valtest", valtest}, {"train-time", train_time}, {"params", params_of}, {"flops", flops_of}};
enum { N_QUANTITIES = sizeof QUANTITIES / sizeof QUANTITIES[0] };

static int value(const Query *q, const char *quantity, double *out) {
    for (int k = 0; k < N_QUANTITIES; k++)
        if (strcmp(QUANTITIES[k].name, quantity) == 0) return QUANTITIES[k].read(q, quantity, out);
    char names[128];
    return status(SNTAB_BAD_INPUT, q->err, q->err_len, "unknown quantity '%s' (%s)", quantity, names_of(QUANTITIES, N_QUANTITIES, sizeof QUANTITIES[0], names, sizeof names));
}

int sntab_runs(const Table *t, int index, int epochs, int *runs, char *err, size_t err_len) {
    if (check_index(index, err, err_len) != SNTAB_OK) return SNTAB_BAD_INPUT;
    const TableArch *a = table_arch(t, index);
    if (check_schedule(a, index, epochs, -1, err, err_len) != SNTAB_OK) return SNTAB_BAD_INPUT;
    *runs = runs_of(a, epochs);
    return SNTAB_OK;
}

int sntab_value(const Table *t, int index, const char *dataset, const char *quantity, int epochs, int run, double *out,
                char *err, size_t err_len) {
    Query q = {.err = err, .err_len = err_len};
    int s = query_init(&q, t, index, dataset, epochs, run);
    return s == SNTAB_OK ? value(&q, quantity, out) : s;
}

int sntab_find_best(const Table *t, const char *dataset, const char *quantity, int epochs, double flops_max,
                    double params_max, int *index, double *best, char *err, size_t err_len) {
    *index = -1;
    for (int i = 0; i < TABLE_N_ARCHS; i++) {
        Query q = {.err = err, .err_len = err_len};
        double v, flops, params;
        int s = query_init(&q, t, i, dataset, epochs, -1);
        if (s == SNTAB_OK) s = value(&q, quantity, &v);
        if (s == SNTAB_OK) s = value(&q, "flops", &flops);
        if (s == SNTAB_OK) s = value(&q, "params", &params);
        if (s != SNTAB_OK) return s;
        if (flops > flops_max || params > params_max) continue;
        if (*index < 0 || v > *best) *index = i, *best = v;
    }
    return SNTAB_OK;
}
