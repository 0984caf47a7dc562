/* test_plot.c: the PNG charts. Synthetic epochs.csv files with known values are drawn; the PNGs are
 * decoded with libpng and must have the requested size and the known series at the pixels the
 * chart's layout maps them to. Malformed CSV files must exit 2 naming file:line; the font's glyphs
 * must all differ; plot_run_refresh must write the three charts and survive a bad file. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot/plot.h"
#include "test_util.h"
#include "testlib.h"

static char root[64];
static char out[1 << 14];

#define RESNET "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|"
#define ALLSKIP "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"

/* Runs `supernet <args>` (stderr folded into stdout); returns the exit status. */
static int run(const char *args) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", supernet_bin(), args);
    return run_command(cmd, out, sizeof out);
}

static void write_text(const char *path, const char *text) { CHECK(write_text_file(path, text) == 0, "cannot write %s", path); }

/* A run directory <root>/<name> whose epoch i has the given accuracies (all six columns offset by
 * 0, 1, ..., 5 from acc[i]), op k probability 0.05 + 0.15 k on every edge, and the cell arch[i]. */
static void make_run(const char *name, int n, const double *acc, const char *const *arch) {
    char dir[256], path[300], text[1 << 14], line[2048];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    mkdir(dir, 0755);
    epochs_csv_header(text, sizeof text);
    for (int i = 0; i < n; i++) {
        snprintf(line, sizeof line, "%d,%d,0.025,,1.5,40,1.6,38,,,,,%s,0", i, 10 * (i + 1), arch[i]);
        for (int k = 0; k < 6; k++) snprintf(line + strlen(line), sizeof line - strlen(line), ",%.2f", acc[i] + k);
        for (int e = 0; e < 6; e++)
            for (int k = 0; k < 5; k++) snprintf(line + strlen(line), sizeof line - strlen(line), ",%.2f", 0.05 + 0.15 * k);
        strcat(line, "\n");
        strcat(text, line);
    }
    snprintf(path, sizeof path, "%s/epochs.csv", dir);
    write_text(path, text);
}

typedef struct {
    int w, h;
    unsigned char *rgb;
} Image;

static Image decode(const char *path) {
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    Image im = {0, 0, NULL};
    if (!png_image_begin_read_from_file(&img, path)) {
        CHECK(0, "%s does not decode as PNG: %s", path, img.message);
        return im;
    }
    img.format = PNG_FORMAT_RGB;
    im.rgb = malloc(PNG_IMAGE_SIZE(img));
    if (!png_image_finish_read(&img, NULL, im.rgb, 0, NULL)) {
        CHECK(0, "%s: decoding failed: %s", path, img.message);
        free(im.rgb);
        im.rgb = NULL;
        return im;
    }
    im.w = (int)img.width, im.h = (int)img.height;
    return im;
}

static int pixel_is(const Image *im, double x, double y, Color c) {
    int px = (int)lround(x), py = (int)lround(y);
    if (!im->rgb || px < 0 || py < 0 || px >= im->w || py >= im->h) return 0;
    const unsigned char *p = im->rgb + ((size_t)py * im->w + px) * 3;
    return p[0] == c.r && p[1] == c.g && p[2] == c.b;
}

/* The colour anywhere in the 3 x 3 pixels around (x, y): for line interiors, whose rounding may
 * differ by a pixel from the exact position. */
static int pixel_near(const Image *im, double x, double y, Color c) {
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
            if (pixel_is(im, x + dx, y + dy, c)) return 1;
    return 0;
}

static const double ACC_A[5] = {60, 70, 80, 85, 90}, ACC_B[5] = {40, 40, 50, 50, 45};
static const char *const ARCH_A[5] = {RESNET, RESNET, ALLSKIP, ALLSKIP, ALLSKIP};

/* Both runs' points on the CIFAR-10 test panel (column offset +1) sit at the mapped pixels, the
 * midpoints of their segments too, and an empty spot is background. */
static void test_derivation_pixels(void) {
    RunEpochs runs[2];
    char dir[256], png[300], err[600];
    make_run("a", 5, ACC_A, ARCH_A);
    make_run("b", 5, ACC_B, ARCH_A);
    snprintf(dir, sizeof dir, "%s/a", root);
    CHECK(epochs_csv_read(dir, &runs[0], err, sizeof err) == 0, "%s", err);
    snprintf(dir, sizeof dir, "%s/b", root);
    CHECK(epochs_csv_read(dir, &runs[1], err, sizeof err) == 0, "%s", err);
    PlotOptions opt = plot_options_default();
    opt.width = 900, opt.height = 420, opt.datasets = PLOT_C10 | PLOT_IN16;
    PlotLayout layout;
    snprintf(png, sizeof png, "%s/deriv.png", root);
    CHECK(plot_derivation(runs, 2, &opt, png, &layout, err, sizeof err) == 0, "%s", err);
    Image im = decode(png);
    CHECK(im.w == 900 && im.h == 420, "size %dx%d", im.w, im.h);
    CHECK(layout.n == 2, "panels %d", layout.n);
    const Panel *p = &layout.panel[0];
    CHECK(p->x0 > 0 && p->x1 < 450 && p->y0 > 0 && p->y1 < 420, "panel 0 at %d..%d x %d..%d", p->x0, p->x1, p->y0, p->y1);
    CHECK(p->ymin <= 41 && p->ymax >= 94.37 && p->xmin <= 0 && p->xmax >= 4, "panel 0 range x %g..%g y %g..%g", p->xmin, p->xmax, p->ymin, p->ymax);
    for (int r = 0; r < 2; r++) {
        const double *acc = r ? ACC_B : ACC_A;
        Color col = plot_run_color(r);
        for (int i = 0; i < 5; i++)
            CHECK(pixel_is(&im, panel_px(p, i), panel_py(p, acc[i] + 1), col), "run %d epoch %d not at its pixel", r, i);
        for (int i = 0; i < 4; i++)
            CHECK(pixel_near(&im, panel_px(p, i + 0.5), panel_py(p, (acc[i] + acc[i + 1]) / 2 + 1), col), "run %d segment %d", r, i);
    }
    CHECK(pixel_is(&im, panel_px(p, 2.5), panel_py(p, 65), CHART_WHITE), "the point (2.5, 65) should be empty");
    const Panel *q = &layout.panel[1]; /* ImageNet16-120 test: offset +5 */
    CHECK(q->x0 > 450, "panel 1 starts at %d", q->x0);
    CHECK(pixel_is(&im, panel_px(q, 3), panel_py(q, ACC_A[3] + 5), plot_run_color(0)), "IN16 panel point");
    CHECK(pixel_is(&im, panel_px(p, 4), p->y1, CHART_BLACK), "frame below the panel");
    free(im.rgb);
    run_epochs_free(&runs[0]);
    run_epochs_free(&runs[1]);
}

static void test_alpha_and_ops_pixels(void) {
    RunEpochs run;
    char dir[256], png[300], err[600];
    snprintf(dir, sizeof dir, "%s/a", root);
    CHECK(epochs_csv_read(dir, &run, err, sizeof err) == 0, "%s", err);
    PlotOptions opt = plot_options_default();
    opt.width = 1000, opt.height = 600;
    PlotLayout layout;
    snprintf(png, sizeof png, "%s/alpha.png", root);
    CHECK(plot_alpha(&run, &opt, png, &layout, err, sizeof err) == 0, "%s", err);
    Image im = decode(png);
    CHECK(im.w == 1000 && im.h == 600 && layout.n == 6, "alpha size %dx%d, %d panels", im.w, im.h, layout.n);
    for (int e = 0; e < 6; e++)
        for (int k = 0; k < 5; k++)
            CHECK(pixel_is(&im, panel_px(&layout.panel[e], 2.5), panel_py(&layout.panel[e], 0.05 + 0.15 * k), plot_op_color(k)),
                  "alpha edge %d op %d", e, k);
    CHECK(layout.panel[3].y0 > layout.panel[0].y1 && layout.panel[1].x0 > layout.panel[0].x1, "alpha grid is 2 x 3");
    free(im.rgb);
    opt.width = 500, opt.height = 300;
    snprintf(png, sizeof png, "%s/ops.png", root);
    CHECK(plot_ops(&run, &opt, png, &layout, err, sizeof err) == 0, "%s", err);
    im = decode(png);
    CHECK(im.w == 500 && im.h == 300, "ops size %dx%d", im.w, im.h);
    const Panel *p = &layout.panel[0];
    /* ResNet: 2 none (0..2), 2 skip (2..4), 2 conv3x3 (4..6); all-skip: skip 0..6. */
    CHECK(pixel_is(&im, panel_px(p, 0), panel_py(p, 1), plot_op_color(0)), "ResNet none band");
    CHECK(pixel_is(&im, panel_px(p, 1), panel_py(p, 3), plot_op_color(1)), "ResNet skip band");
    CHECK(pixel_is(&im, panel_px(p, 1), panel_py(p, 5), plot_op_color(3)), "ResNet conv3x3 band");
    CHECK(pixel_is(&im, panel_px(p, 4), panel_py(p, 5.5), plot_op_color(1)), "all-skip bar");
    CHECK(pixel_is(&im, panel_px(p, 3.5), panel_py(p, 3), CHART_WHITE) || pixel_is(&im, panel_px(p, 3.5), panel_py(p, 3), CHART_GRID),
          "gap between bars");
    free(im.rgb);
    run_epochs_free(&run);
}

/* The CLI: sizes, default outputs, and each malformed file -> exit 2 naming file:line. */
static void test_cli(void) {
    char args[1024], png[300];
    snprintf(args, sizeof args, "plot %s/a %s/b --kind derivation -o %s/cli.png --width 640 --height 300", root, root, root);
    CHECK(run(args) == 0, "plot: %s", out);
    snprintf(png, sizeof png, "%s/cli.png", root);
    Image im = decode(png);
    CHECK(im.w == 640 && im.h == 300, "cli size %dx%d", im.w, im.h);
    free(im.rgb);
    snprintf(args, sizeof args, "plot %s/b --width 700 --height 400", root);
    CHECK(run(args) == 0, "plot --kind all: %s", out);
    static const char *const files[3] = {"derivation.png", "alpha.png", "ops.png"};
    for (int k = 0; k < 3; k++) {
        snprintf(png, sizeof png, "%s/b/%s", root, files[k]);
        im = decode(png);
        CHECK(im.w == 700 && im.h == 400, "%s size %dx%d", files[k], im.w, im.h);
        free(im.rgb);
    }
    snprintf(args, sizeof args, "plot %s/a --width 10", root);
    CHECK(run(args) == 2, "tiny width accepted: %s", out);
    snprintf(args, sizeof args, "plot %s/a --dataset cifar11", root);
    CHECK(run(args) == 2 && strstr(out, "cifar11"), "bad dataset: %s", out);
}

/* Writes <root>/bad/epochs.csv = a good file with line `lineno` (1-based) replaced, or appended. */
static void bad_file_case(int lineno, const char *replacement, const char *expect) {
    char dir[256], path[300], text[1 << 14], args[600], want[400];
    snprintf(dir, sizeof dir, "%s/bad", root);
    mkdir(dir, 0755);
    epochs_csv_header(text, sizeof text);
    if (lineno == 1) strcpy(text, replacement);
    for (int i = 2; i <= 4; i++) {
        char line[2048];
        snprintf(line, sizeof line, "%d,1,0.025,,1,1,1,1,,,,," RESNET ",11472,90.8,93.9,70.5,70.9,44.1,44.2", i - 2);
        for (int k = 0; k < 30; k++) strcat(line, ",0.2");
        strcat(line, "\n");
        strcat(text, i == lineno ? replacement : line);
    }
    snprintf(path, sizeof path, "%s/epochs.csv", dir);
    write_text(path, text);
    snprintf(args, sizeof args, "plot %s", dir);
    int status = run(args);
    snprintf(want, sizeof want, "%s/epochs.csv:%d: ", dir, lineno);
    CHECK(status == 2 && strstr(out, want) && strstr(out, expect), "line %d: want status 2, '%s' and '%s'; got %d: %s", lineno,
          want, expect, status, out);
    CHECK(strchr(out, '\n') == out + strlen(out) - 1, "one line expected: %s", out);
    CHECK(plot_run_refresh(dir) == -1, "refresh of a bad file should fail softly");
}

static void test_malformed(void) {
    bad_file_case(3, "1,1,0.025,,1,1,1,1,,,,,|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|,11472,"
                     "90.8,abc,70.5,70.9,44.1,44.2" ",.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2\n",
                  "column 'cifar10_test': 'abc' is not a number");
    bad_file_case(4, "2,1,0.025\n", "3 fields, but the header has 50");
    bad_file_case(2, "0,1,0.025,,1,1,1,1,,,,,|nor_conv_3x3~0|+|none~0|conv~1|+|skip_connect~0|none~1|skip_connect~2|,1,"
                     "1,1,1,1,1,1" ",.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2\n",
                  "column 'arch'");
    bad_file_case(3, "0,1,0.025,,1,1,1,1,,,,," RESNET ",1,1,1,1,1,1,1" ",.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2\n",
                  "epoch 0 does not follow epoch 0");
    bad_file_case(2, "0,1,0.025,,1,1,1,1,,,,," RESNET ",1,1,1,1,1,1,1" ",.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,.2,1.5\n",
                  "column 'p_e5_avg_pool_3x3': 1.5 is outside [0, 1]");
    bad_file_case(1, "epoch,arch,cifar10_valid\n", "the header has no column 'cifar10_test'");
    char args[300];
    snprintf(args, sizeof args, "plot %s/does-not-exist", root);
    CHECK(run(args) == 2 && strstr(out, "does-not-exist/epochs.csv: cannot open"), "missing file: %s", out);
}

static void test_refresh(void) {
    char dir[256], png[300];
    snprintf(dir, sizeof dir, "%s/a", root);
    CHECK(plot_run_refresh(dir) == 0, "refresh failed");
    static const char *const files[3] = {"derivation.png", "alpha.png", "ops.png"};
    for (int k = 0; k < 3; k++) {
        snprintf(png, sizeof png, "%s/%s", dir, files[k]);
        Image im = decode(png);
        CHECK(im.w > 100 && im.h > 100, "%s: %dx%d", files[k], im.w, im.h);
        free(im.rgb);
    }
}

/* Every printable glyph draws something (except space) and no two glyphs are the same; vertical
 * text is horizontal text turned 90 degrees counter-clockwise. */
static void test_font(void) {
    static unsigned char bits[95][6 * 9];
    for (int ch = 32; ch < 127; ch++) {
        Canvas c = canvas_new(6, 9, CHART_WHITE);
        char s[2] = {(char)ch, 0};
        canvas_text(&c, 0, 0, s, 1, 0, CHART_BLACK);
        int ink = 0;
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 6; x++) ink += bits[ch - 32][y * 6 + x] = canvas_get(&c, x, y).r == 0;
        CHECK(ch == ' ' ? ink == 0 : ink > 0, "glyph '%c' has %d pixels", ch, ink);
        for (int other = 32; other < ch; other++)
            CHECK(memcmp(bits[ch - 32], bits[other - 32], sizeof bits[0]) != 0, "glyphs '%c' and '%c' are identical", ch, other);
        canvas_free(&c);
    }
    Canvas h = canvas_new(40, 40, CHART_WHITE), v = canvas_new(40, 40, CHART_WHITE);
    canvas_text(&h, 0, 0, "Ag1", 2, 0, CHART_BLACK);
    canvas_text(&v, 0, 39, "Ag1", 2, 1, CHART_BLACK);
    int same = 1;
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 40; x++) same &= canvas_get(&h, x, y).r == canvas_get(&v, y, 39 - x).r;
    CHECK(same, "vertical text is not the horizontal text turned");
    CHECK(canvas_text_width("abc", 2) == 34, "width of 3 chars at scale 2: %d", canvas_text_width("abc", 2));
    canvas_free(&h);
    canvas_free(&v);
}

int main(void) {
    make_temp_dir(root, sizeof root, "test_plot");
    test_font();
    test_derivation_pixels();
    test_alpha_and_ops_pixels();
    test_cli();
    test_malformed();
    test_refresh();
    if (test_failures == 0) remove_tree(root);
    TEST_EXIT();
}
