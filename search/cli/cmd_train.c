/*
 * cmd_train.c: `supernet train --arch A | --from RUNDIR [options] | --resume RUNDIR`: one cell trained
 * from scratch with a benchmark recipe (train/train.h).
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "common.h"
#include "run/table_path.h"
#include "train/train.h"
#include "train/train_setting.h"

int cmd_train(int argc, char **argv) {
    const char *arch = NULL, *cells = NULL, *report = NULL, *against = NULL, *set_help = NULL;
    const char **sets = sn_alloc(sizeof(char *) * (size_t)(argc + 1));
    TrainArgs a = {.code = -1, .recipe = "nb201-12", .epochs = -1, .batch = -1, .seed = -1,
                   .threads = omp_get_max_threads(), .logs_dir = "logs"};
    const CliOption options[] = {
        {"--arch", CLI_STRING, &arch, "the cell: an architecture string (|op~0|+...), a benchmark index or a 6-digit op code", NULL, 0, 0, 0},
        {"--cells", CLI_STRING, &cells, "a study: these cells (comma-separated, as --arch), each into <logs>/cell-<index>; reruns skip finished cells and resume the others", NULL, 0, 0, 0},
        {"--report", CLI_STRING, &report, "a study's folder: every finished run beside the table, rank correlations, comparison.{md,csv,png}", NULL, 0, 0, 0},
        {"--against", CLI_STRING, &against, "--report: compare with this benchmark dataset's accuracies instead of each run's own (e.g. cifar10-valid)", NULL, 0, 0, 0},
        {"--from", CLI_STRING, &a.from, "train the chosen cell of this finished search run (and its --data unless given)", NULL, 0, 0, 0},
        {"--recipe", CLI_CHOICE, &a.recipe, "the benchmark's training recipe (configs/train/<recipe>.cfg)", TRAIN_RECIPES, 0, 0, 0},
        {"--data", CLI_STRING, &a.data, "dataset folder; when unset the embedded CIFAR-10 subset", NULL, 0, 0, 0},
        {"--dataset", CLI_CHOICE, &a.setting, "what trains and what is evaluated (search/train/README.md); when unset the data's default: cifar10-valid for CIFAR-10", TRAIN_SETTING_NAMES, 0, 0, 0},
        {"--epochs", CLI_INT, &a.epochs, "epochs (-1: the recipe's; another count changes the recipe)", NULL, -1, 100000, 0},
        {"--batch", CLI_INT, &a.batch, "training batch (-1: the recipe's 256)", NULL, -1, 4096, 0},
        {"--seed", CLI_INT, &a.seed, "seed of the weight initialisation and the data order (-1: 1)", NULL, -1, 2147483647, 0},
        {"--set", CLI_STRING, &set_help, "key=value overriding a training key (repeatable; search/train/README.md lists them)", NULL, 0, 0, 0},
        {"--threads", CLI_INT, &a.threads, "OpenMP threads", NULL, 1, 1024, 0},
        {"--logs", CLI_STRING, &a.logs_dir, "folder of run directories", NULL, 0, 0, 0},
        {"--run", CLI_STRING, &a.run_name, "run name; when unset train-<code>-<dataset>-<recipe>-s<seed>-<UTC time>", NULL, 0, 0, 0},
        {"--resume", CLI_STRING, &a.resume, "continue the run in this directory from its checkpoint", NULL, 0, 0, 0},
        {"--table", CLI_STRING, &a.table, "benchmark table file; when unset: $SUPERNET_TABLE, then data/" TABLE_FILE_NAME " beside the build or in the source tree", NULL, 0, 0, 0},
        {"--quiet", CLI_FLAG, &a.quiet, "print only the final summary", NULL, 0, 0, 0},
    };
    const CliSpec spec = {.command = "train",
                          .summary = "Train one cell from scratch with the benchmark's recipe and compare it with the table.",
                          .synopsis = "--arch A | --from RUNDIR | --cells A,B,... [options] | --resume RUNDIR | --report DIR",
                          .options = options,
                          .n_options = CLI_COUNT(options)};
    argc = cli_take_sets(&spec, argc, argv, sets, &a.n_sets);
    a.sets = sets;
    cli_parse(&spec, argc, argv, NULL);
    if (!!arch + !!a.from + !!a.resume + !!cells + !!report != 1)
        cli_usage_error(&spec, "give exactly one of --arch, --from, --cells, --resume and --report");
    if (against && !report) cli_usage_error(&spec, "--against goes with --report");
    if (report) {
        sn_free(sets);
        return train_report(report, against, a.table);
    }
    Table *t = table_open(a.table);
    int n = 0, *codes = sn_alloc(sizeof(int) * (cells ? strlen(cells) + 1 : 1));
    if (arch) a.code = table_arch(t, cli_resolve_cell(&spec, t, arch))->code;
    if (cells) {
        char *list = sn_strdup(cells);
        for (char *word = strtok(list, ","); word; word = strtok(NULL, ",")) codes[n++] = table_arch(t, cli_resolve_cell(&spec, t, word))->code;
        sn_free(list);
    }
    table_free(t);
    if (cells && n == 0) cli_usage_error(&spec, "--cells %s: no cell", cells);
    int status = cells ? train_cells(&a, codes, n) : train_cell(&a);
    sn_free(codes);
    sn_free(sets);
    return status;
}
