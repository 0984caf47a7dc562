/*
 * plot.c: the derivation, alpha, ops and ranking charts of search runs (plot.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "plot/plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* The benchmark's best 200-epoch accuracy per dataset (valid, test): `supernet query --best` on
 * data/nasbench201.sntab (README, "supernet query"). acc_* index EpochRecord.acc (TableColumn). */
static const struct {
    const char *name;
    int acc_valid, acc_test;
    double best_valid, best_test;
} DATASETS[3] = {
    {"CIFAR-10", COL_C10_VALID, COL_C10_TEST, 91.61, 94.37},
    {"CIFAR-100", COL_C100_VALID, COL_C100_TEST, 73.49, 73.51},
    {"ImageNet16-120", COL_IN16_VALID, COL_IN16_TEST, 46.73, 47.31},
};

/* Ops: grey for none, then red for skip_connect (the collapse should stand out), green, blue, orange. */
static const Color OP_COLORS[ARCH_N_OPS] = {{150, 150, 150}, {215, 48, 39}, {0, 150, 60}, {0, 90, 181}, {240, 150, 0}};

Color plot_run_color(int i) { return chart_palette(i); }
MarkerShape plot_run_marker(int i) { return (MarkerShape)(i % MARKER_COUNT); }
Color plot_op_color(int op) { return OP_COLORS[op]; }

PlotOptions plot_options_default(void) { return (PlotOptions){.datasets = PLOT_ALL_DATASETS}; }

/* Text scale from the canvas, limited so that one panel of width panel_w still fits its labels. */
static int figure_scale(int w, int h, int panel_w) {
    int s = chart_text_scale(w, h), fit = panel_w / 220;
    if (s > fit) s = fit;
    return s < 1 ? 1 : s;
}

static void epoch_range(const RunEpochs *runs, int n_runs, double *lo, double *hi) {
    *lo = INFINITY, *hi = -INFINITY;
    for (int r = 0; r < n_runs; r++)
        if (runs[r].n > 0) {
            *lo = fmin(*lo, runs[r].rec[0].epoch);
            *hi = fmax(*hi, runs[r].rec[runs[r].n - 1].epoch);
        }
    if (*lo > *hi) *lo = 0, *hi = 1;
}

/* Data range [lo, hi] on the x axis: whole epochs, ticks on multiples of 1, 2, 5, 10, ... */
static void set_epoch_axis(Panel *p, double lo, double hi) {
    p->xmin = lo, p->xmax = hi;
    p->xstep = chart_nice_range(&p->xmin, &p->xmax, 6, 1);
}

/* Marker size for points spaced `spacing` pixels apart: none when they would merge. */
static int marker_size(const Panel *p, int scale) {
    double spacing = (p->x1 - p->x0) / fmax(p->xmax - p->xmin, 1);
    return spacing >= 3 * scale + 4 ? 3 * scale + 2 : 0;
}

static void save_layout(PlotLayout *layout, const Panel *panels, int n) {
    if (!layout) return;
    layout->n = n;
    memcpy(layout->panel, panels, sizeof *panels * (size_t)n);
}

static int finish(Canvas *c, const char *png, char *err, size_t err_len) {
    int rc = canvas_write_png(c, png, err, err_len);
    canvas_free(c);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Derivation: accuracy of the derived cell per epoch, one panel per dataset.
 */
static void derivation_panel(Canvas *c, Panel *p, const RunEpochs *runs, int n_runs, int d, int valid, int scale) {
    int col = valid ? DATASETS[d].acc_valid : DATASETS[d].acc_test;
    double best = valid ? DATASETS[d].best_valid : DATASETS[d].best_test, lo = best, hi = best, e_lo, e_hi;
    for (int r = 0; r < n_runs; r++)
        for (int i = 0; i < runs[r].n; i++)
            if (isfinite(runs[r].rec[i].acc[col])) lo = fmin(lo, runs[r].rec[i].acc[col]), hi = fmax(hi, runs[r].rec[i].acc[col]);
    p->ymin = lo, p->ymax = hi;
    p->ystep = chart_nice_range(&p->ymin, &p->ymax, 6, 0);
    epoch_range(runs, n_runs, &e_lo, &e_hi);
    set_epoch_axis(p, e_lo, e_hi);
    char title[64];
    snprintf(title, sizeof title, "%s %s (best %.2f)", DATASETS[d].name, valid ? "valid" : "test", best);
    chart_axes(c, p, title, "search epoch", "accuracy (%)", scale);
    int ms = marker_size(p, scale), points = 0;
    for (int r = 0; r < n_runs; r++) points += runs[r].n;
    if (points == 0) chart_note(c, p, "no epochs yet", scale);
    for (int r = 0; r < n_runs; r++) {
        double x[runs[r].n > 0 ? runs[r].n : 1], y[runs[r].n > 0 ? runs[r].n : 1];
        for (int i = 0; i < runs[r].n; i++) x[i] = runs[r].rec[i].epoch, y[i] = runs[r].rec[i].acc[col];
        chart_series(c, p, x, y, runs[r].n, plot_run_color(r), scale, plot_run_marker(r), ms);
    }
    chart_hline(c, p, best, CHART_GREY, scale);
}

int plot_derivation(const RunEpochs *runs, int n_runs, const PlotOptions *opt, const char *png, PlotLayout *layout,
                    char *err, size_t err_len) {
    int sets[3], n_panels = 0;
    for (int d = 0; d < 3; d++)
        if (opt->datasets & (1 << d)) sets[n_panels++] = d;
    if (n_panels == 0 || n_runs < 1 || n_runs > PLOT_MAX_RUNS) {
        snprintf(err, err_len, "derivation chart: need 1 to %d runs and at least one dataset", PLOT_MAX_RUNS);
        return -1;
    }
    int w = opt->width ? opt->width : 500 * n_panels, h = opt->height ? opt->height : 500;
    Canvas c = canvas_new(w, h, CHART_WHITE);
    int scale = figure_scale(w, h, w / n_panels);
    LegendEntry legend[PLOT_MAX_RUNS + 1];
    for (int r = 0; r < n_runs; r++)
        legend[r] = (LegendEntry){.label = runs[r].label, .color = plot_run_color(r), .marker = plot_run_marker(r),
                                  .style = LEGEND_LINE};
    legend[n_runs] = (LegendEntry){.label = "best cell in the table", .color = CHART_GREY, .marker = MARKER_CIRCLE,
                                   .style = LEGEND_DASHED};
    char title[160];
    snprintf(title, sizeof title, "Derived cell after each search epoch: its 200-epoch %s accuracy in NAS-Bench-201",
             opt->valid ? "validation" : "test");
    int top = chart_figure_header(&c, title, legend, n_runs + 1, scale);
    Panel panels[3];
    chart_grid(&c, top, 1, n_panels, scale, panels);
    for (int k = 0; k < n_panels; k++) derivation_panel(&c, &panels[k], runs, n_runs, sets[k], opt->valid, scale);
    save_layout(layout, panels, n_panels);
    return finish(&c, png, err, err_len);
}

/* ---------------------------------------------------------------------------------------------
 * Alpha: op probabilities per edge.
 */
static void op_legend(LegendEntry legend[ARCH_N_OPS], LegendStyle style) {
    for (int k = 0; k < ARCH_N_OPS; k++)
        legend[k] = (LegendEntry){.label = ARCH_OP_NAMES[k], .color = OP_COLORS[k], .marker = MARKER_CIRCLE, .style = style};
}

int plot_alpha(const RunEpochs *run, const PlotOptions *opt, const char *png, PlotLayout *layout, char *err, size_t err_len) {
    int w = opt->width ? opt->width : 1500, h = opt->height ? opt->height : 900;
    Canvas c = canvas_new(w, h, CHART_WHITE);
    int scale = figure_scale(w, h, w / 3);
    LegendEntry legend[ARCH_N_OPS];
    op_legend(legend, LEGEND_LINE);
    char title[200];
    snprintf(title, sizeof title, "%s: probability of each op on each edge, per search epoch", run->label);
    int top = chart_figure_header(&c, title, legend, ARCH_N_OPS, scale);
    Panel panels[ARCH_N_EDGES];
    chart_grid(&c, top, 2, 3, scale, panels);
    /* One y range for all panels, fitted to the data: early in a search every p is near 0.2. */
    double lo = INFINITY, hi = -INFINITY, e_lo, e_hi, x[run->n > 0 ? run->n : 1], y[run->n > 0 ? run->n : 1];
    for (int i = 0; i < run->n; i++)
        for (int e = 0; e < ARCH_N_EDGES; e++)
            for (int k = 0; k < ARCH_N_OPS; k++)
                if (isfinite(run->rec[i].p[e][k])) lo = fmin(lo, run->rec[i].p[e][k]), hi = fmax(hi, run->rec[i].p[e][k]);
    int has_p = lo <= hi;
    epoch_range(run, 1, &e_lo, &e_hi);
    for (int e = 0; e < ARCH_N_EDGES; e++) {
        Panel *p = &panels[e];
        p->ymin = has_p ? lo : 0, p->ymax = has_p ? hi : 1;
        p->ystep = chart_nice_range(&p->ymin, &p->ymax, 5, 0);
        if (p->ymin < 0) p->ymin = 0;
        set_epoch_axis(p, e_lo, e_hi);
        char edge[48];
        snprintf(edge, sizeof edge, "edge %d: node %d <- node %d", e, arch_edge_to(e), arch_edge_from(e));
        chart_axes(&c, p, edge, "search epoch", "probability", scale);
        if (!has_p) chart_note(&c, p, "no op probabilities recorded", scale);
        for (int k = 0; k < ARCH_N_OPS; k++) {
            for (int i = 0; i < run->n; i++) x[i] = run->rec[i].epoch, y[i] = run->rec[i].p[e][k];
            chart_series(&c, p, x, y, run->n, OP_COLORS[k], scale, MARKER_CIRCLE, 0);
        }
    }
    save_layout(layout, panels, ARCH_N_EDGES);
    return finish(&c, png, err, err_len);
}

/* ---------------------------------------------------------------------------------------------
 * Ops: number of edges per op in the derived cell, stacked bars per epoch.
 */
/* A bar spans the epoch +- half_epochs; 0.5 makes neighbouring bars share their edges (no gaps). */
static void ops_bar(Canvas *c, const Panel *p, const EpochRecord *r, double half_epochs) {
    Arch a = arch_from_code(r->code);
    int count[ARCH_N_OPS] = {0}, base = 0;
    for (int e = 0; e < ARCH_N_EDGES; e++) count[a.op[e]]++;
    int left = (int)lround(panel_px(p, r->epoch - half_epochs)), right = (int)lround(panel_px(p, r->epoch + half_epochs));
    for (int k = 0; k < ARCH_N_OPS; k++) {
        if (!count[k]) continue;
        int y_top = (int)lround(panel_py(p, base + count[k])), y_bottom = (int)lround(panel_py(p, base));
        canvas_fill_rect(c, left, y_top, right > left ? right : left + 1, y_bottom + 1, OP_COLORS[k]);
        base += count[k];
    }
}

int plot_ops(const RunEpochs *run, const PlotOptions *opt, const char *png, PlotLayout *layout, char *err, size_t err_len) {
    int w = opt->width ? opt->width : 900, h = opt->height ? opt->height : 500;
    Canvas c = canvas_new(w, h, CHART_WHITE);
    int scale = figure_scale(w, h, w);
    LegendEntry legend[ARCH_N_OPS];
    op_legend(legend, LEGEND_BOX);
    char title[200];
    snprintf(title, sizeof title, "%s: ops in the derived cell after each search epoch", run->label);
    int top = chart_figure_header(&c, title, legend, ARCH_N_OPS, scale);
    Panel p;
    chart_grid(&c, top, 1, 1, scale, &p);
    double e_lo, e_hi;
    epoch_range(run, 1, &e_lo, &e_hi);
    set_epoch_axis(&p, e_lo, e_hi);
    p.xmin = e_lo - 0.5, p.xmax = e_hi + 0.5; /* whole bars at both ends */
    p.ymin = 0, p.ymax = ARCH_N_EDGES, p.ystep = 1;
    chart_axes(&c, &p, NULL, "search epoch", "edges with the op", scale);
    double spacing = (p.x1 - p.x0) / (p.xmax - p.xmin); /* pixels per epoch */
    double half = spacing >= 6 ? 0.4 : 0.5;
    for (int i = 0; i < run->n; i++)
        if (run->rec[i].code >= 0) ops_bar(&c, &p, &run->rec[i], half);
    if (run->n == 0) chart_note(&c, &p, "no epochs yet", scale);
    save_layout(layout, &p, 1);
    return finish(&c, png, err, err_len);
}

int plot_has_ranking(const RunEpochs *run) {
    for (int i = 0; i < run->n; i++)
        if (!isnan(run->rec[i].kendall_tau)) return 1;
    return 0;
}

int plot_ranking(const RunEpochs *run, const PlotOptions *opt, const char *png, PlotLayout *layout, char *err, size_t err_len) {
    int w = opt->width ? opt->width : 900, h = opt->height ? opt->height : 500, n = 0;
    Canvas c = canvas_new(w, h, CHART_WHITE);
    int scale = figure_scale(w, h, w);
    double *x = sn_alloc(sizeof(double) * (size_t)(run->n + 1)), *tau = sn_alloc(sizeof(double) * (size_t)(run->n + 1));
    double *rho = sn_alloc(sizeof(double) * (size_t)(run->n + 1));
    for (int i = 0; i < run->n; i++)
        if (!isnan(run->rec[i].kendall_tau))
            x[n] = run->rec[i].epoch, tau[n] = run->rec[i].kendall_tau, rho[n++] = run->rec[i].spearman_rho;
    LegendEntry legend[2] = {{"Kendall tau-b", chart_palette(0), MARKER_CIRCLE, LEGEND_LINE},
                             {"Spearman rho", chart_palette(1), MARKER_SQUARE, LEGEND_LINE}};
    char title[200];
    snprintf(title, sizeof title, "%s: the supernet's ranking of sampled cells against the benchmark", run->label);
    int top = chart_figure_header(&c, title, legend, 2, scale);
    Panel p;
    chart_grid(&c, top, 1, 1, scale, &p);
    double e_lo, e_hi;
    epoch_range(run, 1, &e_lo, &e_hi);
    set_epoch_axis(&p, e_lo, e_hi);
    p.ymin = 0, p.ymax = 0;
    for (int i = 0; i < n; i++) p.ymin = fmin(p.ymin, fmin(tau[i], rho[i])), p.ymax = fmax(p.ymax, fmax(tau[i], rho[i]));
    p.ystep = chart_nice_range(&p.ymin, &p.ymax, 6, 0);
    chart_axes(&c, &p, NULL, "search epoch", "correlation with the table", scale);
    chart_hline(&c, &p, 0.0, chart_palette(7), scale);
    chart_series(&c, &p, x, tau, n, chart_palette(0), scale + 1, MARKER_CIRCLE, marker_size(&p, scale));
    chart_series(&c, &p, x, rho, n, chart_palette(1), scale + 1, MARKER_SQUARE, marker_size(&p, scale));
    if (n == 0) chart_note(&c, &p, "no ranking measured (rank_every = 0)", scale);
    sn_free(x), sn_free(tau), sn_free(rho);
    save_layout(layout, &p, 1);
    return finish(&c, png, err, err_len);
}

/* ---------------------------------------------------------------------------------------------
 * Refresh after an epoch.
 */
int plot_run_refresh(const char *rundir) {
    static const char *const FILES[4] = {"derivation.png", "alpha.png", "ops.png", "ranking.png"};
    char err[600], path[4096];
    RunEpochs log;
    if (epochs_csv_read(rundir, &log, err, sizeof err) != 0) {
        fprintf(stderr, "warning: plots not refreshed: %s\n", err);
        return -1;
    }
    PlotOptions opt = plot_options_default();
    int rc = 0;
    for (int k = 0; k < 4 && log.n > 0; k++) {
        if (k == 3 && !plot_has_ranking(&log)) break;
        snprintf(path, sizeof path, "%s/%s", rundir, FILES[k]);
        int ok = k == 0 ? plot_derivation(&log, 1, &opt, path, NULL, err, sizeof err)
               : k == 1 ? plot_alpha(&log, &opt, path, NULL, err, sizeof err)
               : k == 2 ? plot_ops(&log, &opt, path, NULL, err, sizeof err)
                        : plot_ranking(&log, &opt, path, NULL, err, sizeof err);
        if (ok != 0) {
            fprintf(stderr, "warning: plot not refreshed: %s\n", err);
            rc = -1;
        }
    }
    run_epochs_free(&log);
    return rc;
}
