/*
 * chart.c: panels, ticks, axes, series and legends for the PNG charts (chart.h).
 */
#include "plot/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

const Color CHART_BLACK = {0, 0, 0}, CHART_WHITE = {255, 255, 255}, CHART_GRID = {225, 225, 225},
            CHART_GREY = {120, 120, 120};

/* Ten hues far apart in colour and lightness, so lines stay distinct side by side. */
static const Color PALETTE[10] = {
    {0, 90, 181},  {215, 48, 39},  {0, 150, 60},   {240, 150, 0},  {125, 60, 170},
    {0, 175, 195}, {150, 90, 40},  {230, 80, 170}, {100, 100, 100}, {160, 160, 0},
};

Color chart_palette(int i) { return PALETTE[((i % 10) + 10) % 10]; }

/* Layout units derived from the text scale: one character advance, text height, line height. */
#define ADV(s) (6 * (s))
#define TEXT_H(s) (7 * (s))
#define LINE_H(s) (9 * (s))
#define TICK_CHARS 6 /* room reserved for y tick values, in characters */

double panel_px(const Panel *p, double x) { return p->x0 + (x - p->xmin) / (p->xmax - p->xmin) * (p->x1 - 1 - p->x0); }

double panel_py(const Panel *p, double y) { return p->y1 - 1 - (y - p->ymin) / (p->ymax - p->ymin) * (p->y1 - 1 - p->y0); }

double chart_nice_range(double *lo, double *hi, int target, double min_step) {
    if (!(*hi > *lo)) {
        double v = *lo, pad = fmax(fabs(v) * 0.05, min_step > 0 ? min_step : 1e-6);
        *lo = v - pad, *hi = v + pad;
    }
    double raw = (*hi - *lo) / (target > 0 ? target : 1);
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    if (min_step > 0 && step < min_step) step = min_step;
    *lo = floor(*lo / step + 1e-9) * step;
    *hi = ceil(*hi / step - 1e-9) * step;
    return step;
}

int chart_text_scale(int w, int h) {
    int s = (w < 2 * h ? w : 2 * h) / 450;
    return s < 1 ? 1 : s > 4 ? 4 : s;
}

/* ---------------------------------------------------------------------------------------------
 * Header: title and legend.
 */
static int legend_entry_width(const LegendEntry *e, int scale) { return 4 * ADV(scale) + canvas_text_width(e->label, scale); }

static void legend_swatch(Canvas *c, const LegendEntry *e, int x, int y_mid, int scale) {
    if (e->style == LEGEND_DASHED) {
        canvas_line(c, x, y_mid, x + 2 * ADV(scale), y_mid, scale, 2 * scale, e->color);
        return;
    }
    if (e->style == LEGEND_BOX) {
        canvas_fill_rect(c, x + ADV(scale) / 2, y_mid - 3 * scale, x + ADV(scale) / 2 + 6 * scale, y_mid + 3 * scale, e->color);
        return;
    }
    canvas_line(c, x, y_mid, x + 2 * ADV(scale), y_mid, scale + 1, 0, e->color);
    canvas_marker(c, x + ADV(scale), y_mid, 4 * scale + 1, e->marker, e->color);
}

int chart_figure_header(Canvas *c, const char *title, const LegendEntry *legend, int n_legend, int scale) {
    int y = 2 * LINE_H(scale) / 3;
    if (title && title[0]) {
        canvas_text(c, (c->w - canvas_text_width(title, scale)) / 2, y, title, scale, 0, CHART_BLACK);
        y += LINE_H(scale) + 4 * scale;
    }
    int gap = 2 * ADV(scale), avail = c->w - 2 * ADV(scale);
    for (int first = 0; first < n_legend;) {
        int last = first, width = legend_entry_width(&legend[first], scale);
        while (last + 1 < n_legend && width + gap + legend_entry_width(&legend[last + 1], scale) <= avail)
            width += gap + legend_entry_width(&legend[++last], scale);
        int x = (c->w - width) / 2;
        for (int i = first; i <= last; i++) {
            legend_swatch(c, &legend[i], x, y + TEXT_H(scale) / 2, scale);
            canvas_text(c, x + 3 * ADV(scale), y, legend[i].label, scale, 0, CHART_BLACK);
            x += legend_entry_width(&legend[i], scale) + gap;
        }
        y += LINE_H(scale) + 2 * scale;
        first = last + 1;
    }
    return y + 2 * scale;
}

/* ---------------------------------------------------------------------------------------------
 * Panels and axes.
 */
void chart_grid(const Canvas *c, int top, int rows, int cols, int scale, Panel *panels) {
    int left = 4 * scale + LINE_H(scale) + 4 * scale + TICK_CHARS * ADV(scale) + 4 * scale;
    int right = 3 * ADV(scale), above = LINE_H(scale) + 6 * scale;
    int below = 4 * scale + LINE_H(scale) + 4 * scale + LINE_H(scale) + 4 * scale;
    double cell_w = (double)c->w / cols, cell_h = (double)(c->h - top) / rows;
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < cols; k++) {
            Panel *p = &panels[r * cols + k];
            memset(p, 0, sizeof *p);
            p->x0 = (int)(k * cell_w) + left;
            p->x1 = (int)((k + 1) * cell_w) - right;
            p->y0 = top + (int)(r * cell_h) + above;
            p->y1 = top + (int)((r + 1) * cell_h) - below;
            if (p->x1 <= p->x0) p->x1 = p->x0 + 1;
            if (p->y1 <= p->y0) p->y1 = p->y0 + 1;
            p->xmin = 0, p->xmax = 1, p->ymin = 0, p->ymax = 1, p->xstep = 1, p->ystep = 1;
        }
}

static void format_tick(char *out, size_t len, double v, double step) {
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (fabs(v) < step * 1e-6) v = 0; /* no "-0" */
    snprintf(out, len, "%.*f", decimals, v);
}

/* Ticks sit at the multiples of `step` within [lo, hi]: the first is *first, the count returned. */
static int ticks(double lo, double hi, double step, double *first) {
    *first = ceil(lo / step - 1e-6) * step;
    return (int)floor((hi - *first) / step + 1e-6) + 1;
}

static void axes_x_ticks(Canvas *c, const Panel *p, int scale) {
    if (p->xstep <= 0) return;
    double first;
    int n = ticks(p->xmin, p->xmax, p->xstep, &first);
    char label[32];
    format_tick(label, sizeof label, p->xmax, p->xstep);
    double spacing = n > 1 ? (p->x1 - p->x0) / (double)(n - 1) : 1e9;
    int stride = (int)ceil((canvas_text_width(label, scale) + 2 * ADV(scale)) / spacing);
    for (int k = 0; k < n; k++) {
        double v = first + k * p->xstep;
        int x = (int)lround(panel_px(p, v));
        canvas_line(c, x, p->y0, x, p->y1 - 1, 1, 0, CHART_GRID);
        canvas_line(c, x, p->y1, x, p->y1 + 2 * scale, 1, 0, CHART_BLACK);
        if (k % (stride > 0 ? stride : 1) != 0) continue;
        format_tick(label, sizeof label, v, p->xstep);
        canvas_text(c, x - canvas_text_width(label, scale) / 2, p->y1 + 4 * scale, label, scale, 0, CHART_BLACK);
    }
}

static void axes_y_ticks(Canvas *c, const Panel *p, int scale) {
    double first;
    int n = ticks(p->ymin, p->ymax, p->ystep, &first);
    double spacing = n > 1 ? (p->y1 - p->y0) / (double)(n - 1) : 1e9;
    int stride = (int)ceil((LINE_H(scale) + 2 * scale) / spacing);
    char label[32];
    for (int k = 0; k < n; k++) {
        double v = first + k * p->ystep;
        int y = (int)lround(panel_py(p, v));
        canvas_line(c, p->x0, y, p->x1 - 1, y, 1, 0, CHART_GRID);
        canvas_line(c, p->x0 - 2 * scale, y, p->x0 - 1, y, 1, 0, CHART_BLACK);
        if (k % (stride > 0 ? stride : 1) != 0) continue;
        format_tick(label, sizeof label, v, p->ystep);
        canvas_text(c, p->x0 - 4 * scale - canvas_text_width(label, scale), y - TEXT_H(scale) / 2, label, scale, 0, CHART_BLACK);
    }
}

void chart_axes(Canvas *c, const Panel *p, const char *title, const char *xlabel, const char *ylabel, int scale) {
    axes_x_ticks(c, p, scale);
    axes_y_ticks(c, p, scale);
    canvas_line(c, p->x0 - 1, p->y0 - 1, p->x1, p->y0 - 1, 1, 0, CHART_BLACK);
    canvas_line(c, p->x0 - 1, p->y1, p->x1, p->y1, 1, 0, CHART_BLACK);
    canvas_line(c, p->x0 - 1, p->y0 - 1, p->x0 - 1, p->y1, 1, 0, CHART_BLACK);
    canvas_line(c, p->x1, p->y0 - 1, p->x1, p->y1, 1, 0, CHART_BLACK);
    int mid_x = (p->x0 + p->x1) / 2, mid_y = (p->y0 + p->y1) / 2;
    if (title) canvas_text(c, mid_x - canvas_text_width(title, scale) / 2, p->y0 - LINE_H(scale) - 3 * scale, title, scale, 0, CHART_BLACK);
    if (xlabel)
        canvas_text(c, mid_x - canvas_text_width(xlabel, scale) / 2, p->y1 + 8 * scale + LINE_H(scale), xlabel, scale, 0, CHART_BLACK);
    if (ylabel) {
        int x = p->x0 - 8 * scale - TICK_CHARS * ADV(scale) - LINE_H(scale);
        canvas_text(c, x, mid_y + canvas_text_width(ylabel, scale) / 2, ylabel, scale, 1, CHART_BLACK);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Data.
 */
void chart_points(Canvas *c, const Panel *p, const double *x, const double *y, int n, Color col, MarkerShape marker,
                  int marker_size) {
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            canvas_marker(c, (int)lround(panel_px(p, x[i])), (int)lround(panel_py(p, y[i])), marker_size, marker, col);
}

void chart_series(Canvas *c, const Panel *p, const double *x, const double *y, int n, Color col, int width,
                  MarkerShape marker, int marker_size) {
    for (int i = 1; i < n; i++)
        if (isfinite(y[i - 1]) && isfinite(y[i]))
            canvas_line(c, panel_px(p, x[i - 1]), panel_py(p, y[i - 1]), panel_px(p, x[i]), panel_py(p, y[i]), width, 0, col);
    if (marker_size > 0) chart_points(c, p, x, y, n, col, marker, marker_size);
}

void chart_hline(Canvas *c, const Panel *p, double y, Color col, int scale) {
    int py = (int)lround(panel_py(p, y));
    canvas_line(c, p->x0, py, p->x1 - 1, py, scale, 4 * scale, col);
}

void chart_note(Canvas *c, const Panel *p, const char *text, int scale) {
    canvas_text(c, (p->x0 + p->x1 - canvas_text_width(text, scale)) / 2, (p->y0 + p->y1 - TEXT_H(scale)) / 2, text, scale, 0, CHART_GREY);
}
