/*
 * cmd_search.c: `supernet search --method M ...`. The table-only methods (rs, rea, reinforce, bohb;
 * multitrial.h) run N independent simulated searches and report the mean and std of the chosen
 * cells' 200-epoch accuracies in the six columns of the paper's Table 5. Results go to the terminal
 * and, as JSON and CSV, to <out-dir>/search-<method>-<dataset>-seed<S>.{json,csv}.
 * The weight-sharing methods go to the driver (run/driver.h). The methods are the rows of methods.h.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "dist/dist.h"
#include "methods.h"
#include "run/driver.h"
#include "table_only/multitrial.h"
#include "run/table_path.h"

typedef struct {
    const char *method, *dataset, *table, *out_dir;
    double budget;
    int runs, seed, threads, json;
} SearchArgs;


typedef struct {
    double mean[TABLE_N_COLS], std[TABLE_N_COLS];
    double evaluated_mean, evaluated_std, sim_mean, wall_mean, wall_total;
} Summary;

static void mean_std(const double *x, int n, double *mean, double *std) {
    double s = 0, sq = 0;
    for (int i = 0; i < n; i++) s += x[i];
    *mean = s / n;
    for (int i = 0; i < n; i++) sq += (x[i] - *mean) * (x[i] - *mean);
    *std = n > 1 ? sqrt(sq / (n - 1)) : 0; /* sample std (n - 1) */
}

static Summary summarise(const Table *t, const MtRunResult *r, int n) {
    Summary s;
    memset(&s, 0, sizeof s);
    double *x = sn_alloc(sizeof(double) * (size_t)n), sd;
    for (int k = 0; k < TABLE_N_COLS; k++) {
        for (int i = 0; i < n; i++) x[i] = table_arch(t, table_index_of_code(t, r[i].best_code))->acc200[k];
        mean_std(x, n, &s.mean[k], &s.std[k]);
    }
    for (int i = 0; i < n; i++) x[i] = r[i].n_evaluated;
    mean_std(x, n, &s.evaluated_mean, &s.evaluated_std);
    for (int i = 0; i < n; i++) x[i] = r[i].sim_seconds;
    mean_std(x, n, &s.sim_mean, &sd);
    for (int i = 0; i < n; i++) x[i] = r[i].wall_seconds;
    mean_std(x, n, &s.wall_mean, &sd);
    sn_free(x);
    return s;
}

static int has_paper_rows(const SearchArgs *a) { return strcmp(a->dataset, "cifar10-valid") == 0 && a->budget == 12000; }

static void write_json(FILE *f, const SearchArgs *a, const Method *m, const Summary *s, const char *csv_path) {
    fprintf(f, "{\n  \"method\": \"%s\",\n  \"dataset\": \"%s\",\n  \"budget_s\": %g,\n  \"runs\": %d,\n  \"seed\": %d,\n  \"threads\": %d,\n",
            a->method, a->dataset, a->budget, a->runs, a->seed, a->threads);
    fprintf(f, "  \"total_wall_s\": %.6f,\n  \"wall_per_run_s\": %.9f,\n", s->wall_total, s->wall_mean);
    fprintf(f, "  \"evaluated_per_run\": {\"mean\": %.4f, \"std\": %.4f},\n  \"sim_seconds_per_run\": %.3f,\n", s->evaluated_mean, s->evaluated_std, s->sim_mean);
    fprintf(f, "  \"acc_200\": {");
    for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, "%s\"%s\": {\"mean\": %.4f, \"std\": %.4f}", k ? ", " : "", TABLE_COLUMNS[k].key, s->mean[k], s->std[k]);
    fprintf(f, "},\n");
    for (int v = 0; v < PAPER_N_ROWS && has_paper_rows(a); v++) {
        const PaperRow *p = &m->paper[v];
        fprintf(f, "  \"%s\": {", v == PAPER_V1_1_SUMMARY ? "paper_v1_1_summary" : "paper_table5_v1_0");
        for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, "%s\"%s\": {\"mean\": %.2f, \"std\": %.2f}", k ? ", " : "", TABLE_COLUMNS[k].key, p->mean[k], p->std[k]);
        fprintf(f, "},\n");
    }
    fprintf(f, "  \"runs_csv\": \"%s\"\n}\n", csv_path);
}

/* One row per run; nothing time-dependent, so the file is identical for any thread count. */
static void write_csv(FILE *f, const Table *t, const MtRunResult *r, int n) {
    fprintf(f, "run,best_index,code,arch,n_evaluated,sim_seconds");
    for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, ",%s_200", TABLE_COLUMNS[k].key);
    fprintf(f, "\n");
    for (int i = 0; i < n; i++) {
        int index = table_index_of_code(t, r[i].best_code);
        char str[ARCH_STR_MAX], digits[ARCH_N_EDGES + 1];
        arch_format_code(r[i].best_code, str);
        arch_code_digits(r[i].best_code, digits);
        fprintf(f, "%d,%d,%s,%s,%d,%.6f", i, index, digits, str, r[i].n_evaluated, r[i].sim_seconds);
        for (int k = 0; k < TABLE_N_COLS; k++) fprintf(f, ",%.10g", table_arch(t, index)->acc200[k]);
        fprintf(f, "\n");
    }
}

static void print_text(const SearchArgs *a, const Method *m, const Summary *s) {
    printf("%s on %s: %d runs, budget %g s, seed %d, %d thread(s)\n\n", a->method, a->dataset, a->runs, a->budget, a->seed, a->threads);
    printf("200-epoch acc (%%)   mean +- std%s\n", has_paper_rows(a) ? "        paper v1.0        v1.1 summary" : "");
    for (int k = 0; k < TABLE_N_COLS; k++) {
        printf("  %-12s %7.2f +- %5.2f", TABLE_COLUMNS[k].label, s->mean[k], s->std[k]);
        for (int v = 0; v < PAPER_N_ROWS && has_paper_rows(a); v++) printf("    %6.2f +- %4.2f", m->paper[v].mean[k], m->paper[v].std[k]);
        printf("\n");
    }
    printf("\narchitectures evaluated per run  %.2f +- %.2f (simulated %.0f s charged on average)\n", s->evaluated_mean, s->evaluated_std, s->sim_mean);
    printf("wall time                        %.6f s per run (algorithm only), %.3f s for all runs\n", s->wall_mean, s->wall_total);
}

/* Writes a memstream-built file atomically under out_dir; returns the path written. */
static char *write_log(const char *out_dir, const char *stem, const char *ext, char *text, size_t len) {
    make_directories(out_dir);
    size_t n = strlen(out_dir) + strlen(stem) + strlen(ext) + 3;
    char *path = sn_alloc(n);
    snprintf(path, n, "%s/%s.%s", out_dir, stem, ext);
    atomic_write_file(path, text, len);
    return path;
}

/* The table-only path: c.runs simulated searches of one method, summarised and written as JSON and CSV. */
static int search_on_table(const SearchArgs *a, const Method *m) {
    Table *t = table_open(a->table);
    MtConfig c = mt_default_config();
    c.budget = a->budget, c.runs = a->runs, c.seed = (uint64_t)a->seed;
    c.fitness_col = (TableColumn)table_column_find(a->dataset, "valid"); /* --dataset's choices all have one */
    MtRunResult *r = sn_alloc(sizeof(MtRunResult) * (size_t)a->runs);
    double t0 = sn_now();
    multitrial_run(t, m->run_on_table, &c, r);
    Summary s = summarise(t, r, a->runs);
    s.wall_total = sn_now() - t0;
    char stem[256], *csv_text, *json_text;
    size_t csv_len, json_len;
    snprintf(stem, sizeof stem, "search-%s-%s-seed%d", a->method, a->dataset, a->seed);
    FILE *f = open_memstream(&csv_text, &csv_len);
    write_csv(f, t, r, a->runs);
    fclose(f);
    char *csv_path = write_log(a->out_dir, stem, "csv", csv_text, csv_len);
    f = open_memstream(&json_text, &json_len);
    write_json(f, a, m, &s, csv_path);
    fclose(f);
    char *json_path = write_log(a->out_dir, stem, "json", json_text, json_len);
    if (a->json) fputs(json_text, stdout);
    else print_text(a, m, &s), printf("results                          %s, %s\n", json_path, csv_path);
    free(csv_text), free(json_text), sn_free(csv_path), sn_free(json_path), sn_free(r);
    table_free(t);
    return 0;
}

enum { SCOPE_WEIGHT_SHARING = 1, SCOPE_TABLE_ONLY = 2 };
static const char *const SCOPES[] = {"weight-sharing", "table only"};

/* Flags of the other kind of method are mistakes, never silently ignored (a table-only method given
 * --config, a weight-sharing one --runs). Without --method the run is weight-sharing (--config, --resume). */
static void refuse_flags_of_the_other_kind(const CliSpec *spec, const Method *m, int n_sets) {
    char use[160];
    int table_only = m && m->kind == METHOD_TABLE_ONLY;
    if (m) snprintf(use, sizeof use, "--method %s %s", m->name, table_only ? "searches the table" : "trains a supernet");
    else snprintf(use, sizeof use, "without --method the search is a weight-sharing run");
    cli_refuse_other_scopes(spec, table_only ? SCOPE_TABLE_ONLY : SCOPE_WEIGHT_SHARING, use);
    if (table_only && n_sets) cli_usage_error(spec, "--set does not apply: %s (it is a weight-sharing flag)", use);
}

int cmd_search(int argc, char **argv) {
    SearchArgs a = {.method = NULL, .dataset = "cifar10-valid", .table = NULL, .out_dir = "logs",
                    .budget = 12000, .runs = 500, .seed = -1, .threads = omp_get_max_threads(), .json = 0};
    DriverArgs d = {.logs_dir = "logs"};
    const char *set_help = NULL, **sets = sn_alloc(sizeof(char *) * (size_t)(argc + 1));
    char weight_sharing[256], table_only[256], method_help[600];
    method_names(METHOD_WEIGHT_SHARING, weight_sharing, sizeof weight_sharing);
    method_names(METHOD_TABLE_ONLY, table_only, sizeof table_only);
    snprintf(method_help, sizeof method_help, "%s (weight-sharing) or %s (table only)", weight_sharing, table_only);
    const CliOption options[] = {
        {"--method", CLI_STRING, &a.method, method_help, NULL, 0, 0, 0},
        {"--config", CLI_STRING, &d.config_path, "config file; when unset configs/<method>-quick.cfg, or configs/<method>.cfg with --data", NULL, 0, 0, SCOPE_WEIGHT_SHARING},
        {"--set", CLI_STRING, &set_help, "key=value overriding a config key (repeatable)", NULL, 0, 0, SCOPE_WEIGHT_SHARING},
        {"--seed", CLI_INT, &a.seed, "seed (-1: the config's seed; table-only: 1)", NULL, -1, 2147483647, 0},
        {"--data", CLI_STRING, &d.data, "dataset folder; when unset the embedded CIFAR-10 subset", NULL, 0, 0, SCOPE_WEIGHT_SHARING},
        {"--run", CLI_STRING, &d.run_name, "run name; when unset <method>-<dataset>-s<seed>-<UTC time>", NULL, 0, 0, SCOPE_WEIGHT_SHARING},
        {"--logs", CLI_STRING, &d.logs_dir, "folder of run directories", NULL, 0, 0, SCOPE_WEIGHT_SHARING},
        {"--resume", CLI_STRING, &d.resume, "continue the run in this directory from its checkpoint", NULL, 0, 0, SCOPE_WEIGHT_SHARING},
        {"--quiet", CLI_FLAG, &d.quiet, "print only the final summary", NULL, 0, 0, SCOPE_WEIGHT_SHARING},
        {"--threads", CLI_INT, &a.threads, "OpenMP threads", NULL, 1, 1024, 0},
        {"--dataset", CLI_CHOICE, &a.dataset, "dataset whose 12-epoch validation accuracy is the fitness", "cifar10-valid|cifar100|ImageNet16-120", 0, 0, SCOPE_TABLE_ONLY},
        {"--budget", CLI_FLOAT, &a.budget, "simulated training seconds per run", NULL, 1, 1e9, SCOPE_TABLE_ONLY},
        {"--runs", CLI_INT, &a.runs, "independent runs (run r uses stream r of --seed)", NULL, 1, 1000000, SCOPE_TABLE_ONLY},
        {"--json", CLI_FLAG, &a.json, "print the JSON summary instead of a table", NULL, 0, 0, SCOPE_TABLE_ONLY},
        {"--out-dir", CLI_STRING, &a.out_dir, "folder for the JSON and CSV results", NULL, 0, 0, SCOPE_TABLE_ONLY},
        {"--table", CLI_STRING, &a.table, "benchmark table file; when unset: $SUPERNET_TABLE, then data/" TABLE_FILE_NAME " beside the build or in the source tree", NULL, 0, 0, 0},
    };
    const CliSpec spec = {.command = "search",
                          .summary = "Run a search method and report its chosen cells' benchmark accuracies.",
                          .synopsis = "--method M [options] | --resume RUNDIR", .options = options,
                          .n_options = CLI_COUNT(options), .print_epilogue = methods_print_help,
                          .scopes = SCOPES};
    argc = cli_take_sets(&spec, argc, argv, sets, &d.n_sets);
    cli_parse(&spec, argc, argv, NULL);
    const Method *m = a.method ? method_find(a.method) : NULL;
    if (a.method && !m) cli_usage_error(&spec, "--method %s is not available", a.method);
    refuse_flags_of_the_other_kind(&spec, m, d.n_sets);
    if (m && m->kind == METHOD_TABLE_ONLY) {
        if (dist_size() > 1) cli_usage_error(&spec, "--method %s searches the table in one process; run it without mpirun", a.method);
        if (a.seed < 0) a.seed = 1;
        omp_set_num_threads(a.threads);
        sn_free(sets);
        return search_on_table(&a, m);
    }
    if (!a.method && !d.config_path && !d.resume) cli_usage_error(&spec, "--method (or --config, or --resume) is required");
    d.method = a.method, d.sets = sets, d.seed = a.seed, d.table = a.table, d.threads = a.threads;
    int status = search_weight_sharing(&d);
    sn_free(sets);
    return status;
}
