/*
 * multitrial.h: the benchmark-only searches of REFERENCE 7: random search (RS), regularised
 * evolution (REA), REINFORCE and BOHB. None trains anything: each "evaluation" reads a cell's
 * 12-epoch validation accuracy from the table (the seed mean, REFERENCE 12.8) and charges its
 * simulated 12-epoch training time against the budget. The answer is reported with the cell's
 * 200-epoch accuracies.
 *
 * Runs are independent: run r draws only from rng_seed(seed, r), so the results do not depend on
 * the number of threads the runs are spread over.
 */
#ifndef SN_MULTITRIAL_H
#define SN_MULTITRIAL_H

#include <stdint.h>

#include "arch.h"
#include "common.h"
#include "table.h"

typedef struct {
    TableColumn fitness_col; /* 12-epoch validation column: COL_C10_VALID, COL_C100_VALID or COL_IN16_VALID */
    double budget;           /* simulated seconds */
    int runs;
    uint64_t seed;
    int rea_population, rea_sample; /* 10, 3 */
    double rl_lr, rl_ema;           /* 0.5, 0.9 */
} MtConfig;

/* The defaults of REFERENCE 4.2 / 7 (the same for every method). */
MtConfig mt_default_config(void);

typedef struct {
    int best_code;       /* the answer, as an op code */
    int n_evaluated;     /* architectures in the answer's pool (see README "Table-only searches") */
    double sim_seconds;  /* simulated training time charged */
    double wall_seconds; /* the algorithm's own wall time for this run */
} MtRunResult;

/* The fitness oracle shared by all methods: one evaluation of cell `code`. */
typedef struct {
    const Table *table;
    TableColumn fitness_col;
    double budget;
} MtOracle;

typedef struct {
    double accuracy; /* 12-epoch validation accuracy, percent */
    double cost;     /* simulated seconds */
} MtEval;

MtEval mt_evaluate(const MtOracle *o, int code);
int mt_random_code(Rng *rng); /* each edge uniform over the 5 ops */

/* One simulated search: the type of every method's run function (the method table's rows). */
typedef MtRunResult (*MtRunFn)(const MtOracle *o, const MtConfig *c, Rng *rng);

MtRunResult mt_run_rs(const MtOracle *o, const MtConfig *c, Rng *rng);
MtRunResult mt_run_rea(const MtOracle *o, const MtConfig *c, Rng *rng);
MtRunResult mt_run_reinforce(const MtOracle *o, const MtConfig *c, Rng *rng);
MtRunResult mt_run_bohb(const MtOracle *o, const MtConfig *c, Rng *rng);

/* Runs c->runs independent runs of `run`, spread over the current OpenMP threads; results[r] is run r. */
void multitrial_run(const Table *t, MtRunFn run, const MtConfig *c, MtRunResult *results);

#endif
