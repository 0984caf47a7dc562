/* cmd_rank.c: `supernet rank RUNDIR | --scorer NAME [options]`: how well a score ranks the cells (rank/rank.h). */
#include "cli/cli.h"
#include "cli/commands.h"
#include "rank/rank.h"
#include "rank/zero_cost.h"
#include "run/table_path.h"

enum { ZERO_COST_IMAGES = 64, SUPERNET_IMAGES = 256 };

/* Flags that mean nothing for the chosen scorer are mistakes, not silently ignored. */
static void check_applies(const CliSpec *spec, const RankArgs *a) {
    int zero_cost = a->scorer && zero_cost_find(a->scorer) >= 0;
    if (!a->run_dir == !a->scorer) cli_usage_error(spec, "give a search run's folder (the supernet scorer) or --scorer NAME, not %s", a->run_dir ? "both" : "neither");
    if (a->bn_recalibrate && !a->run_dir) cli_usage_error(spec, "--bn-recalibrate applies to the supernet scorer (RUNDIR) only");
    if (a->data && !zero_cost) cli_usage_error(spec, "--data applies to the zero-cost scorers only (the supernet scorer uses its run's data)");
    if (a->images >= 0 && !zero_cost && !a->run_dir) cli_usage_error(spec, "--images applies to the zero-cost and supernet scorers only");
}

int cmd_rank(int argc, char **argv) {
    RankArgs a = {.scorer = NULL, .cells = "all", .dataset = "cifar10-valid", .metric = "valid", .out = "logs/rank",
                  .table = NULL, .seed = 1, .json = 0, .images = -1, .threads = 2};
    const CliOption options[] = {
        {"--scorer", CLI_CHOICE, &a.scorer, "a scorer instead of a run's supernet: the cost baselines or a zero-cost proxy", RANK_SCORERS, 0, 0, 0},
        {"--cells", CLI_STRING, &a.cells, "all (15,625), unique (one per isomorphism class, 6,466), sample:K (seeded), top:K (the table's best)", NULL, 0, 0, 0},
        {"--images", CLI_INT, &a.images, "images per cell: the zero-cost batch (default 64), the supernet's search-valid images (default 256)", NULL, 1, 1 << 20, 0},
        {"--bn-recalibrate", CLI_INT, &a.bn_recalibrate, "supernet scorer: re-estimate the running statistics for each cell from this many training batches", NULL, 0, 1000, 0},
        {"--data", CLI_STRING, &a.data, "zero-cost scorers: the dataset folder (default: the embedded CIFAR-10 subset)", NULL, 0, 0, 0},
        {"--dataset", CLI_CHOICE, &a.dataset, "the table's dataset compared with", "cifar10-valid|cifar10|cifar100|ImageNet16-120", 0, 0, 0},
        {"--metric", CLI_CHOICE, &a.metric, "its x-valid or x-test column (cifar10-valid: valid; cifar10: test)", "valid|test", 0, 0, 0},
        {"--seed", CLI_INT, &a.seed, "seed of sample:K, of the images drawn and of the zero-cost networks' initialisation", NULL, 0, 2147483647, 0},
        {"--threads", CLI_INT, &a.threads, "OpenMP threads", NULL, 1, 256, 0},
        {"--out", CLI_STRING, &a.out, "folder of rank.csv, rank.json, rank.png", NULL, 0, 0, 0},
        {"--json", CLI_FLAG, &a.json, "print rank.json instead of the text summary", NULL, 0, 0, 0},
        {"--table", CLI_STRING, &a.table, "benchmark table file; when unset: $SUPERNET_TABLE, then data/" TABLE_FILE_NAME " beside the build or in the source tree", NULL, 0, 0, 0},
    };
    const CliSpec spec = {.command = "rank",
                          .summary = "Rank cells by a supernet's or a proxy's score and compare the ranking with the benchmark table's (Kendall, Spearman, precision@k).",
                          .synopsis = "RUNDIR | --scorer NAME [options]", .options = options, .n_options = CLI_COUNT(options),
                          .min_positional = 0, .max_positional = 1};
    char *run_dir[1] = {NULL};
    cli_parse(&spec, argc, argv, run_dir);
    a.run_dir = run_dir[0];
    check_applies(&spec, &a);
    if (a.images < 0) a.images = a.run_dir ? SUPERNET_IMAGES : ZERO_COST_IMAGES;
    return rank_run(&a);
}
