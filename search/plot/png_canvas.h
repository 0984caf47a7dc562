/*
 * png_canvas.h: an RGB raster to draw charts on, and its PNG writer (libpng; this file's .c is the
 * only one in the engine that includes png.h).
 *
 * Coordinates are pixels, x to the right, y down, (0, 0) the top-left pixel. Every drawing call clips
 * to the canvas, so callers may draw partly outside it. Text uses a built-in 5x7 bitmap font (ASCII
 * 32..126, two extra rows for descenders) magnified by an integer `scale`: one glyph is 6*scale
 * pixels wide including its spacing and 9*scale pixels tall.
 */
#ifndef SN_PNG_CANVAS_H
#define SN_PNG_CANVAS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t r, g, b;
} Color;

typedef struct {
    int w, h;
    uint8_t *rgb; /* h rows of w pixels, 3 bytes each */
} Canvas;

typedef enum { MARKER_CIRCLE, MARKER_SQUARE, MARKER_TRIANGLE, MARKER_DIAMOND, MARKER_COUNT } MarkerShape;

Canvas canvas_new(int w, int h, Color background);
void canvas_free(Canvas *c);

void canvas_set(Canvas *c, int x, int y, Color col);
Color canvas_get(const Canvas *c, int x, int y); /* (x, y) must be inside */

/* Filled rectangle covering x0 <= x < x1, y0 <= y < y1. */
void canvas_fill_rect(Canvas *c, int x0, int y0, int x1, int y1, Color col);
/* Straight line from (x0, y0) to (x1, y1), `width` pixels thick; dash > 0 draws dash pixels on,
 * dash pixels off along the line. */
void canvas_line(Canvas *c, double x0, double y0, double x1, double y1, int width, int dash, Color col);
/* A filled marker of the given shape, `size` pixels across, centred on (x, y). */
void canvas_marker(Canvas *c, int x, int y, int size, MarkerShape shape, Color col);

/* Draws `text` with its top-left corner at (x, y); vertical != 0 turns it 90 degrees
 * counter-clockwise (reading bottom to top, (x, y) then being its bottom-left pixel).
 * Characters outside ASCII 32..126 print as '?'. */
void canvas_text(Canvas *c, int x, int y, const char *text, int scale, int vertical, Color col);
int canvas_text_width(const char *text, int scale);  /* pixels, without the trailing spacing column */

/* Encodes the canvas as an 8-bit RGB PNG and writes it atomically (temp file, fsync, rename).
 * Returns 0, or -1 with a message in err (a failed write of the file itself exits 2 naming it). */
int canvas_write_png(const Canvas *c, const char *path, char *err, size_t err_len);

#endif
