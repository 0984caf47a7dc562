/* train_report.c: `supernet train --report DIR`: a study's finished runs beside the table (see train.h). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "common.h"
#include "plot/chart.h"
#include "run/json_fields.h"
#include "run/run_dir.h"
#include "run/table_path.h"
#include "stats/correlation.h"
#include "train/train.h"
#include "train/train_setting.h"
#include "whole_file.h"

enum { MAX_RUNS = 4096 };

typedef struct {
    char name[256], code[8], setting[32], recipe[32];
    int index;
    double ours, table; /* NaN: not comparable */
    const char *ours_split;
} ReportRow;

/* The table's accuracy of a cell under a recipe in the column of `dataset` (its valid column, else its test). */
static double table_value(const Table *t, int index, const char *recipe, const char *dataset) {
    int col = table_column_find(dataset, "valid");
    if (col < 0) col = table_column_find(dataset, "test");
    if (col < 0) return NAN;
    return train_table_accuracy(table_arch(t, index), recipe, col);
}

/* One run folder's row; 0, or -1 when it is not a finished training run. */
static int read_row(const char *dir, const char *name, const char *against, const Table *t, ReportRow *row) {
    char path[4400], why[128];
    size_t len;
    snprintf(path, sizeof path, "%s/%s/" RUN_SUMMARY_FILE, dir, name);
    char *text = read_whole_file(path, 1 << 20, &len, why, sizeof why);
    if (!text) return -1;
    if (!strstr(text, "\"recipe\": ")) return free(text), -1;
    memset(row, 0, sizeof *row);
    snprintf(row->name, sizeof row->name, "%s", name);
    json_field_text(text, "code", row->code, sizeof row->code);
    json_field_text(text, "setting", row->setting, sizeof row->setting);
    json_field_text(text, "recipe", row->recipe, sizeof row->recipe);
    row->index = (int)json_field_number(text, "index");
    double valid = json_field_number(text, "valid_acc");
    int has_valid = !isnan(valid) && (against || !isnan(json_field_number(text, "table_valid_acc")) || isnan(json_field_number(text, "table_test_acc")));
    row->ours = has_valid ? valid : json_field_number(text, "test_acc");
    row->ours_split = has_valid ? "valid" : "test";
    int intact = strstr(text, "\"recipe_intact\": true") != NULL;
    if (row->index < 0 || row->index >= TABLE_N_ARCHS) row->table = NAN;
    else if (against) row->table = table_value(t, row->index, row->recipe, against);
    else row->table = json_field_number(text, has_valid ? "table_valid_acc" : "table_test_acc");
    if (!against && !intact) row->table = NAN;
    free(text);
    return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(((const ReportRow *)a)->name, ((const ReportRow *)b)->name); }

typedef struct {
    int n;
    double mean, sd, lo, hi, rho, tau, r;
} Agreement;

static Agreement agreement(const ReportRow *rows, int n_rows) {
    double *x = malloc(sizeof *x * (size_t)(n_rows + 1)), *y = malloc(sizeof *y * (size_t)(n_rows + 1));
    Agreement g = {.lo = INFINITY, .hi = -INFINITY, .rho = NAN, .tau = NAN, .r = NAN, .sd = NAN};
    for (int i = 0; i < n_rows; i++)
        if (!isnan(rows[i].table) && !isnan(rows[i].ours)) x[g.n] = rows[i].table, y[g.n++] = rows[i].ours;
    double sum = 0, sq = 0;
    for (int i = 0; i < g.n; i++) {
        double d = y[i] - x[i];
        sum += d, g.lo = fmin(g.lo, d), g.hi = fmax(g.hi, d);
    }
    g.mean = g.n ? sum / g.n : NAN;
    for (int i = 0; i < g.n; i++) sq += (y[i] - x[i] - g.mean) * (y[i] - x[i] - g.mean);
    if (g.n >= 2) {
        g.sd = sqrt(sq / (g.n - 1));
        g.rho = spearman_rho(x, y, g.n), g.tau = kendall_tau_b(x, y, g.n), g.r = pearson_r(x, y, g.n);
    }
    free(x), free(y);
    return g;
}

static void write_markdown(FILE *f, const ReportRow *rows, int n, const Agreement *g, const char *against) {
    fprintf(f, "| run | cell | code | dataset | recipe | ours | the table%s%s | difference |\n|---|---|---|---|---|---|---|---|\n",
            against ? ", " : "", against ? against : "");
    for (int i = 0; i < n; i++) {
        const ReportRow *r = &rows[i];
        fprintf(f, "| %s | %d | %s | %s | %s | %.2f (%s) | ", r->name, r->index, r->code, r->setting, r->recipe, r->ours,
                r->ours_split);
        if (isnan(r->table)) fprintf(f, "- | - |\n");
        else fprintf(f, "%.2f | %+.2f |\n", r->table, r->ours - r->table);
    }
    fprintf(f, "\n%d cells compared: difference (ours - table) mean %+.2f, sd %.2f, from %+.2f to %+.2f; "
               "Spearman %.3f, Kendall tau-b %.3f, Pearson %.3f\n",
            g->n, g->mean, g->sd, g->lo, g->hi, g->rho, g->tau, g->r);
}

static void write_csv(FILE *f, const ReportRow *rows, int n) {
    fprintf(f, "run,index,code,setting,recipe,split,ours,table,difference\n");
    for (int i = 0; i < n; i++) {
        const ReportRow *r = &rows[i];
        fprintf(f, "%s,%d,%s,%s,%s,%s,%.4f,", r->name, r->index, r->code, r->setting, r->recipe, r->ours_split, r->ours);
        if (isnan(r->table)) fprintf(f, ",\n");
        else fprintf(f, "%.4f,%.4f\n", r->table, r->ours - r->table);
    }
}

/* Ours against the table, one labelled point per cell; the diagonal when both measure the same thing. */
static void draw_scatter(const char *path, const ReportRow *rows, int n, const Agreement *g, const char *against) {
    int w = 900, h = 820, scale = chart_text_scale(w, h);
    Canvas c = canvas_new(w, h, CHART_WHITE);
    char title[256], xlabel[128];
    snprintf(title, sizeof title, "%d cells: Spearman %.2f, Kendall %.2f", g->n, g->rho, g->tau);
    snprintf(xlabel, sizeof xlabel, "the table's accuracy (%%)%s%s", against ? ", " : "", against ? against : "");
    int top = chart_figure_header(&c, title, NULL, 0, scale);
    Panel p;
    chart_grid(&c, top, 1, 1, scale, &p);
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++)
        if (!isnan(rows[i].table)) lo = fmin(lo, fmin(rows[i].table, rows[i].ours)), hi = fmax(hi, fmax(rows[i].table, rows[i].ours));
    if (lo > hi) lo = 0, hi = 100;
    p.xmin = p.ymin = lo, p.xmax = p.ymax = hi;
    p.xstep = chart_nice_range(&p.xmin, &p.xmax, 6, 0);
    p.ystep = chart_nice_range(&p.ymin, &p.ymax, 6, 0);
    chart_axes(&c, &p, NULL, xlabel, "our accuracy (%)", scale);
    if (!against)
        canvas_line(&c, panel_px(&p, fmax(p.xmin, p.ymin)), panel_py(&p, fmax(p.xmin, p.ymin)), panel_px(&p, fmin(p.xmax, p.ymax)),
                    panel_py(&p, fmin(p.xmax, p.ymax)), scale, 4 * scale, CHART_GREY);
    for (int i = 0; i < n; i++) {
        if (isnan(rows[i].table)) continue;
        char label[16];
        snprintf(label, sizeof label, "%d", rows[i].index);
        chart_points(&c, &p, &rows[i].table, &rows[i].ours, 1, chart_palette(0), MARKER_CIRCLE, 3 * scale + 2);
        canvas_text(&c, (int)panel_px(&p, rows[i].table) + 3 * scale, (int)panel_py(&p, rows[i].ours) - 3 * scale, label, 1,
                    0, CHART_BLACK);
    }
    char err[256];
    if (canvas_write_png(&c, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
    canvas_free(&c);
}

static void write_text(const char *dir, const char *file, void (*fill)(FILE *, const void *), const void *ctx) {
    char path[4400], *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    fill(f, ctx);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    atomic_write_file(path, text, len);
    free(text);
}

typedef struct {
    const ReportRow *rows;
    int n;
    const Agreement *g;
    const char *against;
} Report;

static void fill_markdown(FILE *f, const void *ctx) {
    const Report *r = ctx;
    write_markdown(f, r->rows, r->n, r->g, r->against);
}

static void fill_csv(FILE *f, const void *ctx) {
    const Report *r = ctx;
    write_csv(f, r->rows, r->n);
}

int train_report(const char *dir, const char *against, const char *table_path) {
    if (against && table_column_find(against, "valid") < 0 && table_column_find(against, "test") < 0)
        sn_die(SN_EXIT_USAGE, "--against %s: not a benchmark dataset (cifar10-valid, cifar10, cifar100, ImageNet16-120)", against);
    DIR *d = opendir(dir);
    if (!d) sn_die(SN_EXIT_USAGE, "--report %s: cannot open the folder", dir);
    Table *t = table_open(table_path);
    ReportRow *rows = sn_alloc(sizeof *rows * MAX_RUNS);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < MAX_RUNS;)
        if (e->d_name[0] != '.' && read_row(dir, e->d_name, against, t, &rows[n]) == 0) n++;
    closedir(d);
    if (n == 0) sn_die(SN_EXIT_USAGE, "--report %s: no finished supernet train run in it", dir);
    qsort(rows, (size_t)n, sizeof *rows, by_name);
    Agreement g = agreement(rows, n);
    Report r = {rows, n, &g, against};
    write_markdown(stdout, rows, n, &g, against);
    write_text(dir, "comparison.md", fill_markdown, &r);
    write_text(dir, "comparison.csv", fill_csv, &r);
    char png[4400];
    snprintf(png, sizeof png, "%s/comparison.png", dir);
    draw_scatter(png, rows, n, &g, against);
    printf("written: %s/comparison.md, comparison.csv, comparison.png\n", dir);
    sn_free(rows);
    table_free(t);
    return 0;
}
