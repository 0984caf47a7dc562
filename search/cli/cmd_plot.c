/*
 * cmd_plot.c: `supernet plot RUNDIR [RUNDIR...]` draws the charts of plot.h from the runs'
 * epochs.csv. The derivation chart takes every run (one line each); the alpha and ops charts are
 * drawn per run, into each run's directory.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "common.h"
#include "plot/plot.h"

typedef struct {
    const char *out, *kind, *datasets, *metric;
    int width, height;
} PlotArgs;

/* "cifar10,cifar100,ImageNet16-120" (any subset, any order; imagenet16 also accepted) -> bitmask. */
static int parse_datasets(const CliSpec *spec, const char *list) {
    static const char *const NAMES[3][2] = {{"cifar10", "cifar10"}, {"cifar100", "cifar100"}, {"ImageNet16-120", "imagenet16"}};
    int mask = 0;
    for (const char *s = list; *s;) {
        size_t n = strcspn(s, ",");
        int found = 0;
        for (int d = 0; d < 3; d++)
            for (int k = 0; k < 2; k++)
                if (strlen(NAMES[d][k]) == n && strncmp(s, NAMES[d][k], n) == 0) found = 1, mask |= 1 << d;
        if (!found) cli_usage_error(spec, "--dataset: unknown dataset '%.*s' (use cifar10, cifar100, ImageNet16-120)", (int)n, s);
        s += n + (s[n] == ',');
    }
    if (!mask) cli_usage_error(spec, "--dataset needs at least one dataset");
    return mask;
}

static void check(int rc, const char *err) {
    if (rc != 0) sn_die(SN_EXIT_USAGE, "%s", err);
}

typedef enum { CHART_ALPHA, CHART_OPS, CHART_RANKING } RunChart;

/* One run's alpha, ops or ranking chart: to -o when given (one run only), else into the run directory. */
static void per_run_chart(RunChart kind, const RunEpochs *run, const char *dir, const char *out, const PlotOptions *opt) {
    static const char *const FILES[] = {"alpha.png", "ops.png", "ranking.png"};
    char path[4096], err[600];
    if (out) snprintf(path, sizeof path, "%s", out);
    else snprintf(path, sizeof path, "%s/%s", dir, FILES[kind]);
    check(kind == CHART_ALPHA ? plot_alpha(run, opt, path, NULL, err, sizeof err)
          : kind == CHART_OPS ? plot_ops(run, opt, path, NULL, err, sizeof err)
                              : plot_ranking(run, opt, path, NULL, err, sizeof err),
          err);
    printf("wrote %s\n", path);
}

int cmd_plot(int argc, char **argv) {
    PlotArgs a = {.kind = "all", .datasets = "cifar10,cifar100,ImageNet16-120", .metric = "test"};
    const CliOption options[] = {
        {"-o", CLI_STRING, &a.out, "output PNG (derivation chart; for --kind alpha|ops with one run, that chart); "
                                   "default <first run>/derivation.png, derivation-compare.png for several runs", NULL, 0, 0, 0},
        {"--kind", CLI_CHOICE, &a.kind, "which charts (ranking: Kendall and Spearman per epoch, runs with rank_every)", "derivation|alpha|ops|ranking|all", 0, 0, 0},
        {"--width", CLI_INT, &a.width, "image width in pixels (0: the chart's default)", NULL, 0, 20000, 0},
        {"--height", CLI_INT, &a.height, "image height in pixels (0: the chart's default)", NULL, 0, 20000, 0},
        {"--dataset", CLI_STRING, &a.datasets, "derivation panels, comma-separated: cifar10,cifar100,ImageNet16-120", NULL, 0, 0, 0},
        {"--metric", CLI_CHOICE, &a.metric, "derivation: the benchmark's test or valid accuracies", "test|valid", 0, 0, 0},
    };
    const CliSpec spec = {.command = "plot", .summary = "draw PNG charts of search runs from their epochs.csv",
                          .synopsis = "RUNDIR [RUNDIR...] [options]", .options = options, .n_options = CLI_COUNT(options),
                          .min_positional = 1, .max_positional = PLOT_MAX_RUNS};
    char *dirs[PLOT_MAX_RUNS];
    int n = cli_parse(&spec, argc, argv, dirs);
    if ((a.width && a.width < 64) || (a.height && a.height < 64)) cli_usage_error(&spec, "--width and --height must be at least 64 pixels");
    PlotOptions opt = plot_options_default();
    opt.width = a.width, opt.height = a.height, opt.valid = strcmp(a.metric, "valid") == 0;
    opt.datasets = parse_datasets(&spec, a.datasets);
    int all = strcmp(a.kind, "all") == 0;
    if (!all && strcmp(a.kind, "derivation") != 0 && a.out && n > 1)
        cli_usage_error(&spec, "-o with --kind %s needs exactly one run (the chart is drawn per run)", a.kind);

    static RunEpochs runs[PLOT_MAX_RUNS];
    char err[600], path[4096];
    for (int r = 0; r < n; r++) check(epochs_csv_read(dirs[r], &runs[r], err, sizeof err), err);
    if (all || strcmp(a.kind, "derivation") == 0) {
        if (a.out) snprintf(path, sizeof path, "%s", a.out);
        else snprintf(path, sizeof path, "%s/%s", dirs[0], n > 1 ? "derivation-compare.png" : "derivation.png");
        check(plot_derivation(runs, n, &opt, path, NULL, err, sizeof err), err);
        printf("wrote %s\n", path);
    }
    for (int r = 0; r < n; r++) {
        if (all || strcmp(a.kind, "alpha") == 0) per_run_chart(CHART_ALPHA, &runs[r], dirs[r], all ? NULL : a.out, &opt);
        if (all || strcmp(a.kind, "ops") == 0) per_run_chart(CHART_OPS, &runs[r], dirs[r], all ? NULL : a.out, &opt);
        if ((all && plot_has_ranking(&runs[r])) || strcmp(a.kind, "ranking") == 0)
            per_run_chart(CHART_RANKING, &runs[r], dirs[r], all ? NULL : a.out, &opt);
    }
    for (int r = 0; r < n; r++) run_epochs_free(&runs[r]);
    return 0;
}
