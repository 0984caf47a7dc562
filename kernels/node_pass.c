/* node_pass.c: fused node sums and node gradients with 3x3 average pooling inside (see node_pass.h).
 *
 * Work goes row by row through each (image, channel block) plane: a row is W pixels of 16 channels,
 * small enough that the sums for it stay in L1. Pooling a row takes the column sums of the rows above,
 * at and below it, then the sums of three neighbouring columns; the window's size (4, 6 or 9 pixels
 * inside the image) divides the forward sum, and each input pixel's own window size divides its share
 * going backward. */
#include "node_pass.h"

#include <math.h>
#include <string.h>

#include "bn.h"
#include "common.h"
#include "elementwise.h"
#include "profile.h"

#define LANES SN_CBLOCK /* one pixel's channel block; also the reductions' lanes (elementwise.h) */
_Static_assert(SN_CBLOCK == SN_SUM_LANES, "a pixel's channels must map onto the reduction lanes");
#define ROW_MAX (256 * SN_CBLOCK)
/* Terms are summed in bands of whole rows of about this many floats, which stay in L1. */
#define BAND_TARGET 2048
#define BAND_MAX ROW_MAX
#define GROUPS_MAX 64

void terms_add_bn(TermList *t, const float *x, float w, const float *mean, const float *var, const float *gamma,
                  const float *beta) {
    SN_ASSERT(t->k < SN_TERMS_MAX, "a node pass takes at most %d terms of a kind", SN_TERMS_MAX);
    SN_ASSERT((gamma == NULL) == (beta == NULL) && (mean || !gamma), "a BN term has both affine parameters and statistics");
    t->x[t->k] = x, t->w[t->k] = w;
    t->gamma[t->k] = gamma, t->beta[t->k] = beta;
    t->mean[t->k] = mean, t->var[t->k++] = var;
}

void terms_add_normalized(TermList *t, const float *x, float w, const float *mean, const float *var) {
    terms_add_bn(t, x, w, mean, var, NULL, NULL);
}

void terms_add(TermList *t, const float *x, float w) { terms_add_normalized(t, x, w, NULL, NULL); }

/* Positions of the 3-wide window centred at i that lie inside [0, n). */
static int window_extent(int i, int n) { return 1 + (i > 0) + (i < n - 1); }

typedef struct {
    Shape4 s;
    size_t row_len, plane_len;
    int band_rows;
} Geometry;

static Geometry geometry(Shape4 s) {
    SN_ASSERT((size_t)s.w * LANES <= ROW_MAX, "node pass: rows of %d pixels (at most %d)", s.w, ROW_MAX / LANES);
    size_t row_len = (size_t)s.w * LANES;
    int band_rows = row_len >= BAND_TARGET ? 1 : (int)(BAND_TARGET / row_len);
    return (Geometry){s, row_len, row_len * (size_t)s.h, band_rows};
}

/* acc (+)= scale[c] * x + shift[c] in the 16 channels of one block; len is a multiple of LANES. */
static void channel_affine(float *restrict acc, const float *restrict scale, const float *restrict shift,
                           const float *restrict x, size_t len, int accumulate) {
    if (accumulate)
        for (size_t i = 0; i < len; i += LANES)
            for (int l = 0; l < LANES; l++) acc[i + l] += scale[l] * x[i + l] + shift[l];
    else
        for (size_t i = 0; i < len; i += LANES)
            for (int l = 0; l < LANES; l++) acc[i + l] = scale[l] * x[i + l] + shift[l];
}

/* Term q's per-channel scale and shift in channel block cb of C channels: w, 0 for a plain term;
 * w gamma / sqrt(var + eps) and w beta - mean times that for a normalised one (gamma 1, beta 0 without
 * affine parameters); 0, 0 in padded channels. */
static void term_affine(const TermList *t, int q, int cb, int C, float *scale, float *shift) {
    for (int l = 0; l < LANES; l++) {
        int c = cb * LANES + l;
        int normalized = t->mean[q] && c < C, affine = normalized && t->gamma[q];
        float gamma = affine ? t->gamma[q][c] : 1.0f, beta = affine ? t->beta[q][c] : 0.0f;
        scale[l] = normalized ? t->w[q] * gamma / sqrtf(t->var[q][c] + SN_BN_EPS) : c < C ? t->w[q] : 0.0f;
        shift[l] = normalized ? t->w[q] * beta - scale[l] * t->mean[q][c] : 0.0f;
    }
}

/* acc = sum of the terms at offset off, a run of len floats inside channel block cb, or 0 without terms. */
static void row_terms(float *restrict acc, const TermList *t, size_t off, size_t len, int cb, int C) {
    if (t->k == 0) memset(acc, 0, len * sizeof(float));
    for (int q = 0; q < t->k; q++) {
        float scale[LANES], shift[LANES];
        term_affine(t, q, cb, C, scale, shift);
        channel_affine(acc, scale, shift, t->x[q] + off, len, q > 0);
    }
}

/* Scales x's pixels by 1 / the window width at each pixel (edges 2, inner 3; 1 in a 1-wide image). */
static void scale_columns(float *restrict x, int W) {
    size_t len = (size_t)W * LANES;
    float edge = 1.0f / (float)window_extent(0, W);
    for (size_t i = LANES; i + LANES < len; i++) x[i] *= 1.0f / 3.0f;
    for (int l = 0; l < LANES; l++) x[l] *= edge;
    if (W > 1)
        for (int l = 0; l < LANES; l++) x[len - LANES + l] *= edge;
}

/* v = the column sums of row h's 3-row window in the plane (rows outside the image left out); going
 * backward each row counts 1 / its own window height and each column 1 / its own window width, the
 * share of the pooling it receives. */
static void column_sums(float *restrict v, const float *plane, int h, const Geometry *g, int transpose) {
    int H = g->s.h, lo = h > 0 ? h - 1 : 0, hi = h < H - 1 ? h + 1 : H - 1, rows = hi - lo + 1;
    size_t len = g->row_len;
    const float *r0 = plane + (size_t)lo * len, *r2 = plane + (size_t)hi * len, *r1 = rows == 3 ? r0 + len : r0;
    float s0 = transpose ? 1.0f / (float)window_extent(lo, H) : 1.0f;
    float s1 = transpose ? 1.0f / (float)window_extent(lo + 1, H) : 1.0f;
    float s2 = transpose ? 1.0f / (float)window_extent(hi, H) : 1.0f;
    if (rows == 3)
        for (size_t i = 0; i < len; i++) v[i] = s0 * r0[i] + s1 * r1[i] + s2 * r2[i];
    else if (rows == 2)
        for (size_t i = 0; i < len; i++) v[i] = s0 * r0[i] + s2 * r2[i];
    else
        for (size_t i = 0; i < len; i++) v[i] = s0 * r0[i];
    if (transpose) scale_columns(v, g->s.w);
}

/* acc += w * (3x3 pooling, or its transpose, of row h of the plane starting at `plane`): the sums of
 * three neighbouring column sums, going forward divided by the window's size. With lane, also
 * lane[i % LANES] += pooled[i] * gate[i]. */
static void pool_row_add(float *restrict acc, float w, double *lane, const float *gate, const float *plane, int h,
                         const Geometry *g, int transpose) {
    float v[ROW_MAX], pooled[ROW_MAX];
    int W = g->s.w;
    size_t len = g->row_len, last = len - LANES;
    column_sums(v, plane, h, g, transpose);
    /* forward: 1 / (window height x width); the inner pixels' width is 3 */
    float row_scale = transpose ? 1.0f : 1.0f / (float)window_extent(h, g->s.h);
    float inner = transpose ? 1.0f : row_scale / 3.0f, edge = transpose ? 1.0f : row_scale / (float)window_extent(0, W);
    for (size_t i = LANES; i < last; i++) pooled[i] = inner * (v[i - LANES] + v[i] + v[i + LANES]);
    for (int l = 0; l < LANES; l++) pooled[l] = edge * (v[l] + (W > 1 ? v[l + LANES] : 0.0f));
    if (W > 1)
        for (int l = 0; l < LANES; l++) pooled[last + l] = edge * (v[last + l] + v[last + l - LANES]);
    for (size_t i = 0; i < len; i++) acc[i] += w * pooled[i];
    if (lane) lanes_add(lane, pooled, gate, len);
}

/* A band: rows [h0, h1) of the plane starting at offset `plane`; off and len locate it in the tensor. */
typedef struct {
    size_t plane, off, len;
    int h0, h1, cb;
} Band;

static void sum_band(float *y, const TermList *plain, const TermList *pooled, const Geometry *g, Band b) {
    float *acc = y + b.off;
    row_terms(acc, plain, b.off, b.len, b.cb, g->s.c);
    for (int r = 0; r < pooled->k; r++)
        for (int h = b.h0; h < b.h1; h++)
            pool_row_add(acc + (size_t)(h - b.h0) * g->row_len, pooled->w[r], NULL, NULL, pooled->x[r] + b.plane, h, g, 0);
}

typedef struct {
    const TermList *direct, *pooled, *gated;
    const float *gate;
    int dots, dx_sum; /* which sums to take: lanes 0 .. direct.k + pooled.k - 1, and the next one */
} GradTerms;

static void grad_band(float *dx, double (*lane)[LANES], const GradTerms *t, const Geometry *g, Band b) {
    float gated[BAND_MAX], *direct = dx + b.off;
    const float *gate = t->gate ? t->gate + b.off : NULL;
    if (t->direct->k + t->pooled->k == 0) { /* only gated terms: no zeros to add them to */
        row_terms(gated, t->gated, b.off, b.len, b.cb, g->s.c);
        for (size_t i = 0; i < b.len; i++) direct[i] = gate[i] > 0.0f ? gated[i] : 0.0f;
        if (t->dx_sum) lanes_add(lane[0], direct, NULL, b.len);
        return;
    }
    row_terms(direct, t->direct, b.off, b.len, b.cb, g->s.c);
    for (int q = 0; t->dots && q < t->direct->k; q++) lanes_add(lane[q], t->direct->x[q] + b.off, gate, b.len);
    for (int r = 0; r < t->pooled->k; r++)
        for (int h = b.h0; h < b.h1; h++) {
            size_t at = (size_t)(h - b.h0) * g->row_len;
            pool_row_add(direct + at, t->pooled->w[r], t->dots ? lane[t->direct->k + r] : NULL, gate ? gate + at : NULL,
                         t->pooled->x[r] + b.plane, h, g, 1);
        }
    if (t->gated->k) {
        row_terms(gated, t->gated, b.off, b.len, b.cb, g->s.c);
        for (size_t i = 0; i < b.len; i++) direct[i] += gate[i] > 0.0f ? gated[i] : 0.0f;
    }
    if (t->dx_sum) lanes_add(lane[t->direct->k + t->pooled->k], direct, NULL, b.len);
}

static Band band_at(const Geometry *g, size_t plane, int h0) {
    int h1 = h0 + g->band_rows < g->s.h ? h0 + g->band_rows : g->s.h;
    size_t start = plane * g->plane_len;
    return (Band){start, start + (size_t)h0 * g->row_len, (size_t)(h1 - h0) * g->row_len, h0, h1,
                  (int)(plane % (size_t)shape_cblocks(g->s))};
}

/* Planes are split into `groups` runs of consecutive planes, fixed by the shape alone. */
static size_t group_count(Shape4 s) {
    size_t planes = (size_t)s.n * (size_t)shape_cblocks(s);
    return planes < GROUPS_MAX ? planes : GROUPS_MAX;
}

static size_t group_start(Shape4 s, size_t group, size_t groups) {
    return group * ((size_t)s.n * (size_t)shape_cblocks(s)) / groups;
}

void node_sum(float *y, const TermList *plain, const TermList *pooled, Shape4 s) {
    double t0 = profile_start();
    SN_ASSERT(plain->k + pooled->k >= 1, "node_sum without terms");
    for (int q = 0; q < plain->k; q++) SN_ASSERT(plain->x[q] != y, "node_sum: output aliases an input");
    for (int r = 0; r < pooled->k; r++) SN_ASSERT(pooled->x[r] != y, "node_sum: output aliases an input");
    Geometry g = geometry(s);
    size_t groups = group_count(s);
#pragma omp parallel for schedule(static) if (shape_padded_size(s) >= SN_PARALLEL_MIN)
    for (size_t grp = 0; grp < groups; grp++)
        for (size_t p = group_start(s, grp, groups); p < group_start(s, grp + 1, groups); p++)
            for (int h = 0; h < s.h; h += g.band_rows) sum_band(y, plain, pooled, &g, band_at(&g, p, h));
    profile_stop(PROF_NODE_SUM, t0);
}

void node_grad(float *dx, double *dots, double *dx_sum, const TermList *direct, const TermList *pooled,
               const float *gate, const TermList *gated, Shape4 s) {
    double t0 = profile_start();
    int n_dots = direct->k + pooled->k, n_sums = n_dots + 1;
    SN_ASSERT(n_dots + gated->k >= 1, "node_grad without terms");
    SN_ASSERT(gate || (!dots && gated->k == 0), "node_grad: gated terms or dots need the gate");
    Geometry g = geometry(s);
    GradTerms t = {direct, pooled, gated, gate, dots != NULL, dx_sum != NULL};
    size_t groups = group_count(s);
    double part[GROUPS_MAX][2 * SN_TERMS_MAX + 1];
#pragma omp parallel for schedule(static) if (shape_padded_size(s) >= SN_PARALLEL_MIN)
    for (size_t grp = 0; grp < groups; grp++) {
        double lane[2 * SN_TERMS_MAX + 1][LANES];
        memset(lane, 0, sizeof lane);
        for (size_t p = group_start(s, grp, groups); p < group_start(s, grp + 1, groups); p++)
            for (int h = 0; h < s.h; h += g.band_rows) grad_band(dx, lane, &t, &g, band_at(&g, p, h));
        for (int q = 0; q < n_sums; q++) part[grp][q] = lanes_total(lane[q]);
    }
    for (int q = 0; q < n_sums; q++) {
        double sum = 0.0;
        for (size_t grp = 0; grp < groups; grp++) sum += part[grp][q];
        if (q < n_dots && dots) dots[q] += sum;
        if (q == n_dots && dx_sum) *dx_sum = sum;
    }
    profile_stop(PROF_NODE_GRAD, t0);
}
