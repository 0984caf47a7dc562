/*
 * bohb.c: BOHB (REFERENCE 7.5 and 12.5) as hpbandster runs it with one worker, written here in C.
 *
 * Hyperband with eta = 3 over budgets 200/9, 200/3, 200 (min 12, max 200; s_max = 2), 50 iterations:
 * iteration i runs successive halving with s = 2 - i mod 3 (9 -> 3 -> 1, 3 -> 1, or 3 configs).
 * New configs come from a TPE-like model: per budget level, once it has at least 14 results, the best
 * 15 % (at least 7) and the next 85 % (at least 7) form a "good" and a "bad" kernel density over the
 * 6 categorical dimensions (Aitchison-Aitken kernels, normal-reference bandwidth 1.06 sd n^-1/10,
 * at least 0.3). A proposal perturbs a random good point (each dimension kept with probability
 * 1 - bandwidth, else uniform); of 4 proposals the one with the lowest bad/good density ratio wins.
 * The model of the largest budget that has one is used; results at smaller budgets stop being
 * recorded once a larger budget has a model.
 *
 * The evaluation ignores the Hyperband budget (the table has no learning curves): every evaluation,
 * including a promoted config's re-evaluation, charges the 12-epoch time and returns
 * 100 - 12-epoch accuracy. The first evaluation that does not fit ends the search: it and all later
 * ones return loss 100 uncharged, so the incumbent (the lowest loss at the largest budget, the
 * earliest on ties) can no longer change and the run stops there.
 */
#include <math.h>
#include <string.h>

#include "table_only/multitrial.h"

enum { LEVELS = 3, MAX_STAGE_CONFIGS = 9, N_ITERATIONS = 50, MAX_OBS = 1024, MIN_POINTS = ARCH_N_EDGES + 1,
       TOP_PERCENT = 15, N_PROPOSALS = 4 };
static const double MIN_BANDWIDTH = 0.3;

typedef struct {
    int n;
    uint8_t x[MAX_OBS][ARCH_N_EDGES];
    double bw[ARCH_N_EDGES];
    int levels[ARCH_N_EDGES]; /* distinct values per dimension: the kernel's number of categories */
} Kde;

typedef struct {
    int n;
    Arch x[MAX_OBS];
    double loss[MAX_OBS];
    int has_model;
    Kde good, bad;
} Level;

typedef struct {
    const MtOracle *oracle;
    const MtConfig *config;
    Rng *rng;
    Level level[LEVELS];
    int ended;
    double best_loss;
    MtRunResult result;
} Bohb;

/* ---------------------------------------------------------------------------------------------
 * The kernel density model. */

static void kde_fit(Kde *k, const Level *lv, const int *order, int n) {
    k->n = n;
    for (int i = 0; i < n; i++) memcpy(k->x[i], lv->x[order[i]].op, ARCH_N_EDGES);
    for (int d = 0; d < ARCH_N_EDGES; d++) {
        double sum = 0, sq = 0;
        int seen[ARCH_N_OPS] = {0};
        k->levels[d] = 0;
        for (int i = 0; i < n; i++) sum += k->x[i][d];
        for (int i = 0; i < n; i++) {
            sq += (k->x[i][d] - sum / n) * (k->x[i][d] - sum / n);
            k->levels[d] += !seen[k->x[i][d]]++;
        }
        k->bw[d] = fmax(1.06 * sqrt(sq / n) * pow(n, -1.0 / (4 + ARCH_N_EDGES)), MIN_BANDWIDTH);
    }
}

/* Mean over the points of the product of per-dimension Aitchison-Aitken kernels. A dimension with a
 * single category divides by zero, as the reference does: +inf off that category. */
static double kde_pdf(const Kde *k, const uint8_t *x) {
    double sum = 0;
    for (int i = 0; i < k->n; i++) {
        double p = 1;
        for (int d = 0; d < ARCH_N_EDGES; d++)
            p *= (x[d] == k->x[i][d]) ? 1 - k->bw[d] : k->bw[d] / (double)(k->levels[d] - 1);
        sum += p;
    }
    return sum / k->n;
}

static int by_loss(const Level *lv, int a, int b) { return lv->loss[a] > lv->loss[b]; }

/* Records a result and refits that budget's model (hpbandster's BOHB.new_result). */
static void new_result(Bohb *b, int lvl, const Arch *x, double loss) {
    for (int l = lvl + 1; l < LEVELS; l++)
        if (b->level[l].has_model) return;
    Level *lv = &b->level[lvl];
    SN_ASSERT(lv->n < MAX_OBS, "BOHB: more than %d results at one budget", MAX_OBS);
    lv->x[lv->n] = *x;
    lv->loss[lv->n++] = loss;
    int n = lv->n;
    if (n < MIN_POINTS) return;
    int order[MAX_OBS];
    for (int i = 0; i < n; i++) { /* stable insertion sort by loss */
        int j = i;
        for (; j > 0 && by_loss(lv, order[j - 1], i); j--) order[j] = order[j - 1];
        order[j] = i;
    }
    int n_good = TOP_PERCENT * n / 100 > MIN_POINTS ? TOP_PERCENT * n / 100 : MIN_POINTS;
    int n_bad = (100 - TOP_PERCENT) * n / 100 > MIN_POINTS ? (100 - TOP_PERCENT) * n / 100 : MIN_POINTS;
    if (n_good > n) n_good = n;
    if (n_good + n_bad > n) n_bad = n - n_good;
    if (n_good <= ARCH_N_EDGES || n_bad <= ARCH_N_EDGES) return;
    kde_fit(&lv->good, lv, order, n_good);
    kde_fit(&lv->bad, lv, order + n_good, n_bad);
    lv->has_model = 1;
}

/* Python's max(a, b): b only if b > a, so a NaN second argument loses and a NaN first one wins. */
static double py_max(double a, double b) { return b > a ? b : a; }

static Arch get_config(Bohb *b) {
    const Level *lv = NULL;
    for (int l = LEVELS - 1; l >= 0 && !lv; l--)
        if (b->level[l].has_model) lv = &b->level[l];
    if (!lv) return arch_from_code(mt_random_code(b->rng));
    double best = INFINITY;
    int found = 0;
    Arch pick;
    for (int s = 0; s < N_PROPOSALS; s++) {
        const uint8_t *datum = lv->good.x[rng_below(b->rng, (uint32_t)lv->good.n)];
        Arch v;
        for (int d = 0; d < ARCH_N_EDGES; d++)
            v.op[d] = rng_uniform(b->rng) < 1 - lv->good.bw[d] ? datum[d] : (uint8_t)rng_below(b->rng, ARCH_N_OPS);
        double good = kde_pdf(&lv->good, v.op), bad = kde_pdf(&lv->bad, v.op);
        double ratio = py_max(1e-32, bad) / py_max(good, 1e-32);
        if (!isfinite(ratio) && isfinite(good)) {
            pick = v, found = 1;
            break;
        }
        if (ratio < best) best = ratio, pick = v, found = 1;
    }
    return found ? pick : arch_from_code(mt_random_code(b->rng));
}

/* ---------------------------------------------------------------------------------------------
 * Hyperband. */

/* One evaluation at budget level `lvl`; returns its loss. */
static double evaluate(Bohb *b, int lvl, const Arch *x) {
    double loss = 100;
    if (!b->ended) {
        MtEval e = mt_evaluate(b->oracle, arch_to_code(x));
        if (b->result.sim_seconds + e.cost <= b->config->budget) {
            b->result.sim_seconds += e.cost;
            b->result.n_evaluated++;
            loss = 100 - e.accuracy;
        } else {
            b->ended = 1;
        }
    }
    if (lvl == LEVELS - 1 && loss < b->best_loss) b->best_loss = loss, b->result.best_code = arch_to_code(x);
    new_result(b, lvl, x, loss);
    return loss;
}

static int finished(const Bohb *b) { return b->ended && b->result.best_code >= 0; }

/* Keeps the `keep` lowest-loss configs (earlier ones first on ties), in their original order. */
static int promote(Arch *x, double *loss, int n, int keep) {
    int kept = 0;
    for (int i = 0; i < n; i++) {
        int rank = 0;
        for (int j = 0; j < n; j++) rank += loss[j] < loss[i] || (loss[j] == loss[i] && j < i);
        if (rank < keep) x[kept++] = x[i];
    }
    return kept;
}

static void successive_halving(Bohb *b, int s) {
    Arch x[MAX_STAGE_CONFIGS];
    double loss[MAX_STAGE_CONFIGS];
    int n = 0, n0 = LEVELS / (s + 1); /* hpbandster: floor(3 / (s + 1)) * eta^s configs */
    for (int k = 0; k < s; k++) n0 *= 3;
    for (int stage = 0; stage <= s && !finished(b); stage++) {
        int lvl = LEVELS - 1 - s + stage;
        if (stage == 0) {
            for (n = 0; n < n0 && !finished(b); n++) { /* configs are drawn one by one, after each result */
                x[n] = get_config(b);
                loss[n] = evaluate(b, lvl, &x[n]);
            }
            continue;
        }
        int want = n0;
        for (int k = 0; k < stage; k++) want /= 3;
        n = promote(x, loss, n, want > 1 ? want : 1);
        for (int i = 0; i < n && !finished(b); i++) loss[i] = evaluate(b, lvl, &x[i]);
    }
}

MtRunResult mt_run_bohb(const MtOracle *o, const MtConfig *c, Rng *rng) {
    Bohb *b = sn_alloc(sizeof *b);
    b->oracle = o, b->config = c, b->rng = rng;
    b->best_loss = INFINITY;
    b->result.best_code = -1;
    for (int i = 0; i < N_ITERATIONS && !finished(b); i++) successive_halving(b, LEVELS - 1 - i % LEVELS);
    MtRunResult r = b->result;
    sn_free(b);
    return r;
}
