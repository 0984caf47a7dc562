/* methods.c: the method table and its look-ups (see methods.h). */
#include "methods.h"

#include <stdio.h>
#include <string.h>

/* The paper's rows as {mean, std} pairs per column, in TableColumn order. */
#define ROW(c10v, c10vs, c10t, c10ts, c100v, c100vs, c100t, c100ts, in16v, in16vs, in16t, in16ts) \
    {.mean = {c10v, c10t, c100v, c100t, in16v, in16t}, .std = {c10vs, c10ts, c100vs, c100ts, in16vs, in16ts}}
/* DARTS-V1/V2 (and ENAS in the v1.1 summary) all end at the all-skip cell, whose row this is. */
#define ALL_SKIP_ROW ROW(39.77, 0, 54.30, 0, 15.03, 0, 15.61, 0, 16.43, 0, 16.32, 0)

const char *const PAPER_ROW_LABELS[PAPER_N_ROWS] = {"paper Table 5 (v1.0, BN=1)", "paper, v1.1 summary (BN=0)"};

/* epoch_cost, per training image with GDAS = 1, measured with the paper-reduced settings on one core
 * of an AMD EPYC beside a second run (GDAS 36 s, DARTS-V1 200 s, RSPS about 38 s per 5,000-image
 * epoch); SETN, ENAS and DARTS-V2 from their 2-epoch c10-reduced runs relative to RSPS and DARTS-V1
 * (search/strategies/README.md "Measured"). Only the order of ablation runs depends on it. */
const Method METHODS[] = {
    {.name = "darts-v1", .kind = METHOD_WEIGHT_SHARING, .epoch_cost = 5.6, .strategy = &STRATEGY_DARTS_V1,
     .summary = "DARTS, first order: weight step then arch step on softmax(alpha) (REFERENCE 6.1)",
     .paper = {ALL_SKIP_ROW, ALL_SKIP_ROW}},
    {.name = "darts-v2", .kind = METHOD_WEIGHT_SHARING, .epoch_cost = 10.8, .strategy = &STRATEGY_DARTS_V2,
     .summary = "DARTS, second order: unrolled arch step (finite-difference Hessian), then weight step (REFERENCE 6.2)",
     .paper = {ALL_SKIP_ROW, ALL_SKIP_ROW}},
    {.name = "gdas", .kind = METHOD_WEIGHT_SHARING, .epoch_cost = 1, .strategy = &STRATEGY_GDAS,
     .summary = "GDAS: Gumbel-softmax sampled ops, one draw for the weight step and one for the arch step (REFERENCE 6.3)",
     .paper = {ROW(89.89, 0.08, 93.61, 0.09, 71.34, 0.04, 70.70, 0.30, 41.59, 1.33, 41.71, 0.98),
               ROW(90.00, 0.21, 93.51, 0.13, 71.14, 0.27, 70.61, 0.26, 41.70, 1.26, 41.84, 0.90)}},
    {.name = "setn", .kind = METHOD_WEIGHT_SHARING, .epoch_cost = 3.0, .strategy = &STRATEGY_SETN,
     .summary = "SETN: uniform random cell for the weight step, DARTS joint arch step; best of the top cells by alpha (REFERENCE 6.4)",
     .paper = {ROW(84.04, 0.28, 87.64, 0.00, 58.86, 0.06, 59.05, 0.24, 33.06, 0.02, 32.52, 0.21),
               ROW(82.25, 5.17, 86.19, 4.63, 56.86, 7.59, 56.87, 7.77, 32.54, 3.63, 31.90, 4.07)}},
    {.name = "rsps", .kind = METHOD_WEIGHT_SHARING, .epoch_cost = 1.1, .strategy = &STRATEGY_RSPS,
     .summary = "RSPS: a uniform random cell per weight step; best of random candidates on one valid batch each (REFERENCE 6.5)",
     .paper = {ROW(80.42, 3.58, 84.07, 3.61, 52.12, 5.55, 52.31, 5.77, 27.22, 3.24, 26.28, 3.09),
               ROW(84.16, 1.69, 87.66, 1.69, 59.00, 4.60, 58.33, 4.34, 31.56, 3.28, 31.14, 3.88)}},
    {.name = "enas", .kind = METHOD_WEIGHT_SHARING, .epoch_cost = 1.6, .strategy = &STRATEGY_ENAS,
     .summary = "ENAS: LSTM controller samples the cell of every weight step, trained by REINFORCE on valid batches (REFERENCE 6.6)",
     .paper = {ROW(37.51, 3.19, 53.89, 0.58, 13.37, 2.35, 13.96, 2.33, 15.06, 1.95, 14.84, 2.10), ALL_SKIP_ROW}},
    {.name = "rs", .kind = METHOD_TABLE_ONLY, .run_on_table = mt_run_rs,
     .summary = "random search on the table: uniform cells until the budget is spent (REFERENCE 7.2)",
     .paper = {ROW(90.93, .36, 93.70, .36, 70.93, 1.09, 71.04, 1.07, 44.45, 1.10, 44.57, 1.25),
               ROW(90.93, .36, 93.70, .36, 70.93, 1.09, 71.04, 1.07, 44.45, 1.10, 44.57, 1.25)}},
    {.name = "rea", .kind = METHOD_TABLE_ONLY, .run_on_table = mt_run_rea,
     .summary = "regularised evolution on the table: population 10, tournament 3, one-edge mutations (REFERENCE 7.3)",
     .paper = {ROW(91.04, .47, 93.81, .45, 71.41, 1.33, 71.50, 1.24, 44.79, 1.27, 45.10, 1.47),
               ROW(91.19, .31, 93.92, .30, 71.81, 1.12, 71.84, .99, 45.15, .89, 45.54, 1.03)}},
    {.name = "reinforce", .kind = METHOD_TABLE_ONLY, .run_on_table = mt_run_reinforce,
     .summary = "REINFORCE on the table: a 6x5 softmax policy with a moving-average baseline (REFERENCE 7.4)",
     .paper = {ROW(89.81, .92, 92.99, .96, 69.75, 1.62, 69.85, 1.64, 43.15, 2.42, 43.40, 2.53),
               ROW(91.09, .37, 93.85, .37, 71.61, 1.12, 71.71, 1.09, 45.05, 1.02, 45.24, 1.18)}},
    {.name = "bohb", .kind = METHOD_TABLE_ONLY, .run_on_table = mt_run_bohb,
     .summary = "BOHB on the table: Hyperband rungs with a KDE model over cells (REFERENCE 7.5)",
     .paper = {ROW(90.82, .53, 93.61, .52, 70.74, 1.29, 70.85, 1.28, 44.26, 1.36, 44.42, 1.49),
               ROW(90.82, .53, 93.61, .52, 70.74, 1.29, 70.85, 1.28, 44.26, 1.36, 44.42, 1.49)}},
};
const int N_METHODS = (int)(sizeof METHODS / sizeof METHODS[0]);

const Method *method_find(const char *name) {
    for (int i = 0; i < N_METHODS; i++)
        if (strcmp(METHODS[i].name, name) == 0) return &METHODS[i];
    return NULL;
}

void method_names(MethodKind kind, char *out, size_t n) {
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < N_METHODS; i++)
        if (METHODS[i].kind == kind && used < n)
            used += (size_t)snprintf(out + used, n - used, "%s%s", used ? "|" : "", METHODS[i].name);
}

void methods_print_help(void) {
    printf("\nmethods (supernet search --method NAME):\n");
    for (int i = 0; i < N_METHODS; i++)
        printf("  %-10s %-15s %s\n", METHODS[i].name,
               METHODS[i].kind == METHOD_WEIGHT_SHARING ? "weight-sharing" : "table only", METHODS[i].summary);
}

void method_config_name(const char *method, const char *profile, char *out, size_t n) {
    if (profile && *profile) snprintf(out, n, "%s-%s.cfg", method, profile);
    else snprintf(out, n, "%s.cfg", method);
}
