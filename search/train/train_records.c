/* train_records.c: epochs.csv / epochs.jsonl of a training run and its curve.png (see train_records.h). */
#define _POSIX_C_SOURCE 200809L
#include "train/train_records.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "common.h"
#include "plot/chart.h"
#include "run/epoch_record.h" /* EPOCHS_MAX_FILE_BYTES */
#include "run/run_dir.h"
#include "run/run_log.h"
#include "whole_file.h"

#define CSV_HEADER "epoch,seconds,lr,train_loss,train_acc,valid_loss,valid_acc,test_loss,test_acc\n"
#define CSV_FIELDS 9

static void path_of(char *out, size_t n, const char *dir, const char *file) { snprintf(out, n, "%s/%s", dir, file); }

void train_records_create(const char *dir) {
    char path[4200];
    path_of(path, sizeof path, dir, RUN_EPOCHS_CSV), atomic_write_file(path, CSV_HEADER, strlen(CSV_HEADER));
    path_of(path, sizeof path, dir, RUN_EPOCHS_JSONL), atomic_write_file(path, "", 0);
}

/* A value as the CSV writes it: empty when absent. */
static void csv_value(FILE *f, double v) {
    if (isnan(v)) fputs(",", f);
    else fprintf(f, ",%.10g", v);
}

static void json_value(FILE *f, const char *key, double v) {
    if (isnan(v)) fprintf(f, ", \"%s\": null", key);
    else fprintf(f, ", \"%s\": %.10g", key, v);
}

static void append(const char *dir, const char *file, const char *text, size_t len) {
    char path[4200];
    path_of(path, sizeof path, dir, file);
    run_log_append_text(path, text, len);
}

void train_records_append(const char *dir, const TrainRecord *r) {
    char *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    fprintf(f, "%d,%.3f,%.10g,%.10g,%.10g", r->epoch, r->seconds, r->lr, r->train_loss, r->train_acc);
    for (int k = 0; k < TRAIN_N_EVALS; k++) csv_value(f, r->loss[k]), csv_value(f, r->acc[k]);
    fputs("\n", f);
    fclose(f);
    append(dir, RUN_EPOCHS_CSV, text, len);
    free(text);
    f = open_memstream(&text, &len);
    fprintf(f, "{\"epoch\": %d, \"seconds\": %.3f, \"lr\": %.10g, \"train_loss\": %.10g, \"train_acc\": %.10g", r->epoch,
            r->seconds, r->lr, r->train_loss, r->train_acc);
    for (int k = 0; k < TRAIN_N_EVALS; k++) {
        char key[32];
        snprintf(key, sizeof key, "%s_loss", TRAIN_EVAL_NAMES[k]), json_value(f, key, r->loss[k]);
        snprintf(key, sizeof key, "%s_acc", TRAIN_EVAL_NAMES[k]), json_value(f, key, r->acc[k]);
    }
    fputs("}\n", f);
    fclose(f);
    append(dir, RUN_EPOCHS_JSONL, text, len);
    free(text);
}

void train_records_truncate(const char *dir, int n) {
    char path[4200];
    path_of(path, sizeof path, dir, RUN_EPOCHS_CSV), run_log_keep_lines(path, n + 1);
    path_of(path, sizeof path, dir, RUN_EPOCHS_JSONL), run_log_keep_lines(path, n);
}

/* One CSV line into r; 0, or -1 when it does not have the columns. */
static int parse_line(char *line, TrainRecord *r) {
    double v[CSV_FIELDS];
    char *p = line;
    for (int k = 0; k < CSV_FIELDS; k++) {
        char *end;
        v[k] = *p == ',' || *p == '\0' ? NAN : strtod(p, &end);
        if (!isnan(v[k])) p = end;
        if (k + 1 < CSV_FIELDS && *p++ != ',') return -1;
    }
    if (*p != '\0' || isnan(v[0])) return -1;
    *r = (TrainRecord){.epoch = (int)v[0], .seconds = v[1], .lr = v[2], .train_loss = v[3], .train_acc = v[4],
                       .loss = {v[5], v[7]}, .acc = {v[6], v[8]}};
    return 0;
}

int train_records_read(const char *dir, TrainRecord **out, int *n, char *err, size_t err_len) {
    char path[4200], why[256];
    size_t len;
    path_of(path, sizeof path, dir, RUN_EPOCHS_CSV);
    char *text = read_whole_file(path, EPOCHS_MAX_FILE_BYTES, &len, why, sizeof why);
    if (!text) return snprintf(err, err_len, "%s: %s", path, why), -1;
    if (strncmp(text, CSV_HEADER, strlen(CSV_HEADER)) != 0) {
        free(text);
        return snprintf(err, err_len, "%s: line 1: not the header of a supernet train run", path), -1;
    }
    int cap = 16, count = 0, line_no = 1;
    TrainRecord *r = malloc(sizeof *r * (size_t)cap);
    for (char *line = text + strlen(CSV_HEADER), *next; *line; line = next) {
        next = strchr(line, '\n');
        if (!next) break; /* a line without its newline was never completely written */
        *next++ = '\0';
        line_no++;
        if (count == cap) r = realloc(r, sizeof *r * (size_t)(cap *= 2));
        if (parse_line(line, &r[count]) != 0) {
            free(text), free(r);
            return snprintf(err, err_len, "%s: line %d: not a record of %d columns", path, line_no, CSV_FIELDS), -1;
        }
        count++;
    }
    free(text);
    *out = r, *n = count;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * curve.png */

typedef struct {
    double x[1024], y[1024];
    int n;
} Series;

static void range_of(const TrainRecord *r, int n, int acc, double extra, double *lo, double *hi) {
    *lo = INFINITY, *hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        double v[3] = {acc ? r[i].train_acc : r[i].train_loss, acc ? r[i].acc[0] : r[i].loss[0],
                       acc ? r[i].acc[1] : r[i].loss[1]};
        for (int k = 0; k < 3; k++)
            if (!isnan(v[k])) *lo = fmin(*lo, v[k]), *hi = fmax(*hi, v[k]);
    }
    if (!isnan(extra)) *lo = fmin(*lo, extra), *hi = fmax(*hi, extra);
    if (*lo > *hi) *lo = 0, *hi = 1;
}

/* Series k of a panel: 0 training, 1 + e evaluation e; the last n records (at most 1024). */
static Series series_of(const TrainRecord *r, int n, int acc, int k) {
    Series s = {.n = 0};
    for (int i = n > 1024 ? n - 1024 : 0; i < n; i++) {
        double v = k == 0 ? (acc ? r[i].train_acc : r[i].train_loss) : (acc ? r[i].acc[k - 1] : r[i].loss[k - 1]);
        s.x[s.n] = r[i].epoch + 1, s.y[s.n++] = v;
    }
    return s;
}

static void draw_panel(Canvas *c, Panel *p, const TrainRecord *r, int n, int acc, double table_acc, int scale) {
    p->xmin = 1, p->xmax = n > 1 ? r[n - 1].epoch + 1 : 2;
    p->xstep = chart_nice_range(&p->xmin, &p->xmax, 6, 1);
    range_of(r, n, acc, acc ? table_acc : NAN, &p->ymin, &p->ymax);
    p->ystep = chart_nice_range(&p->ymin, &p->ymax, 5, 0);
    chart_axes(c, p, acc ? "top-1 accuracy" : "cross-entropy loss", "epoch", acc ? "accuracy (%)" : "loss", scale);
    if (n == 0) chart_note(c, p, "no epochs yet", scale);
    for (int k = 0; k < 1 + TRAIN_N_EVALS; k++) {
        Series *s = malloc(sizeof *s);
        *s = series_of(r, n, acc, k);
        chart_series(c, p, s->x, s->y, s->n, chart_palette(k), scale, (MarkerShape)k, 2 * scale + 2);
        free(s);
    }
    if (acc && !isnan(table_acc)) chart_hline(c, p, table_acc, CHART_GREY, scale);
}

void train_curve_draw(const char *dir, const TrainRecord *r, int n, const char *title, double table_acc,
                      const char *table_label) {
    int w = 1200, h = 520, scale = chart_text_scale(w, h);
    Canvas c = canvas_new(w, h, CHART_WHITE);
    LegendEntry legend[2 + TRAIN_N_EVALS] = {{"train", chart_palette(0), MARKER_CIRCLE, LEGEND_LINE},
                                             {"valid", chart_palette(1), MARKER_SQUARE, LEGEND_LINE},
                                             {"test", chart_palette(2), MARKER_TRIANGLE, LEGEND_LINE},
                                             {table_label, CHART_GREY, MARKER_CIRCLE, LEGEND_DASHED}};
    int top = chart_figure_header(&c, title, legend, isnan(table_acc) ? 1 + TRAIN_N_EVALS : 2 + TRAIN_N_EVALS, scale);
    Panel panels[2];
    chart_grid(&c, top, 1, 2, scale, panels);
    draw_panel(&c, &panels[0], r, n, 0, NAN, scale);
    draw_panel(&c, &panels[1], r, n, 1, table_acc, scale);
    char path[4200], err[256];
    path_of(path, sizeof path, dir, "curve.png");
    if (canvas_write_png(&c, path, err, sizeof err) != 0) fprintf(stderr, "warning: %s\n", err);
    canvas_free(&c);
}
