/* cmd_rank.c: `supernet rank --scorer NAME [options]`: how well a score ranks the cells (rank/rank.h). */
#include "cli/cli.h"
#include "cli/commands.h"
#include "rank/rank.h"
#include "run/table_path.h"

int cmd_rank(int argc, char **argv) {
    RankArgs a = {.scorer = NULL, .cells = "all", .dataset = "cifar10-valid", .metric = "valid", .out = "logs/rank",
                  .table = NULL, .seed = 1, .json = 0};
    const CliOption options[] = {
        {"--scorer", CLI_CHOICE, &a.scorer, "what scores the cells: the cost baselines", RANK_SCORERS, 0, 0},
        {"--cells", CLI_STRING, &a.cells, "all (15,625), unique (one per isomorphism class, 6,466), sample:K (seeded), top:K (the table's best)", NULL, 0, 0},
        {"--dataset", CLI_CHOICE, &a.dataset, "the table's dataset compared with", "cifar10-valid|cifar10|cifar100|ImageNet16-120", 0, 0},
        {"--metric", CLI_CHOICE, &a.metric, "its x-valid or x-test column (cifar10-valid: valid; cifar10: test)", "valid|test", 0, 0},
        {"--seed", CLI_INT, &a.seed, "seed of sample:K", NULL, 0, 2147483647},
        {"--out", CLI_STRING, &a.out, "folder of rank.csv, rank.json, rank.png", NULL, 0, 0},
        {"--json", CLI_FLAG, &a.json, "print rank.json instead of the text summary", NULL, 0, 0},
        {"--table", CLI_STRING, &a.table, "benchmark table file; when unset: $SUPERNET_TABLE, then data/" TABLE_FILE_NAME " beside the build or in the source tree", NULL, 0, 0},
    };
    const CliSpec spec = {.command = "rank",
                          .summary = "Rank cells by a score and compare the ranking with the benchmark table's (Kendall, Spearman, precision@k).",
                          .synopsis = "--scorer NAME [options]", .options = options, .n_options = CLI_COUNT(options)};
    cli_parse(&spec, argc, argv, NULL);
    if (!a.scorer) cli_usage_error(&spec, "--scorer is required (" RANK_SCORERS ")");
    return rank_run(&a);
}
