/*
 * epoch_record.c: the columns of a search run's per-epoch record (epoch_record.h): their names, how
 * each value is printed into epochs.csv and epochs.jsonl, and how it is read back from a CSV field.
 */
#define _POSIX_C_SOURCE 200809L
#include "run/epoch_record.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How a column's value is stored, printed and checked. */
typedef enum {
    KIND_EPOCH,       /* int, a whole number >= 0 */
    KIND_SECONDS,     /* double, %.3f */
    KIND_NUMBER,      /* double, %.9g */
    KIND_ARCH,        /* int op code, printed as the cell string; -1: missing */
    KIND_INDEX,       /* int benchmark index; -1: missing */
    KIND_ACCURACY,    /* double percent, %.6g */
    KIND_PROBABILITY, /* double in [0, 1], %.9g */
} ValueKind;

/* Accepted range of a number of each kind (KIND_ARCH has none). */
static const double RANGE[][2] = {
    [KIND_EPOCH] = {0, 1e9},      [KIND_SECONDS] = {0, DBL_MAX},     [KIND_NUMBER] = {-DBL_MAX, DBL_MAX},
    [KIND_INDEX] = {0, TABLE_N_ARCHS - 1}, [KIND_ACCURACY] = {0, 100}, [KIND_PROBABILITY] = {0, 1},
};

typedef struct {
    char name[32];
    ValueKind kind;
    size_t offset; /* of the value in EpochRecord: an int for KIND_EPOCH, KIND_ARCH, KIND_INDEX, else a double */
} Column;

#define AT(field) offsetof(EpochRecord, field)
static const struct {
    const char *name;
    ValueKind kind;
    size_t offset;
} LEADING[] = {
    {"epoch", KIND_EPOCH, AT(epoch)},           {"seconds", KIND_SECONDS, AT(seconds)},
    {"lr", KIND_NUMBER, AT(lr)},                {"tau", KIND_NUMBER, AT(tau)},
    {"train_loss", KIND_NUMBER, AT(train_loss)}, {"train_acc", KIND_NUMBER, AT(train_acc)},
    {"arch_loss", KIND_NUMBER, AT(arch_loss)},   {"arch_acc", KIND_NUMBER, AT(arch_acc)},
    {"valid_loss", KIND_NUMBER, AT(valid_loss)}, {"valid_acc", KIND_NUMBER, AT(valid_acc)},
    {"kendall_tau", KIND_NUMBER, AT(kendall_tau)}, {"spearman_rho", KIND_NUMBER, AT(spearman_rho)},
    {"arch", KIND_ARCH, AT(code)},              {"index", KIND_INDEX, AT(index)},
};
enum { N_LEADING = sizeof LEADING / sizeof LEADING[0], COL_ACC0 = N_LEADING, COL_P0 = COL_ACC0 + TABLE_N_COLS };
_Static_assert(COL_P0 + ARCH_N_EDGES * ARCH_N_OPS == EPOCH_N_COLUMNS, "EPOCH_N_COLUMNS counts the columns");

static Column column(int col) {
    Column c;
    if (col < COL_ACC0) {
        snprintf(c.name, sizeof c.name, "%s", LEADING[col].name);
        c.kind = LEADING[col].kind, c.offset = LEADING[col].offset;
    } else if (col < COL_P0) {
        snprintf(c.name, sizeof c.name, "%s", TABLE_COLUMNS[col - COL_ACC0].key);
        c.kind = KIND_ACCURACY, c.offset = AT(acc) + sizeof(double) * (size_t)(col - COL_ACC0);
    } else {
        int k = col - COL_P0;
        snprintf(c.name, sizeof c.name, "p_e%d_%s", k / ARCH_N_OPS, ARCH_OP_NAMES[k % ARCH_N_OPS]);
        c.kind = KIND_PROBABILITY, c.offset = AT(p) + sizeof(double) * (size_t)k;
    }
    return c;
}

static int is_int(ValueKind kind) { return kind == KIND_EPOCH || kind == KIND_ARCH || kind == KIND_INDEX; }
static int *int_at(EpochRecord *r, const Column *c) { return (int *)((char *)r + c->offset); }
static double *double_at(EpochRecord *r, const Column *c) { return (double *)((char *)r + c->offset); }
static int int_of(const EpochRecord *r, const Column *c) { return *(const int *)((const char *)r + c->offset); }
static double double_of(const EpochRecord *r, const Column *c) { return *(const double *)((const char *)r + c->offset); }

void epoch_record_clear(EpochRecord *r) {
    for (int col = 0; col < EPOCH_N_COLUMNS; col++) {
        Column c = column(col);
        if (is_int(c.kind)) *int_at(r, &c) = c.kind == KIND_EPOCH ? 0 : -1;
        else *double_at(r, &c) = NAN;
    }
}

void epoch_column_name(int col, char *out, size_t len) { snprintf(out, len, "%s", column(col).name); }

int epoch_column_required(int col) {
    ValueKind kind = column(col).kind;
    return kind == KIND_EPOCH || kind == KIND_ARCH || kind == KIND_ACCURACY || kind == KIND_PROBABILITY;
}

/* ---------------------------------------------------------------------------------------------
 * Writing */

/* The value as text, "" when it is missing (the cell string unquoted). */
static void format_value(const EpochRecord *r, const Column *c, char out[ARCH_STR_MAX]) {
    out[0] = '\0';
    if (is_int(c->kind)) {
        int v = int_of(r, c);
        if (c->kind == KIND_ARCH && v >= 0) arch_format_code(v, out);
        else if (c->kind == KIND_EPOCH || v >= 0) snprintf(out, ARCH_STR_MAX, "%d", v);
        return;
    }
    double v = double_of(r, c);
    const char *fmt = c->kind == KIND_SECONDS ? "%.3f" : c->kind == KIND_ACCURACY ? "%.6g" : "%.9g";
    if (!isnan(v)) snprintf(out, ARCH_STR_MAX, fmt, v);
}

void epochs_csv_write_header(FILE *f) {
    for (int col = 0; col < EPOCH_N_COLUMNS; col++) fprintf(f, "%s%s", col ? "," : "", column(col).name);
    fputc('\n', f);
}

void epochs_csv_write_record(FILE *f, const EpochRecord *r) {
    char text[ARCH_STR_MAX];
    for (int col = 0; col < EPOCH_N_COLUMNS; col++) {
        Column c = column(col);
        format_value(r, &c, text);
        fprintf(f, "%s%s", col ? "," : "", text);
    }
    fputc('\n', f);
}

static void json_value(FILE *f, const EpochRecord *r, const Column *c) {
    char text[ARCH_STR_MAX];
    format_value(r, c, text);
    if (!text[0]) fputs("null", f);
    else if (c->kind == KIND_ARCH) fprintf(f, "\"%s\"", text);
    else fputs(text, f);
}

static int has_probabilities(const EpochRecord *r) {
    for (int k = 0; k < ARCH_N_EDGES * ARCH_N_OPS; k++)
        if (!isnan(r->p[k / ARCH_N_OPS][k % ARCH_N_OPS])) return 1;
    return 0;
}

void epochs_jsonl_write_record(FILE *f, const EpochRecord *r) {
    for (int col = 0; col < COL_P0; col++) {
        Column c = column(col);
        fprintf(f, "%s\"%s\": ", col ? ", " : "{", c.name);
        json_value(f, r, &c);
    }
    if (!has_probabilities(r)) {
        fputs(", \"p\": null}\n", f);
        return;
    }
    fputs(", \"p\": [", f);
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        fputs(e ? ", [" : "[", f);
        for (int o = 0; o < ARCH_N_OPS; o++) {
            Column c = column(COL_P0 + e * ARCH_N_OPS + o);
            fputs(o ? ", " : "", f);
            json_value(f, r, &c);
        }
        fputc(']', f);
    }
    fputs("]}\n", f);
}

/* ---------------------------------------------------------------------------------------------
 * Reading */

/* An empty field is NaN, except for the epoch and its time, which every record has; anything else must be
 * a whole finite number within the kind's range. */
static int parse_number(const Column *c, const char *text, double *out, char *why, size_t why_len) {
    *out = NAN;
    if (text[0] == '\0' && (c->kind == KIND_EPOCH || c->kind == KIND_SECONDS)) {
        snprintf(why, why_len, "column '%s' is empty (every epoch has one)", c->name);
        return -1;
    }
    if (text[0] == '\0') return 0;
    char *end;
    errno = 0;
    double v = strtod(text, &end), lo = RANGE[c->kind][0], hi = RANGE[c->kind][1];
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        snprintf(why, why_len, "column '%s': '%s' is not a number", c->name, text);
        return -1;
    }
    if (v < lo || v > hi) {
        snprintf(why, why_len, "column '%s': %s is outside [%g, %g]", c->name, text, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* epoch (required) and index (may be empty): whole numbers. */
static int parse_count(EpochRecord *r, const Column *c, const char *text, char *why, size_t why_len) {
    double v;
    if (parse_number(c, text, &v, why, why_len) != 0) return -1;
    if (c->kind == KIND_INDEX && isnan(v)) {
        *int_at(r, c) = -1;
        return 0;
    }
    if (isnan(v) || v != floor(v)) {
        const char *what = c->kind == KIND_EPOCH ? "an epoch number" : "a cell index";
        snprintf(why, why_len, "column '%s': '%s' is not %s", c->name, text, what);
        return -1;
    }
    *int_at(r, c) = (int)v;
    return 0;
}

static int parse_arch(EpochRecord *r, const Column *c, const char *text, char *why, size_t why_len) {
    char msg[256];
    Arch a;
    *int_at(r, c) = -1;
    if (text[0] == '\0') return 0;
    if (arch_parse(text, &a, msg, sizeof msg) != 0) {
        snprintf(why, why_len, "column '%s': %s", c->name, msg);
        return -1;
    }
    *int_at(r, c) = arch_to_code(&a);
    return 0;
}

int epoch_record_parse_field(EpochRecord *r, int col, const char *text, char *why, size_t why_len) {
    Column c = column(col);
    if (c.kind == KIND_ARCH) return parse_arch(r, &c, text, why, why_len);
    if (is_int(c.kind)) return parse_count(r, &c, text, why, why_len);
    return parse_number(&c, text, double_at(r, &c), why, why_len);
}
