/*
 * ablation_report.c: the summary of an ablation (ablation.h): per cell, the mean and sample
 * std over its finished seeds of the search time and the six benchmark columns of summary.json, as
 * Markdown (laid out like the paper's Table 5) and CSV, a bar chart of the cells, and the derivation
 * chart of all runs.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ablation/ablation.h"
#include "atomic_file.h"
#include "common.h"
#include "methods.h"
#include "run/json_fields.h"
#include "run/run_dir.h"
#include "plot/plot.h"
#include "table.h"
#include "whole_file.h"

enum { SUMMARY_MAX_FILE_BYTES = 64 << 10 };

/* Values read from each run's summary.json: the search time, then the six columns of Table 5. */
enum { VALUE_SECONDS, VALUE_COL0, N_VALUES = VALUE_COL0 + TABLE_N_COLS };

static const char *value_key(int k) { return k == VALUE_SECONDS ? RUN_SUMMARY_SECONDS_KEY : TABLE_COLUMNS[k - VALUE_COL0].key; }
static const char *value_label(int k) { return k == VALUE_SECONDS ? "search (s)" : TABLE_COLUMNS[k - VALUE_COL0].label; }

typedef struct {
    int n;                      /* finished seeds */
    double v[ABL_MAX_SEEDS][N_VALUES];
    double mean[N_VALUES], std[N_VALUES];
} CellStats;

/* The number after "key": in a summary; exits 2 naming the file when it is missing. */
static double json_number(const char *path, const char *text, const char *key) {
    double v = json_field_number(text, key);
    if (isnan(v)) sn_die(SN_EXIT_USAGE, "%s: no number for key \"%s\"", path, key);
    return v;
}

/* Reads <dir>/summary.json into v; returns 0 if the run has not finished (no summary.json). */
static int read_summary(const char *dir, double v[N_VALUES]) {
    char path[ABL_PATH + 320], why[256];
    struct stat st;
    size_t len;
    snprintf(path, sizeof path, "%s/" RUN_SUMMARY_FILE, dir);
    if (stat(path, &st) != 0) return 0;
    char *text = read_whole_file(path, SUMMARY_MAX_FILE_BYTES, &len, why, sizeof why);
    if (!text) sn_die(SN_EXIT_USAGE, "%s: %s", path, why);
    for (int k = 0; k < N_VALUES; k++) v[k] = json_number(path, text, value_key(k));
    free(text);
    return 1;
}

static void cell_stats(CellStats *c) {
    for (int k = 0; k < N_VALUES; k++) {
        double s = 0, sq = 0;
        for (int i = 0; i < c->n; i++) s += c->v[i][k];
        c->mean[k] = c->n ? s / c->n : NAN;
        for (int i = 0; i < c->n; i++) sq += (c->v[i][k] - c->mean[k]) * (c->v[i][k] - c->mean[k]);
        c->std[k] = c->n > 1 ? sqrt(sq / (c->n - 1)) : NAN; /* sample std, as for the table-only searches */
    }
}

/* "gdas, track_running_stats=0" */
static void cell_label(const AblationSpec *s, const AblationCell *cell, char *out, size_t len) {
    size_t n = (size_t)snprintf(out, len, "%s", cell->method);
    for (int k = 0; k < s->n_keys && n < len; k++)
        if (cell->values[k][0]) n += (size_t)snprintf(out + n, len - n, ", %s=%s", s->keys[k], cell->values[k]);
}

/* 1 if a cell leaves a switch key at its profile's value (a grid without that switch). */
static int any_key_unset(const AblationSpec *s) {
    for (int c = 0; c < s->n_cells; c++)
        for (int k = 0; k < s->n_keys; k++)
            if (!s->cells[c].values[k][0]) return 1;
    return 0;
}

/* The paper's rows of every method in the grid, once each, under the table: its layout without the
 * search time (the paper's search times are GPU hours, not comparable). */
static void write_paper_rows(const AblationSpec *s, FILE *f) {
    fprintf(f, "\nThe paper's rows (mean ± std; REFERENCE 9):\n\n| method | row |");
    for (int k = VALUE_COL0; k < N_VALUES; k++) fprintf(f, " %s |", value_label(k));
    fprintf(f, "\n|---|---|");
    for (int k = VALUE_COL0; k < N_VALUES; k++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (int c = 0; c < s->n_cells; c++) {
        int first = 1;
        for (int before = 0; before < c; before++) first &= strcmp(s->cells[before].method, s->cells[c].method) != 0;
        const Method *m = method_find(s->cells[c].method);
        for (int v = 0; first && m && v < PAPER_N_ROWS; v++) {
            fprintf(f, "| %s | %s |", m->name, PAPER_ROW_LABELS[v]);
            for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, " %.2f±%.2f |", m->paper[v].mean[k], m->paper[v].std[k]);
            fprintf(f, "\n");
        }
    }
}

static void write_markdown(const AblationSpec *s, const CellStats *cells, const char *path) {
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "# Ablation %s\n\n%d grid cell(s), %d run(s). Benchmark columns: the 200-epoch accuracy (%%) of the cell each "
               "run chose, mean ± sample std over the finished seeds (the paper's Table 5 layout); search time in seconds.%s\n\n| method |",
            s->name, s->n_cells, s->n_runs, any_key_unset(s) ? " A switch shown as -: the cell does not set it (its profile's value)." : "");
    for (int k = 0; k < s->n_keys; k++) fprintf(f, " %s |", s->keys[k]);
    fprintf(f, " seeds |");
    for (int k = 0; k < N_VALUES; k++) fprintf(f, " %s |", value_label(k));
    fprintf(f, "\n|---|");
    for (int k = 0; k < s->n_keys + 1 + N_VALUES; k++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (int cell = 0; cell < s->n_cells; cell++) {
        const CellStats *c = &cells[cell];
        const AblationCell *a = &s->cells[cell];
        fprintf(f, "| %s |", a->method);
        for (int k = 0; k < s->n_keys; k++) fprintf(f, " %s |", a->values[k][0] ? a->values[k] : "-");
        fprintf(f, " %d/%d |", c->n, a->n_seeds);
        for (int k = 0; k < N_VALUES; k++) {
            const char *fmt = k == VALUE_SECONDS ? "%.1f" : "%.2f";
            fprintf(f, " ");
            if (c->n == 0) fprintf(f, "–");
            else fprintf(f, fmt, c->mean[k]);
            if (c->n > 1) fprintf(f, "±"), fprintf(f, fmt, c->std[k]);
            fprintf(f, " |");
        }
        fprintf(f, "\n");
    }
    write_paper_rows(s, f);
    fclose(f);
    atomic_write_file(path, buf, len);
    free(buf);
}

static void write_csv(const AblationSpec *s, const CellStats *cells, const char *path) {
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "method");
    for (int k = 0; k < s->n_keys; k++) fprintf(f, ",%s", s->keys[k]);
    fprintf(f, ",seeds_finished,seeds_planned");
    for (int k = 0; k < N_VALUES; k++) fprintf(f, ",%s_mean,%s_std", value_key(k), value_key(k));
    fprintf(f, "\n");
    for (int cell = 0; cell < s->n_cells; cell++) {
        const CellStats *c = &cells[cell];
        const AblationCell *a = &s->cells[cell];
        fprintf(f, "%s", a->method);
        for (int k = 0; k < s->n_keys; k++) fprintf(f, ",%s", a->values[k]);
        fprintf(f, ",%d,%d", c->n, a->n_seeds);
        for (int k = 0; k < N_VALUES; k++) {
            if (c->n > 0) fprintf(f, ",%.6f", c->mean[k]);
            else fprintf(f, ",");
            if (c->n > 1) fprintf(f, ",%.6f", c->std[k]);
            else fprintf(f, ",");
        }
        fprintf(f, "\n");
    }
    fclose(f);
    atomic_write_file(path, buf, len);
    free(buf);
}

/* One panel per test column: a bar per cell at its mean, whiskers at mean ± std. */
static int write_bar_chart(const AblationSpec *s, const CellStats *cells, const char *path) {
    int n = s->n_cells, w = 1500, h = 560, scale = 2;
    static const int COLS[3] = {VALUE_COL0 + COL_C10_TEST, VALUE_COL0 + COL_C100_TEST, VALUE_COL0 + COL_IN16_TEST};
    static char labels[PLOT_MAX_RUNS][160];
    LegendEntry legend[PLOT_MAX_RUNS];
    int n_legend = n < PLOT_MAX_RUNS ? n : PLOT_MAX_RUNS;
    for (int cell = 0; cell < n_legend; cell++) {
        cell_label(s, &s->cells[cell], labels[cell], sizeof labels[cell]);
        legend[cell] = (LegendEntry){.label = labels[cell], .color = chart_palette(cell), .marker = MARKER_SQUARE,
                                     .style = LEGEND_BOX};
    }
    Canvas c = canvas_new(w, h, CHART_WHITE);
    char title[160], err[600];
    snprintf(title, sizeof title, "Ablation %s: 200-epoch test accuracy of the chosen cell, mean and std over seeds", s->name);
    int top = chart_figure_header(&c, title, legend, n_legend, scale);
    Panel panels[3];
    chart_grid(&c, top, 1, 3, scale, panels);
    for (int d = 0; d < 3; d++) {
        Panel *p = &panels[d];
        double hi = 1;
        for (int cell = 0; cell < n; cell++)
            if (cells[cell].n) hi = fmax(hi, cells[cell].mean[COLS[d]] + (cells[cell].n > 1 ? cells[cell].std[COLS[d]] : 0));
        p->ymin = 0, p->ymax = hi;
        p->ystep = chart_nice_range(&p->ymin, &p->ymax, 6, 0);
        p->xmin = -0.5, p->xmax = n - 0.5, p->xstep = 0;
        chart_axes(&c, p, value_label(COLS[d]), "grid cell (see legend)", "accuracy (%)", scale);
        double half = 0.35 * (p->x1 - p->x0) / n;
        for (int cell = 0; cell < n; cell++) {
            const CellStats *cs = &cells[cell];
            if (!cs->n) continue;
            double x = panel_px(p, cell), m = cs->mean[COLS[d]];
            canvas_fill_rect(&c, (int)lround(x - half), (int)lround(panel_py(p, m)), (int)lround(x + half) + 1, p->y1, chart_palette(cell));
            if (cs->n < 2) continue;
            double lo = panel_py(p, m - cs->std[COLS[d]]), up = panel_py(p, m + cs->std[COLS[d]]);
            canvas_line(&c, x, lo, x, up, scale, 0, CHART_BLACK);
            canvas_line(&c, x - half / 2, lo, x + half / 2, lo, scale, 0, CHART_BLACK);
            canvas_line(&c, x - half / 2, up, x + half / 2, up, scale, 0, CHART_BLACK);
        }
    }
    int rc = canvas_write_png(&c, path, err, sizeof err);
    if (rc != 0) fprintf(stderr, "%s\n", err);
    canvas_free(&c);
    return rc;
}

/* Every run that has an epochs.csv, one line each. */
static int write_derivation(const AblationSpec *s, const char *runs_dir, const char *path) {
    static RunEpochs runs[PLOT_MAX_RUNS];
    char dir[ABL_PATH + 300], csv[ABL_PATH + 320], err[600];
    int n = 0, rc = 0;
    struct stat st;
    for (int i = 0; i < s->n_runs && n < PLOT_MAX_RUNS; i++) {
        const char *name = s->runs[i].name;
        snprintf(dir, sizeof dir, "%s/%s", runs_dir, name);
        snprintf(csv, sizeof csv, "%s/epochs.csv", dir);
        if (stat(csv, &st) != 0) continue;
        if (epochs_csv_read(dir, &runs[n], err, sizeof err) != 0) {
            fprintf(stderr, "warning: %s left out of the derivation chart: %s\n", name, err);
            continue;
        }
        n++;
    }
    PlotOptions opt = plot_options_default();
    if (n > 0 && plot_derivation(runs, n, &opt, path, NULL, err, sizeof err) != 0) fprintf(stderr, "%s\n", err), rc = -1;
    for (int i = 0; i < n; i++) run_epochs_free(&runs[i]);
    return rc;
}

int ablation_report(const AblationSpec *s, const char *out_dir) {
    CellStats *cells = sn_alloc(sizeof *cells * (size_t)s->n_cells);
    char runs_dir[ABL_PATH + 8], dir[ABL_PATH + 300], path[ABL_PATH + 32];
    snprintf(runs_dir, sizeof runs_dir, "%s/runs", out_dir);
    for (int i = 0; i < s->n_runs; i++) {
        CellStats *c = &cells[s->runs[i].cell];
        snprintf(dir, sizeof dir, "%s/%s", runs_dir, s->runs[i].name);
        c->n += read_summary(dir, c->v[c->n]);
    }
    for (int cell = 0; cell < s->n_cells; cell++) cell_stats(&cells[cell]);
    snprintf(path, sizeof path, "%s/summary.md", out_dir);
    write_markdown(s, cells, path);
    snprintf(path, sizeof path, "%s/summary.csv", out_dir);
    write_csv(s, cells, path);
    snprintf(path, sizeof path, "%s/summary.png", out_dir);
    int rc = write_bar_chart(s, cells, path);
    snprintf(path, sizeof path, "%s/derivation.png", out_dir);
    rc |= write_derivation(s, runs_dir, path);
    sn_free(cells);
    return rc ? -1 : 0;
}
