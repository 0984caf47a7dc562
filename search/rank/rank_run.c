/*
 * rank_run.c: `supernet rank`: score the selected cells, compare the scores with the table, report
 * (see rank.h).
 *
 * precision@top-k: of the scorer's k best cells (k = 1 %, 5 %, 10 % of the scored cells, at least 1),
 * the fraction that are among the table's k best of the same cells. Ties in the score are broken by the
 * lower index, in the table by the lower index too.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <blis.h>
#include <omp.h>

#include "arch.h"
#include "atomic_file.h"
#include "common.h"
#include "plot/chart.h"
#include "rank/rank.h"
#include "rank/zero_cost.h"
#include "run/table_path.h"
#include "stats/correlation.h"

static const double TOP_FRACTIONS[] = {0.01, 0.05, 0.10};
enum { N_TOP = 3 };

/* The cost baselines: the parameter count or the multiply-adds of each cell's network. */
static void cost_scores(const RankArgs *a, int column, const Arch *cells, int n, double *score) {
    int classes, image_size, params = strcmp(a->scorer, "params") == 0;
    rank_table_network(column, &classes, &image_size);
    for (int i = 0; i < n; i++) {
        ArchCost cost = arch_cost(&cells[i], classes, image_size);
        score[i] = (double)(params ? cost.params : cost.macs);
    }
}

/* A scorer that is undefined for a cell (NaN) ranks it last. */
static void nan_last(double *score, int n) {
    for (int i = 0; i < n; i++)
        if (score[i] != score[i]) score[i] = -INFINITY;
}

static void score_cells(const RankArgs *a, int column, const Arch *cells, int n, double *score) {
    if (a->run_dir) rank_supernet_scores(a, column, cells, n, score);
    else if (zero_cost_find(a->scorer) >= 0) rank_zero_cost_scores(a, column, cells, n, score);
    else cost_scores(a, column, cells, n, score);
    nan_last(score, n);
}

static const char *scorer_name(const RankArgs *a) { return a->run_dir ? "supernet" : a->scorer; }

typedef struct {
    int n, *index;
    double *score, *acc200, *acc12;
} Scored;

typedef struct {
    double tau200, rho200, tau12, rho12, precision[N_TOP];
    int top_index, top_rank_scored, top_rank_all;
    double top_acc;
} RankResult;

void rank_table_network(int col, int *classes, int *image_size) {
    *classes = col == COL_C100_VALID || col == COL_C100_TEST ? 100 : col == COL_IN16_VALID || col == COL_IN16_TEST ? 120 : 10;
    *image_size = col == COL_IN16_VALID || col == COL_IN16_TEST ? 16 : 32;
}

static const double *sort_key;
static int by_key_desc(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    return sort_key[i] < sort_key[j] ? 1 : sort_key[i] > sort_key[j] ? -1 : i - j;
}

/* Positions 0..n-1 ordered best first by key (ties: lower position first, i.e. lower index). */
static int *order_by(const double *key, int n) {
    int *order = sn_alloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) order[i] = i;
    sort_key = key;
    qsort(order, (size_t)n, sizeof(int), by_key_desc);
    return order;
}

static RankResult compare(const Scored *s, const Table *t, TableColumn col) {
    RankResult r;
    r.tau200 = kendall_tau_b(s->score, s->acc200, s->n), r.rho200 = spearman_rho(s->score, s->acc200, s->n);
    r.tau12 = kendall_tau_b(s->score, s->acc12, s->n), r.rho12 = spearman_rho(s->score, s->acc12, s->n);
    int *by_score = order_by(s->score, s->n), *by_acc = order_by(s->acc200, s->n);
    char *in_table_top = sn_alloc((size_t)s->n);
    for (int f = 0; f < N_TOP; f++) {
        int k = (int)fmax(1, round(TOP_FRACTIONS[f] * s->n)), hits = 0;
        memset(in_table_top, 0, (size_t)s->n);
        for (int i = 0; i < k; i++) in_table_top[by_acc[i]] = 1;
        for (int i = 0; i < k; i++) hits += in_table_top[by_score[i]];
        r.precision[f] = (double)hits / k;
    }
    int top = by_score[0];
    r.top_index = s->index[top], r.top_acc = s->acc200[top];
    r.top_rank_scored = 1, r.top_rank_all = 1;
    for (int i = 0; i < s->n; i++) r.top_rank_scored += s->acc200[i] > r.top_acc;
    for (int i = 0; i < TABLE_N_ARCHS; i++) r.top_rank_all += table_arch(t, i)->acc200[col] > r.top_acc;
    sn_free(by_score), sn_free(by_acc), sn_free(in_table_top);
    return r;
}

static void write_json(FILE *f, const RankArgs *a, const Scored *s, const RankResult *r, double seconds) {
    fprintf(f, "{\"scorer\": \"%s\", \"cells\": \"%s\", \"n\": %d, \"dataset\": \"%s\", \"metric\": \"%s\", \"seconds\": %.3f, "
               "\"threads\": %d, \"seed\": %d",
            scorer_name(a), a->cells, s->n, a->dataset, a->metric, seconds, a->threads, a->seed);
    if (a->run_dir) fprintf(f, ", \"run\": \"%s\", \"bn_recalibrate\": %d", a->run_dir, a->bn_recalibrate);
    if (a->run_dir || zero_cost_find(a->scorer) >= 0) fprintf(f, ", \"images\": %d", a->images);
    fprintf(f, ", \"kendall_tau_200\": %.6f, \"spearman_rho_200\": %.6f, \"kendall_tau_12\": %.6f, \"spearman_rho_12\": %.6f",
            r->tau200, r->rho200, r->tau12, r->rho12);
    for (int f_ = 0; f_ < N_TOP; f_++) fprintf(f, ", \"precision_top_%g%%\": %.6f", 100 * TOP_FRACTIONS[f_], r->precision[f_]);
    fprintf(f, ", \"top_cell\": {\"index\": %d, \"accuracy_200\": %.4f, \"rank_among_scored\": %d, \"rank_in_table\": %d}}\n",
            r->top_index, r->top_acc, r->top_rank_scored, r->top_rank_all);
}

static void write_csv(FILE *f, const Scored *s) {
    fprintf(f, "index,score,accuracy_200,accuracy_12\n");
    for (int i = 0; i < s->n; i++) fprintf(f, "%d,%.10g,%.15g,%.15g\n", s->index[i], s->score[i], s->acc200[i], s->acc12[i]);
}

static void print_text(const RankArgs *a, const Scored *s, const RankResult *r, double seconds) {
    printf("scorer %s over %d cells (%s), %s %s, %.2f s\n", scorer_name(a), s->n, a->cells, a->dataset, a->metric, seconds);
    printf("  against 200-epoch accuracy: Kendall tau-b %.4f, Spearman rho %.4f\n", r->tau200, r->rho200);
    printf("  against 12-epoch accuracy:  Kendall tau-b %.4f, Spearman rho %.4f\n", r->tau12, r->rho12);
    printf("  precision@top-k:");
    for (int f = 0; f < N_TOP; f++) printf("  %g %%: %.3f", 100 * TOP_FRACTIONS[f], r->precision[f]);
    printf("\n  the scorer's top cell: index %d, %.2f %% (rank %d of the scored cells, %d of all %d)\n", r->top_index, r->top_acc,
           r->top_rank_scored, r->top_rank_all, TABLE_N_ARCHS);
}

/* Score against 200-epoch accuracy; the scorer's top 5 % in a second colour. */
static void draw(const char *path, const RankArgs *a, const Scored *s, const RankResult *r) {
    int w = 1000, h = 760, scale = chart_text_scale(w, h);
    Canvas c = canvas_new(w, h, CHART_WHITE);
    char title[200], xlabel[64], ylabel[96];
    snprintf(title, sizeof title, "%s over %d cells: Kendall %.3f, Spearman %.3f", scorer_name(a), s->n, r->tau200, r->rho200);
    snprintf(xlabel, sizeof xlabel, "%s score", scorer_name(a));
    snprintf(ylabel, sizeof ylabel, "%s %s accuracy, 200 epochs (%%)", a->dataset, a->metric);
    LegendEntry legend[2] = {{"cells", chart_palette(0), MARKER_CIRCLE, LEGEND_LINE},
                             {"the scorer's top 5 %", chart_palette(1), MARKER_CIRCLE, LEGEND_LINE}};
    int top = chart_figure_header(&c, title, legend, 2, scale);
    Panel p;
    chart_grid(&c, top, 1, 1, scale, &p);
    p.xmin = INFINITY, p.xmax = -INFINITY, p.ymin = INFINITY, p.ymax = -INFINITY;
    for (int i = 0; i < s->n; i++)
        p.xmin = fmin(p.xmin, s->score[i]), p.xmax = fmax(p.xmax, s->score[i]), p.ymin = fmin(p.ymin, s->acc200[i]),
        p.ymax = fmax(p.ymax, s->acc200[i]);
    p.xstep = chart_nice_range(&p.xmin, &p.xmax, 6, 0);
    p.ystep = chart_nice_range(&p.ymin, &p.ymax, 6, 0);
    chart_axes(&c, &p, NULL, xlabel, ylabel, scale);
    int *order = order_by(s->score, s->n), k = (int)fmax(1, round(0.05 * s->n));
    for (int i = s->n - 1; i >= 0; i--) /* the top cells drawn last, on top */
        chart_points(&c, &p, &s->score[order[i]], &s->acc200[order[i]], 1, chart_palette(i < k), MARKER_CIRCLE, scale + 1);
    sn_free(order);
    char err[256];
    if (canvas_write_png(&c, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
    canvas_free(&c);
}

static void write_file(const char *dir, const char *name, const char *text, size_t len) {
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    atomic_write_file(path, text, len);
}

int rank_run(const RankArgs *a) {
    int col = table_column_find(a->dataset, a->metric);
    if (col < 0) sn_die(SN_EXIT_USAGE, "--dataset %s has no %s column in the table (cifar10-valid: valid; cifar10: test)", a->dataset, a->metric);
    omp_set_num_threads(a->threads);
    bli_thread_set_num_threads(a->threads);
    Table *t = table_open(a->table);
    Scored s;
    s.index = rank_select_cells(a->cells, t, col, a->seed, &s.n);
    s.score = sn_alloc(sizeof(double) * (size_t)s.n), s.acc200 = sn_alloc(sizeof(double) * (size_t)s.n);
    s.acc12 = sn_alloc(sizeof(double) * (size_t)s.n);
    Arch *cells = sn_alloc(sizeof(Arch) * (size_t)s.n);
    for (int i = 0; i < s.n; i++) {
        const TableArch *row = table_arch(t, s.index[i]);
        cells[i] = arch_from_code(row->code);
        s.acc200[i] = row->acc200[col], s.acc12[i] = row->acc12[col];
    }
    double t0 = sn_now();
    score_cells(a, col, cells, s.n, s.score);
    double seconds = sn_now() - t0;
    sn_free(cells);
    RankResult r = compare(&s, t, (TableColumn)col);
    make_directories(a->out);
    char *text, png[4400];
    size_t len;
    FILE *f = open_memstream(&text, &len);
    write_csv(f, &s);
    fclose(f);
    write_file(a->out, "rank.csv", text, len);
    free(text);
    f = open_memstream(&text, &len);
    write_json(f, a, &s, &r, seconds);
    fclose(f);
    write_file(a->out, "rank.json", text, len);
    if (a->json) fputs(text, stdout);
    else print_text(a, &s, &r, seconds), printf("written: %s/rank.csv, rank.json, rank.png\n", a->out);
    free(text);
    snprintf(png, sizeof png, "%s/rank.png", a->out);
    draw(png, a, &s, &r);
    sn_free(s.index), sn_free(s.score), sn_free(s.acc200), sn_free(s.acc12);
    table_free(t);
    return 0;
}
