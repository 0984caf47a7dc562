/*
 * test_kern_lstm.c: the multi-layer LSTM step (kernels/lstm.c) over a few time steps.
 * - forward: h and c of every layer and step against a naive double LSTM (tests/support/naive_lstm.c),
 *   |diff| <= 1e-5 + 1e-5 |want|;
 * - backward through time: the loss L = sum_t,l (r_h . h_tl + r_c . c_tl) (random r, so every layer's h
 *   and c get an outside gradient) is differentiated with respect to every parameter, every input x_t
 *   and the initial state (h0, c0), and compared with central differences of the naive double LSTM
 *   (step 1e-6, error ~1e-10): |diff| <= 2e-6 + 2e-5 |fd| (float rounding in the analytic gradient);
 * - backward accumulates: every gradient buffer starts from random values that are subtracted after.
 * Two shapes: (batch 2, input 3, hidden 5, 2 layers, 3 steps) and (batch 1, input 4, hidden 3, 3 layers,
 * 4 steps).
 */
#include <string.h>

#include "common.h"
#include "lstm.h"
#include "naive_lstm.h"
#include "test_util.h"

enum { MAX_T = 4 };

typedef struct {
    int batch, input, hidden, layers, steps;
} Dims;

typedef struct {
    Dims d;
    size_t np, nx, ns; /* parameters, one step's input, one state (layers x batch x hidden) */
    float *params, *x, *h0, *c0, *rh, *rc;
} Problem;

static float *random_floats(size_t n, Rng *rng, double scale) {
    float *p = sn_alloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = (float)(scale * (2.0 * rng_uniform(rng) - 1.0));
    return p;
}

static double *to_double(const float *x, size_t n) {
    double *y = sn_alloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) y[i] = x[i];
    return y;
}

/* The loss in double, from double copies of everything (which the finite differences perturb). */
static double naive_loss(const Problem *p, const double *params, const double *x, const double *h0,
                         const double *c0) {
    Dims d = p->d;
    double *h = sn_alloc(2 * p->ns * sizeof(double)), *c = sn_alloc(2 * p->ns * sizeof(double));
    double loss = 0.0;
    const double *hp = h0, *cp = c0;
    for (int t = 0; t < d.steps; t++) {
        double *ht = h + (t % 2) * p->ns, *ct = c + (t % 2) * p->ns;
        naive_lstm_step(ht, ct, x + t * p->nx, hp, cp, params, d.batch, d.input, d.hidden, d.layers);
        for (size_t k = 0; k < p->ns; k++) loss += p->rh[t * p->ns + k] * ht[k] + p->rc[t * p->ns + k] * ct[k];
        hp = ht, cp = ct;
    }
    sn_free(h), sn_free(c);
    return loss;
}

/* Central differences of naive_loss along every entry of the array `which` (a double copy inside dd). */
static void fd_compare(const char *what, const Problem *p, double *dd[4], int which, size_t n, const float *grad) {
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double keep = dd[which][i], eps = 1e-6;
        dd[which][i] = keep + eps;
        double up = naive_loss(p, dd[0], dd[1], dd[2], dd[3]);
        dd[which][i] = keep - eps;
        double down = naive_loss(p, dd[0], dd[1], dd[2], dd[3]);
        dd[which][i] = keep;
        double fd = (up - down) / (2 * eps), err = fabs(fd - grad[i]) / (2e-6 + 2e-5 * fabs(fd));
        if (err > worst) worst = err;
        CHECK(err <= 1.0, "%s[%zu]: backward %.9g, finite difference %.9g", what, i, (double)grad[i], fd);
    }
    printf("  %-8s %4zu entries, worst error / tolerance %.3f\n", what, n, worst);
}

static void subtract(float *x, const float *base, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] -= base[i];
}

static void run_case(Dims d, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed, 0);
    Problem p = {.d = d, .np = lstm_num_params(d.input, d.hidden, d.layers), .nx = (size_t)d.batch * d.input,
                 .ns = (size_t)d.layers * d.batch * d.hidden};
    p.params = random_floats(p.np, &rng, 0.5);
    p.x = random_floats(p.nx * d.steps, &rng, 1.0);
    p.h0 = random_floats(p.ns, &rng, 0.5), p.c0 = random_floats(p.ns, &rng, 0.5);
    p.rh = random_floats(p.ns * d.steps, &rng, 1.0), p.rc = random_floats(p.ns * d.steps, &rng, 1.0);
    printf("batch %d input %d hidden %d layers %d steps %d (%zu parameters)\n", d.batch, d.input, d.hidden, d.layers,
           d.steps, p.np);

    /* float forward, keeping every step */
    float *h = sn_alloc((d.steps + 1) * p.ns * 4), *c = sn_alloc((d.steps + 1) * p.ns * 4);
    float *gates = sn_alloc(d.steps * p.ns * 16);
    memcpy(h, p.h0, p.ns * 4), memcpy(c, p.c0, p.ns * 4);
    for (int t = 0; t < d.steps; t++)
        lstm_forward_step(h + (t + 1) * p.ns, c + (t + 1) * p.ns, gates + t * p.ns * 4, p.x + t * p.nx, h + t * p.ns,
                          c + t * p.ns, p.params, d.batch, d.input, d.hidden, d.layers);

    double *dd[4] = {to_double(p.params, p.np), to_double(p.x, p.nx * d.steps), to_double(p.h0, p.ns),
                     to_double(p.c0, p.ns)};
    double *hd = sn_alloc(p.ns * 8), *cd = sn_alloc(p.ns * 8), *hprev = to_double(p.h0, p.ns);
    double *cprev = to_double(p.c0, p.ns);
    for (int t = 0; t < d.steps; t++) {
        naive_lstm_step(hd, cd, dd[1] + t * p.nx, hprev, cprev, dd[0], d.batch, d.input, d.hidden, d.layers);
        for (size_t k = 0; k < p.ns; k++) {
            CHECK_CLOSE(h[(t + 1) * p.ns + k], hd[k], 1e-5, 1e-5, "h vs naive");
            CHECK_CLOSE(c[(t + 1) * p.ns + k], cd[k], 1e-5, 1e-5, "c vs naive");
        }
        memcpy(hprev, hd, p.ns * 8), memcpy(cprev, cd, p.ns * 8);
    }

    /* backward through time into buffers that start from random values */
    float *base_p = random_floats(p.np, &rng, 1.0), *base_x = random_floats(p.nx * d.steps, &rng, 1.0);
    float *base_s = random_floats(2 * p.ns, &rng, 1.0);
    float *dparams = sn_alloc(p.np * 4), *dx = sn_alloc(p.nx * d.steps * 4), *dstate = sn_alloc((d.steps + 1) * 2 * p.ns * 4);
    float *dh = sn_alloc(p.ns * 4), *dc = sn_alloc(p.ns * 4), *scratch = sn_alloc(lstm_scratch_floats(d.batch, d.hidden) * 4);
    memcpy(dparams, base_p, p.np * 4), memcpy(dx, base_x, p.nx * d.steps * 4), memcpy(dstate, base_s, 2 * p.ns * 4);
    /* dstate + 2 t ns holds (dh, dc) reaching the state after step t - 1 (t = 0: the initial state) */
    for (int t = d.steps - 1; t >= 0; t--) {
        float *next = dstate + 2 * (t + 1) * p.ns;
        for (size_t k = 0; k < p.ns; k++) {
            dh[k] = p.rh[t * p.ns + k] + (t + 1 < d.steps ? next[k] : 0.0f);
            dc[k] = p.rc[t * p.ns + k] + (t + 1 < d.steps ? next[p.ns + k] : 0.0f);
        }
        float *prev = dstate + 2 * t * p.ns;
        lstm_backward_step(dx + t * p.nx, prev, prev + p.ns, dparams, scratch, dh, dc, p.x + t * p.nx,
                           h + (t + 1) * p.ns, c + (t + 1) * p.ns, gates + t * p.ns * 4, h + t * p.ns, c + t * p.ns,
                           p.params, d.batch, d.input, d.hidden, d.layers);
    }
    subtract(dparams, base_p, p.np), subtract(dx, base_x, p.nx * d.steps), subtract(dstate, base_s, 2 * p.ns);
    fd_compare("params", &p, dd, 0, p.np, dparams);
    fd_compare("x", &p, dd, 1, p.nx * d.steps, dx);
    fd_compare("h0", &p, dd, 2, p.ns, dstate);
    fd_compare("c0", &p, dd, 3, p.ns, dstate + p.ns);

    float *bufs[] = {p.params, p.x, p.h0, p.c0, p.rh, p.rc, h, c, gates, base_p, base_x, base_s, dparams, dx,
                     dstate, dh, dc, scratch};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) sn_free(bufs[i]);
    for (int i = 0; i < 4; i++) sn_free(dd[i]);
    sn_free(hd), sn_free(cd), sn_free(hprev), sn_free(cprev);
}

int main(void) {
    Dims a = {.batch = 2, .input = 3, .hidden = 5, .layers = 2, .steps = 3};
    Dims b = {.batch = 1, .input = 4, .hidden = 3, .layers = 3, .steps = MAX_T};
    run_case(a, 11);
    run_case(b, 12);
    /* the documented layout: layer 1 starts right after layer 0's four tensors */
    LstmLayerOffsets o0 = lstm_layer_offsets(32, 32, 0), o1 = lstm_layer_offsets(32, 32, 1);
    CHECK(o0.w_ih == 0 && o0.w_hh == 4096 && o0.b_ih == 8192 && o0.b_hh == 8320 && o1.w_ih == 8448,
          "layer offsets for hidden 32");
    CHECK(lstm_num_params(32, 32, 2) == 16896, "2 layers of hidden 32: %zu parameters", lstm_num_params(32, 32, 2));
    TEST_EXIT();
}
