/* cmd_bench.c: `supernet bench --mode M`: dispatch to the mode's benchmark (see bench.h). */
#include <blis.h>
#include <omp.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "common.h"
#include "supernet.h"
#include "dist/dist.h"

typedef struct {
    const char *name;
    void (*run)(const BenchArgs *args);
} BenchMode;

static const BenchMode BENCH_MODES[] = {
    {"darts", bench_net},
    {"gdas", bench_net},
    {"discrete", bench_net},
    {"eval", bench_net},
    {"train", bench_net},
    {"kernels", bench_kernels},
    {"data", bench_data},
};
#define N_BENCH_MODES ((int)(sizeof BENCH_MODES / sizeof BENCH_MODES[0]))

int cmd_bench(int argc, char **argv) {
    BenchArgs a = {.mode = "darts", .batch = 64, .steps = 20, .threads = omp_get_max_threads(), .json = 0, .data = NULL,
                   .profile = 0, .arch = "333333", .direct_conv = 0, .precision = "fp32"};
    const CliOption options[] = {
        {"--mode", CLI_CHOICE, &a.mode, "what to time", "darts|gdas|discrete|eval|train|kernels|data", 0, 0, 0},
        {"--batch", CLI_INT, &a.batch, "images per step", NULL, 1, 65536, 0},
        {"--steps", CLI_INT, &a.steps, "timed steps after the warm-up", NULL, 1, 1000000, 0},
        {"--threads", CLI_INT, &a.threads, "OpenMP threads", NULL, 1, 1024, 0},
        {"--json", CLI_FLAG, &a.json, "print one JSON object instead of a table", NULL, 0, 0, 0},
        {"--data", CLI_STRING, &a.data, "dataset folder (modes that read data)", NULL, 0, 0, 0},
        {"--profile", CLI_FLAG, &a.profile, "network modes: time per kind of kernel", NULL, 0, 0, 0},
        {"--arch", CLI_STRING, &a.arch, "eval and train modes: the cell (string or 6-digit code)", NULL, 0, 0, 0},
        {"--direct-conv", CLI_FLAG, &a.direct_conv, "network modes: direct convolutions only (no Winograd)", NULL, 0, 0, 0},
        {"--precision", CLI_CHOICE, &a.precision, "network modes: bf16 convolutions, or all fp32", SUPERNET_PRECISIONS, 0, 0, 0},
    };
    const CliSpec spec = {.command = "bench", .summary = "Time the engine's building blocks and report throughput.",
                          .synopsis = "[options]", .options = options, .n_options = CLI_COUNT(options)};
    cli_parse(&spec, argc, argv, NULL);
    omp_set_num_threads(a.threads);
    bli_thread_set_num_threads(a.threads);
    int m = 0; /* cli_parse accepted a --mode of the choice list only, and every choice has its row */
    while (m < N_BENCH_MODES && strcmp(a.mode, BENCH_MODES[m].name) != 0) m++;
    SN_ASSERT(m < N_BENCH_MODES, "bench mode %s has no row in BENCH_MODES", a.mode);
    const char *why = supernet_precision_unavailable(a.precision);
    if (why) cli_usage_error(&spec, "%s", why);
    if (dist_size() > 1 && BENCH_MODES[m].run != bench_net)
        cli_usage_error(&spec, "--mode %s runs in one process; under mpirun only the network modes are data-parallel", a.mode);
    BENCH_MODES[m].run(&a);
    return 0;
}
