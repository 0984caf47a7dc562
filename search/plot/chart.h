/*
 * chart.h: line charts on a Canvas (png_canvas.h): panels with data ranges, "nice" tick steps,
 * axes with grid, tick values and labels, series with markers, and legends. plot.c and the
 * ablation report (ablation_report.c) build their figures from these pieces.
 *
 * A figure is laid out top to bottom: the title, then the legend, then a grid of panels; each
 * panel keeps room above it for its own title and left and below it for tick values and axis labels.
 */
#ifndef SN_CHART_H
#define SN_CHART_H

#include "plot/png_canvas.h"

/* The plotting area of one panel in pixels (x0 <= x < x1, y0 <= y < y1) and the data range it shows. */
typedef struct {
    int x0, y0, x1, y1;
    double xmin, xmax, ymin, ymax;
    double xstep, ystep; /* tick spacing in data units; xstep <= 0: no x ticks (categories) */
} Panel;

/* Pixel coordinates of data values in a panel (not rounded; not clipped). */
double panel_px(const Panel *p, double x);
double panel_py(const Panel *p, double y);

/* Widens [*lo, *hi] to multiples of a step of 1, 2 or 5 times a power of ten that cuts it into about
 * `target` intervals, and returns that step. min_step > 0 bounds the step below (1 for epochs).
 * An empty or single-value range is first widened around its value. */
double chart_nice_range(double *lo, double *hi, int target, double min_step);

/* Text scale for a canvas: 1 for small images, 2 from about 450 pixels, at most 4. */
int chart_text_scale(int w, int h);

typedef enum { LEGEND_LINE, LEGEND_BOX, LEGEND_DASHED } LegendStyle;

typedef struct {
    const char *label;
    Color color;
    MarkerShape marker;
    LegendStyle style; /* a line with the marker, a filled square (bars), or a dashed line (no marker) */
} LegendEntry;

/* Draws the figure title centred at the top and the legend below it, wrapping entries onto as many
 * rows as the width needs; returns the y where the panels may start. */
int chart_figure_header(Canvas *c, const char *title, const LegendEntry *legend, int n_legend, int scale);

/* Cuts the canvas area below y = top into rows x cols panels (row-major), leaving each the margins
 * for its title, tick values and axis labels. */
void chart_grid(const Canvas *c, int top, int rows, int cols, int scale, Panel *panels);

/* Frame, grid lines at the ticks, tick values (decimals chosen from the step), the panel title above,
 * the x label below and the y label turned on the left. */
void chart_axes(Canvas *c, const Panel *p, const char *title, const char *xlabel, const char *ylabel, int scale);

/* A polyline through the finite points (x[i], y[i]) (a NaN y breaks the line),
 * with a marker of marker_size pixels on every point when marker_size > 0. The panel range must
 * cover the points: nothing is clipped to the panel. */
void chart_series(Canvas *c, const Panel *p, const double *x, const double *y, int n, Color col, int width,
                  MarkerShape marker, int marker_size);

/* Markers alone at the finite points (a scatter plot). */
void chart_points(Canvas *c, const Panel *p, const double *x, const double *y, int n, Color col, MarkerShape marker,
                  int marker_size);
/* A dashed horizontal line at data value y across the panel. */
void chart_hline(Canvas *c, const Panel *p, double y, Color col, int scale);

/* A centred message inside the panel (e.g. "no data"). */
void chart_note(Canvas *c, const Panel *p, const char *text, int scale);

/* Colour i of a palette of 10 distinguishable colours (repeats after 10), and fixed colours. */
Color chart_palette(int i);
extern const Color CHART_BLACK, CHART_WHITE, CHART_GRID, CHART_GREY;

#endif
