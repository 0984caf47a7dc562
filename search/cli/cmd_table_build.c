/* cmd_table_build.c: `supernet table-build`, the maintenance command that converts the benchmark
 * CSVs into data/nasbench201.sntab and checks the result by loading it back. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "common.h"
#include "table.h"

int cmd_table_build(int argc, char **argv) {
    const char *all = "../shared/benchmark/nasbench201_tss_all.csv";
    const char *seeds = "../shared/benchmark/nasbench201_tss_per_seed_200.csv";
    const char *out = "data/nasbench201.sntab";
    const CliOption options[] = {
        {"--all", CLI_STRING, &all, "the main table CSV", NULL, 0, 0, 0},
        {"--seeds", CLI_STRING, &seeds, "the per-seed 200-epoch CSV", NULL, 0, 0, 0},
        {"--out", CLI_STRING, &out, "table file to write (atomically)", NULL, 0, 0, 0},
    };
    const CliSpec spec = {.command = "table-build",
                          .summary = "Build the binary benchmark table from the NAS-Bench-201 CSVs (maintenance).",
                          .synopsis = "[options]", .options = options, .n_options = CLI_COUNT(options)};
    cli_parse(&spec, argc, argv, NULL);
    double t0 = sn_now();
    table_build(all, seeds, out);
    Table *t = table_load(out);
    printf("wrote %s: %d cells, %d seed rows (%.2f s)\n", out, TABLE_N_ARCHS, t->n_seed_rows, sn_now() - t0);
    table_free(t);
    return 0;
}
